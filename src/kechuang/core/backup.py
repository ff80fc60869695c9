"""`kechuang backup` and `kechuang restore`: the database, uploaded files, search indexes and the
embedding cache in one archive, with a manifest of versions, row counts and SHA-256 hashes.

Archive layout (a tar file, gzip-compressed)::

    manifest.json                 format, versions, database vendor and migrations, counts, hashes
    database/kechuang.sqlite3     SQLite: a consistent copy made with SQLite's online backup API
    database/kechuang.pgdump      PostgreSQL: `pg_dump --format=custom` (Debian's PostgreSQL 15 tools)
    data/…                        the data directory, less what is not state (see SKIP)

SQLite files inside the data directory (the search index's store, the embedding cache) are copied
with the online backup API too, so a file being written is never copied half-way. Search indexes
are derived data: an archive taken while the site writes may hold an index a little behind its
database, and `kechuang reindex` rebuilds it exactly.

Restore refuses, before it changes anything, an archive that is corrupt (a hash or size differs,
a member is missing or extra), of another database vendor, or from a newer schema than this code
knows. It then stages the files, swaps them in (the previous ones kept aside), and restores the
database in one transaction (SQLite's backup API; `pg_restore --single-transaction --clean`); if
the database step fails, the previous files are put back, so the current state stays intact.
Stop the server and workers while restoring, and start them again after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "kechuang-backup/1"
MANIFEST = "manifest.json"
SQLITE_NAME = "database/kechuang.sqlite3"
PG_NAME = "database/kechuang.pgdump"
# Top-level entries of the data directory that are not state: the SQLite database itself (copied
# with the backup API), collected static files, mail written by the file backend, temporary
# uploads, earlier backups. Lock files and a rebuild's leftovers are skipped anywhere.
SKIP = {"static", "mail", "tmp", "backups"}
SKIP_NAMES = {"BUILDING"}
SKIP_SUFFIXES = (".lock", "-wal", "-shm", "-journal", ".tmp")
PG_BIN_CANDIDATES = ("/usr/lib/postgresql/15/bin",)
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """A refusal, with a message for the operator."""


@dataclass
class Result:
    path: Path
    manifest: dict[str, Any]


# --- helpers ---------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _data_dir() -> Path:
    return Path(settings.DATA_DIR).resolve()


def _sqlite_db_file() -> Path | None:
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or name.startswith("file:") or name == ":memory:":
        return None
    return Path(name).resolve()


def _is_sqlite(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(16) == SQLITE_MAGIC


def _skipped(rel: Path) -> bool:
    if rel.parts[0] in SKIP:
        return True
    name = rel.name
    if name in SKIP_NAMES or name.endswith(SKIP_SUFFIXES) or name.startswith("journal-g-"):
        return True
    return name.startswith("CURRENT.") and name.endswith(".tmp")


def _index_orphans(root: Path) -> set[Path]:
    """Generations of the embedded index that are not live (a rebuild's, or a killed one's)."""
    out: set[Path] = set()
    for current in root.glob("index/*/CURRENT"):
        live = current.read_text().strip()
        out |= {g for g in current.parent.glob("g-*") if g.is_dir() and g.name != live}
    return out


def data_files(root: Path | None = None) -> list[Path]:
    """The data directory's files that a backup holds, relative to it, sorted."""
    root = root or _data_dir()
    db_file = _sqlite_db_file()
    orphans = _index_orphans(root)
    out = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        if db_file is not None and path.resolve() in {
            db_file,
            Path(f"{db_file}-wal"),
            Path(f"{db_file}-shm"),
        }:
            continue
        rel = path.relative_to(root)
        if _skipped(rel) or any(o in path.parents for o in orphans):
            continue
        out.append(rel)
    return out


def table_counts() -> dict[str, int]:
    """Rows per model table of every installed app (Django's own included)."""
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            counts[model._meta.db_table] = model._base_manager.using(connection.alias).count()
    return dict(sorted(counts.items()))


def applied_migrations() -> list[str]:
    recorder = MigrationRecorder(connection)
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def known_migrations() -> set[str]:
    from django.db.migrations.loader import MigrationLoader

    return {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}


def _versions() -> dict[str, str]:
    import platform
    from importlib.metadata import PackageNotFoundError, version

    import django

    out = {
        "django": django.get_version(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    try:
        out["kechuang"] = version("kechuang")
    except PackageNotFoundError:
        out["kechuang"] = "unknown"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            out["postgresql"] = str(cursor.fetchone()[0])
    return out


# --- PostgreSQL tools --------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    for folder in PG_BIN_CANDIDATES:
        if (Path(folder) / name).exists():
            return str(Path(folder) / name)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found: install Debian's postgresql-client-15.")
    return found


def _pg_env_args() -> tuple[dict[str, str], list[str]]:
    s = connection.settings_dict
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    args = ["--dbname", str(s["NAME"])]
    if s.get("HOST"):
        args += ["--host", str(s["HOST"])]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", str(s["USER"])]
    return env, args


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {done.stderr.strip()[-2000:]}")


# --- backup ----------------------------------------------------------------------------------


def _copy_sqlite(source: Path | sqlite3.Connection, target: Path) -> None:
    """A consistent copy of a live SQLite database (the online backup API)."""
    src = (
        source
        if isinstance(source, sqlite3.Connection)
        else sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    )
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        if src is not source:
            src.close()


def _dump_database(work: Path) -> tuple[str, Path]:
    if connection.vendor == "sqlite":
        target = work / "db.sqlite3"
        connection.ensure_connection()
        _copy_sqlite(connection.connection, target)
        return SQLITE_NAME, target
    if connection.vendor == "postgresql":
        target = work / "db.pgdump"
        env, args = _pg_env_args()
        _run(
            [
                pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(target),
                *args,
            ],
            env,
        )
        return PG_NAME, target
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")


def backup(output: Path | None = None) -> Result:
    """Write one archive of the whole platform state; returns its path and manifest."""
    root = _data_dir()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    output = Path(output) if output else root / "backups" / f"kechuang-{stamp}.tar.gz"
    output.parent.mkdir(parents=True, exist_ok=True)
    work_parent = root / "tmp"
    work_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_parent, prefix="backup-") as tmp:
        work = Path(tmp)
        db_name, db_file = _dump_database(work)
        counts = table_counts()
        members: list[tuple[str, Path]] = [(db_name, db_file)]
        for rel in data_files(root):
            source = root / rel
            if source.stat().st_size >= 100 and _is_sqlite(source):
                copy = work / "sqlite" / rel
                copy.parent.mkdir(parents=True, exist_ok=True)
                _copy_sqlite(source, copy)
                source = copy
            members.append((f"data/{rel.as_posix()}", source))
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "versions": _versions(),
            "database": {"vendor": connection.vendor, "member": db_name, "migrations": applied_migrations()},
            "counts": counts,
            "files": {
                name: {"sha256": _sha256_file(path), "size": path.stat().st_size} for name, path in members
            },
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz", compresslevel=1) as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            for name, path in members:
                tar.add(path, arcname=name, recursive=False)
        os.replace(partial, output)  # a crash mid-way leaves no archive that looks complete
    return Result(output, manifest)


# --- restore ---------------------------------------------------------------------------------


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:*") as tar:
            member = tar.getmember(MANIFEST)
            fh = tar.extractfile(member)
            manifest = json.loads(fh.read().decode("utf-8")) if fh else None
    except FileNotFoundError as exc:
        raise BackupError(f"{archive}: no such file.") from exc
    except (tarfile.TarError, KeyError, EOFError, OSError, ValueError) as exc:
        raise BackupError(f"{archive} is not a Kechuang backup or is damaged ({exc}).") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a Kechuang backup of format {FORMAT}.")
    return manifest


def check_compatible(manifest: dict[str, Any]) -> None:
    vendor = manifest.get("database", {}).get("vendor")
    if vendor != connection.vendor:
        raise BackupError(f"This archive holds a {vendor} database; the configured database is {connection.vendor}. "
                          "Restore it into a platform configured with the same database.")  # fmt: skip
    newer = sorted(set(manifest["database"].get("migrations", [])) - known_migrations())
    if newer:
        shown = ", ".join(newer[:5]) + (" …" if len(newer) > 5 else "")
        raise BackupError(f"This archive comes from a newer version of Kechuang (migrations unknown here: {shown}). "
                          "Upgrade this installation first.")  # fmt: skip


def _extract_verified(archive: Path, manifest: dict[str, Any], target: Path) -> None:
    """Extract every member listed in the manifest, checking sizes and hashes; refuse extras."""
    expected: dict[str, dict[str, Any]] = manifest["files"]
    seen = set()
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                if member.name == MANIFEST:
                    continue
                if member.name not in expected or not member.isfile():
                    raise BackupError(f"The archive holds {member.name!r}, which its manifest does not list: "
                                      "it is damaged or was altered.")  # fmt: skip
                dest = (target / member.name).resolve()
                if target.resolve() not in dest.parents:
                    raise BackupError(f"Unsafe path in the archive: {member.name!r}.")
                dest.parent.mkdir(parents=True, exist_ok=True)
                fh = tar.extractfile(member)
                if fh is None:
                    raise BackupError(f"{member.name} cannot be read from the archive.")
                digest = hashlib.sha256()
                size = 0
                with open(dest, "wb") as out:
                    while block := fh.read(1 << 20):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
                want = expected[member.name]
                if digest.hexdigest() != want["sha256"] or size != want["size"]:
                    raise BackupError(f"{member.name} in the archive does not match its hash in the manifest: "
                                      "the archive is damaged. Nothing was changed.")  # fmt: skip
                seen.add(member.name)
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:  # zlib errors are OSError/ValueError
        raise BackupError(f"The archive is damaged ({exc}). Nothing was changed.") from exc
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"The archive lacks {len(missing)} files its manifest lists ({missing[0]} …): "
                          "it is damaged. Nothing was changed.")  # fmt: skip


def _restore_database(staged: Path, manifest: dict[str, Any]) -> None:
    member = staged / manifest["database"]["member"]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        src = sqlite3.connect(f"file:{member}?mode=ro", uri=True)
        try:
            src.backup(connection.connection)  # replaces the live database in one step
        finally:
            src.close()
        return
    env, args = _pg_env_args()
    connection.close()  # our own session must not hold locks on the tables being replaced
    _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--single-transaction", "--no-owner",
          "--no-privileges", "--exit-on-error", *args, str(member)], env)  # fmt: skip


def _top_level(names: list[str]) -> set[str]:
    return {Path(n).parts[1] for n in names if n.startswith("data/")}


def restore(archive: Path) -> dict[str, Any]:
    """Replace the platform's state with the archive's. Refuses (BackupError) before changing
    anything when the archive is damaged or does not fit; returns the manifest."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    check_compatible(manifest)
    root = _data_dir()
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root / "tmp", prefix="restore-") as tmp:
        staged = Path(tmp) / "archive"
        _extract_verified(archive, manifest, staged)
        aside = Path(tmp) / "previous"
        aside.mkdir()
        # Every top-level entry the archive holds or a backup would hold is replaced as a whole.
        names = _top_level(list(manifest["files"])) | {rel.parts[0] for rel in data_files(root)}
        moved: list[str] = []
        try:
            for name in sorted(names):
                if (root / name).exists():
                    os.replace(root / name, aside / name)
                    moved.append(name)
                if (staged / "data" / name).exists():
                    os.replace(staged / "data" / name, root / name)
            _restore_database(staged, manifest)
        except BaseException:
            for name in sorted(names):  # put the previous files back
                if name in moved:
                    if (root / name).is_dir():
                        shutil.rmtree(root / name)
                    elif (root / name).exists():
                        (root / name).unlink()
                    os.replace(aside / name, root / name)
                elif (root / name).is_dir():
                    shutil.rmtree(root / name)
            raise
    return manifest


def iter_problems(manifest: dict[str, Any]) -> Iterator[str]:
    """After a restore: tables whose row count differs from the archive's."""
    now = table_counts()
    for table, count in manifest.get("counts", {}).items():
        if now.get(table) != count:
            yield f"{table}: {now.get(table)} rows, the archive had {count}"
