import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
application = get_wsgi_application()

# Only a serving process gets here (runserver's child or a WSGI server's worker), never a
# management command: items the index holds without vectors are embedded in the background.
from kechuang.startup import serving_process_started  # noqa: E402

serving_process_started()
