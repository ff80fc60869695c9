"""A fresh platform for tests that run real processes (a worker killed with SIGKILL, `kechuang
serve`): its own data directory and database, migrated, on the suite's database engine (a new
SQLite file, or a new database on the suite's PostgreSQL server), read back with plain SQL."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

REPO = Path(__file__).resolve().parents[4]


class Site:
    def __init__(self, data_dir: Path, database_url: str, env: dict[str, str]) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.env = {
            **os.environ,
            **env,
            "KECHUANG_DATA_DIR": str(data_dir),
            "KECHUANG_DATABASE_URL": database_url,
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "kechuang.cli", *args]

    def run(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            self.argv(*args), env=self.env, cwd=REPO, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode:
            raise AssertionError(f"kechuang {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def python(self, code: str) -> str:
        """Run `code` in a Django shell of this site; returns what it printed."""
        return self.run("shell", "--no-imports", "-c", code).strip()

    def start(self, *args: str, **env: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.argv(*args), env={**self.env, **env}, cwd=REPO, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.database_url.startswith("sqlite"):
            with sqlite3.connect(self.database_url.removeprefix("sqlite:///"), timeout=30) as db:
                return list(db.execute(query.replace("%s", "?"), params))
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as db:
            return list(db.execute(query, params))  # type: ignore[call-overload]

    def one(self, query: str, *params: Any) -> Any:
        rows = self.sql(query, *params)
        return rows[0][0] if rows else None


@contextmanager
def fresh_site(tmp_path: Path, **env: str) -> Iterator[Site]:
    db = settings.DATABASES["default"]
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if db["ENGINE"].endswith("sqlite3"):
        site = Site(data_dir, f"sqlite:///{data_dir / 'kechuang.sqlite3'}", env)
        site.run("migrate", "--verbosity", "0")
        yield site
        return
    import psycopg

    # A database of its own on the suite's server (the test database is inside a test transaction).
    name = f"kechuang_proc_{uuid.uuid4().hex[:12]}"
    server = urlsplit(os.environ["KECHUANG_DATABASE_URL"])
    url = urlunsplit(server._replace(path=f"/{name}"))
    admin_url = urlunsplit(server._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        site = Site(data_dir, url, env)
        site.run("migrate", "--verbosity", "0")
        yield site
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
