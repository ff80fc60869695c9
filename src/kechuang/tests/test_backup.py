"""`kechuang backup` / `kechuang restore` round trip on the suite's database (SQLite, and PostgreSQL
in the second run): row counts, file hashes and search results come back exactly; a damaged or
mismatched archive is refused and leaves the current state intact."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kechuang.core import backup as bk
from kechuang.core.models import Organisation
from kechuang.matching.engine import Document, build_engine, set_engine

# Real commits (pg_dump reads from another session). No serialized_rollback: on PostgreSQL the
# content types that a preceding transactional test's flush recreated have new ids, and loading the
# serialized ones would collide; the flush's post_migrate reloads the reference tables anyway.
pytestmark = pytest.mark.django_db(transaction=True)

DOCS = [
    Document(id="1", kind="supply", title="量子点发光二极管制备方法", text="提高发光效率"),
    Document(id="2", kind="supply", title="锂电池正极材料回收", text="湿法冶金回收高镍三元材料"),
    Document(id="3", kind="supply", title="固态电池电解质", text="硫化物固态电解质的界面稳定性"),
]


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.parts[len(root.parts)] in {"media", "contracts"}}  # fmt: skip


def _search(data: Path) -> list[list[str]]:
    engine = build_engine(backend="embedded", data_dir=data, background=False)
    try:
        return [[h.id for h in engine.search(q, "supply")] for q in ("电池材料", "发光效率", "固态电解质")]
    finally:
        engine.close()


@pytest.fixture
def platform(settings, tmp_path: Path, make_org) -> Path:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    settings.DATA_DIR = data
    settings.MEDIA_ROOT = data / "media"
    for _ in range(3):
        make_org()
    (data / "media" / "logos").mkdir(parents=True)
    (data / "media" / "logos" / "a.png").write_bytes(b"\x89PNG" + bytes(range(256)) * 40)
    (data / "contracts" / "7").mkdir(parents=True)
    (data / "contracts" / "7" / "signed.pdf").write_bytes(b"%PDF-1.7 " + "合同".encode() * 5000)
    engine = build_engine(backend="embedded", data_dir=data, background=False)
    previous = set_engine(engine)
    engine.upsert(DOCS)
    engine.embed_pending()
    engine.close()
    set_engine(previous)
    (data / "tmp").mkdir(exist_ok=True)
    return data


def _damaged_copy(
    archive: Path, target: Path, member: str | None = None, manifest: dict[str, Any] | None = None
) -> Path:
    """The archive with one member's bytes changed (its hash no longer matches) or a new manifest."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
        for info in src:
            data = src.extractfile(info).read()  # type: ignore[union-attr]
            if info.name == member:
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            if info.name == bk.MANIFEST and manifest is not None:
                data = json.dumps(manifest).encode()
                info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return target


def test_backup_and_restore_round_trip(platform: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    counts, files, results = bk.table_counts(), _hashes(platform), _search(platform)
    assert results[0] and results[2][0] == "3"
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", "-o", str(archive))
    manifest = bk.read_manifest(archive)
    assert manifest["counts"] == counts and manifest["database"]["vendor"] in {"sqlite", "postgresql"}
    names = set(manifest["files"])
    assert {"data/media/logos/a.png", "data/contracts/7/signed.pdf"} <= names
    assert any(n.startswith("data/index/embedded/g-") for n in names)  # the search index
    assert any(n.startswith("data/embeddings/") for n in names)  # the embedding cache
    assert not any("/tmp/" in n or n.endswith(".lock") for n in names)
    assert manifest["files"]["data/media/logos/a.png"]["sha256"] == files["media/logos/a.png"]
    assert manifest["versions"]["django"].startswith("5.2")

    # Life goes on: a new organisation, a lost file, a changed index.
    Organisation.objects.update(name_en="changed")  # not through services: the round trip is the point
    Organisation.objects.create(
        uscc="91310115MA1K4XY80X"[:17] + "0", name="备份之后", kind="enterprise", region_id="310115"
    )
    (platform / "media" / "logos" / "a.png").unlink()
    engine = build_engine(backend="embedded", data_dir=platform, background=False, dense=False)
    engine.delete(["3"], kind="supply")
    engine.close()
    assert bk.table_counts() != counts and _search(platform) != results

    call_command("restore", str(archive), "--yes")
    assert "restored" in capsys.readouterr().out
    assert bk.table_counts() == counts
    assert not Organisation.objects.filter(name="备份之后").exists()
    assert not Organisation.objects.filter(name_en="changed").exists()
    assert _hashes(platform) == files
    assert _search(platform) == results


def test_a_damaged_or_mismatched_archive_is_refused_and_nothing_changes(
    platform: Path, tmp_path: Path
) -> None:
    archive = bk.backup(tmp_path / "good.tar.gz").path
    manifest = bk.read_manifest(archive)
    Organisation.objects.create(
        uscc="91310115MA1K4XY80X"[:17] + "0", name="备份之后", kind="enterprise", region_id="310115"
    )
    counts, files, results = bk.table_counts(), _hashes(platform), _search(platform)

    def refused(path: Path, match: str) -> None:
        with pytest.raises(CommandError, match=match):
            call_command("restore", str(path), "--yes")
        assert bk.table_counts() == counts and _hashes(platform) == files and _search(platform) == results
        assert not [p for p in (platform / "tmp").iterdir() if p.name.startswith("restore-")]

    refused(
        _damaged_copy(archive, tmp_path / "a.tar.gz", member="data/media/logos/a.png"),
        "does not match its hash",
    )
    refused(
        _damaged_copy(archive, tmp_path / "b.tar.gz", member=manifest["database"]["member"]),
        "does not match its hash",
    )
    truncated = tmp_path / "c.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    refused(truncated, "damaged")
    (tmp_path / "d.tar.gz").write_bytes(b"not an archive at all")
    refused(tmp_path / "d.tar.gz", "not a Kechuang backup")
    other = "postgresql" if manifest["database"]["vendor"] == "sqlite" else "sqlite"
    refused(_damaged_copy(archive, tmp_path / "e.tar.gz", manifest=manifest | {"database": manifest["database"] | {"vendor": other}}),
            f"holds a {other} database")  # fmt: skip
    future = manifest["database"] | {
        "migrations": [*manifest["database"]["migrations"], "core.9999_from_the_future"]
    }
    refused(
        _damaged_copy(archive, tmp_path / "f.tar.gz", manifest=manifest | {"database": future}),
        "newer version",
    )
    refused(tmp_path / "missing.tar.gz", "no such file")


def test_a_failing_database_step_puts_the_files_back(platform: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    archive = bk.backup(tmp_path / "good.tar.gz").path
    (platform / "media" / "logos" / "new.png").write_bytes(b"after the backup")
    files = _hashes(platform)

    def broken(*args: Any) -> None:
        raise bk.BackupError("pg_restore failed: simulated")

    monkeypatch.setattr(bk, "_restore_database", broken)
    with pytest.raises(CommandError, match="simulated"):
        call_command("restore", str(archive), "--yes")
    assert _hashes(platform) == files


def test_a_serving_process_sweeps_what_killed_processes_left(settings, tmp_path: Path) -> None:
    """kechuang.startup (run by kechuang.wsgi and kechuang.asgi): dead processes' upload folders and
    a killed reindex's leftovers go; a live process's folder and the live index stay."""
    import os

    from kechuang.core import uploads
    from kechuang.startup import sweep_leftovers

    settings.DATA_DIR = tmp_path
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "tmp" / "uploads"
    dead = settings.FILE_UPLOAD_TEMP_DIR / f"{uploads._host()}-999999999"
    dead.mkdir(parents=True)
    (dead / "x.upload.pdf").write_bytes(b"%PDF" * 1000)
    mine = uploads.process_dir()
    engine = build_engine(backend="embedded", data_dir=tmp_path, background=False, dense=False)
    engine.upsert(DOCS)
    root = tmp_path / "index" / "embedded"
    (root / "g-20260101000000-abcdef").mkdir()
    (root / "BUILDING").write_text("g-20260101000000-abcdef")
    sweep_leftovers()
    assert not dead.exists() and mine.exists() and os.path.isdir(mine)
    assert not (root / "BUILDING").exists() and not (root / "g-20260101000000-abcdef").exists()
    assert [h.id for h in engine.search("固态电解质", "supply")][:1] == ["3"]
    engine.close()
