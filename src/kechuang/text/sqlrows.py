"""A query over many keys in SQLite, which caps the variables one statement may hold."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

CHUNK = 500


def rows_in(db: sqlite3.Connection, sql: str, keys: Iterable[str], chunk: int = CHUNK) -> Iterator[Any]:
    """The rows of `sql` for every key, where `{marks}` in `sql` is the `IN (…)` placeholder list;
    asked `chunk` keys at a time."""
    keys = list(keys)
    for start in range(0, len(keys), chunk):
        part = keys[start : start + chunk]
        yield from db.execute(sql.format(marks=",".join("?" * len(part))), part)
