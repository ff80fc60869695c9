import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
application = get_asgi_application()

# As in kechuang.wsgi: a serving process embeds what the index holds without vectors.
from kechuang.matching.engine import resume_background_embedding  # noqa: E402

resume_background_embedding()
