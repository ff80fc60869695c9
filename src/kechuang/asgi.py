import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
application = get_asgi_application()

# As in kechuang.wsgi: a serving process sweeps what killed processes left, and embeds what the
# index holds without vectors.
from kechuang.startup import serving_process_started  # noqa: E402

serving_process_started()
