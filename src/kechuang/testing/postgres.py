"""Start a throw-away PostgreSQL 15 server in a temporary directory and run a command against it.

    python -m kechuang.testing.postgres -- pytest -q

The command sees KECHUANG_DATABASE_URL pointing at the new server. The server listens on a Unix
socket inside the temporary directory (and on a free loopback port) and is stopped and deleted
afterwards, whatever the command's outcome. When run as root, the server runs as the `postgres`
system user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

PG_BIN_CANDIDATES = ["/usr/lib/postgresql/15/bin"]


def pg_bin() -> Path:
    for candidate in [os.environ.get("KECHUANG_PG_BIN", ""), *PG_BIN_CANDIDATES]:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise SystemExit(
        "PostgreSQL 15 is not installed: run `make setup-dev` (installs Debian's postgresql-15)."
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@contextlib.contextmanager
def temporary_server() -> Iterator[str]:
    """Yield a database URL for a fresh server; stop and remove it on exit."""
    bindir = pg_bin()
    tmp = Path(tempfile.mkdtemp(prefix="kechuang-pg-"))
    data, sock = tmp / "data", tmp / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for p in (tmp, sock):
            os.chown(p, user.pw_uid, user.pw_gid)
    port = _free_port()
    try:
        subprocess.run(
            _as_server_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "kechuang",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        subprocess.run(
            _as_server_user(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(tmp / "server.log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [str(bindir / "createdb"), "-h", str(sock), "-p", str(port), "-U", "kechuang", "kechuang"],
            check=True,
        )
        yield f"postgres://kechuang@127.0.0.1:{port}/kechuang"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        print(__doc__)
        return 2
    with temporary_server() as url:
        env = dict(os.environ, KECHUANG_DATABASE_URL=url)
        print(f"== PostgreSQL test server at {url}", flush=True)
        return subprocess.call(argv, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
