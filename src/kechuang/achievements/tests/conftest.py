"""Supply tests index into a per-test engine under a temporary directory (the matching fixtures)."""

from kechuang.matching.tests.conftest import _embedding_cache_dir, engine  # noqa: F401
