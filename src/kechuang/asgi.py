import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
application = get_asgi_application()

# As in kechuang.wsgi: a serving process embeds what the index holds without vectors.
from kechuang.matching.engine import resume_background_embedding  # noqa: E402

# `kechuang serve` leaves this to its task worker (KECHUANG_EMBED_RESUME=worker): each of several
# web processes would otherwise open the index and load a model only to find the lock taken.
if os.environ.get("KECHUANG_EMBED_RESUME", "web") == "web":
    resume_background_embedding()
