"""What a serving process does when it starts (kechuang.wsgi, kechuang.asgi; never a management
command): remove what killed processes left behind, then resume background embedding."""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)


def sweep_leftovers() -> None:
    """Temporary uploads of killed server processes, and a killed reindex's marker, journal and
    orphan generation. Both are safe while other processes run: an upload folder is removed only
    when its process has ended, and the index is left alone while a rebuild holds its lock."""
    from kechuang.core.uploads import sweep
    from kechuang.matching.engine import sweep_index_leftovers

    try:
        files, size = sweep()
        if files:
            log.warning("removed %d temporary upload files (%d bytes) left by killed processes", files, size)
        removed = sweep_index_leftovers()
        if removed:
            log.warning("removed what a killed reindex left: %s", ", ".join(p.name for p in removed))
    except Exception:  # the site must come up even if a sweep fails; `kechuang check` reports leftovers
        log.exception("could not sweep leftovers")


def serving_process_started() -> None:
    from kechuang.matching.engine import resume_background_embedding

    sweep_leftovers()
    # `kechuang serve` leaves embedding to its task worker (KECHUANG_EMBED_RESUME=worker): each of
    # several web processes would otherwise open the index and load a model only to find the lock taken.
    if os.environ.get("KECHUANG_EMBED_RESUME", "web") == "web":
        resume_background_embedding()
