import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
application = get_wsgi_application()

# Only a serving process gets here (runserver's child or a WSGI server's worker), never a
# management command: items the index holds without vectors are embedded in the background.
from kechuang.matching.engine import resume_background_embedding  # noqa: E402

# `kechuang serve` leaves this to its task worker (KECHUANG_EMBED_RESUME=worker): each of several
# web processes would otherwise open the index and load a model only to find the lock taken.
if os.environ.get("KECHUANG_EMBED_RESUME", "web") == "web":
    resume_background_embedding()
