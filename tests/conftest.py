"""Fixtures shared by every app's tests: organisations with valid credit codes, one user per role,
and API clients authenticated with real tokens."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from kechuang.core import services
from kechuang.core.identifiers import make_uscc
from kechuang.core.models import Organisation, Region, User

PASSWORD = "kechuang-test-pass"
_serial = itertools.count(1)


def fresh_uscc() -> str:
    """A valid, unique 统一社会信用代码 for a Shanghai Pudong enterprise."""
    n = next(_serial)
    return make_uscc(f"91310115{n:09d}")


@pytest.fixture
def make_org(db) -> Callable[..., Organisation]:  # type: ignore[no-untyped-def]
    def factory(**fields: Any) -> Organisation:
        fields.setdefault("uscc", fresh_uscc())
        fields.setdefault("name", f"测试企业{fields['uscc'][-6:]}有限公司")
        fields.setdefault("kind", Organisation.Kind.ENTERPRISE)
        fields.setdefault("region", Region.objects.get(pk="310115"))
        return services.create_organisation(None, **fields)

    return factory


@pytest.fixture
def own_org(make_org) -> Organisation:  # type: ignore[no-untyped-def]
    return make_org(name="上海自有科技有限公司", name_en="Shanghai Own Tech Co., Ltd.")


@pytest.fixture
def other_org(make_org) -> Organisation:  # type: ignore[no-untyped-def]
    return make_org(name="上海他人科技有限公司", name_en="Shanghai Other Tech Co., Ltd.")


@pytest.fixture
def make_user(db) -> Callable[..., User]:  # type: ignore[no-untyped-def]
    def factory(
        role: str = User.Role.VISITOR, organisation: Organisation | None = None, username: str | None = None
    ) -> User:
        return services.create_user(None, username or f"{role}-{next(_serial)}", PASSWORD, role, organisation)

    return factory


@pytest.fixture
def enterprise_user(make_user, own_org) -> User:  # type: ignore[no-untyped-def]
    return make_user(User.Role.ENTERPRISE, own_org)


@pytest.fixture
def other_user(make_user, other_org) -> User:  # type: ignore[no-untyped-def]
    return make_user(User.Role.ENTERPRISE, other_org)


@pytest.fixture
def staff_user(make_user) -> User:  # type: ignore[no-untyped-def]
    return make_user(User.Role.REVIEWER)


@pytest.fixture
def admin_user(make_user) -> User:  # type: ignore[no-untyped-def]
    return make_user(User.Role.ADMIN)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


class ApiClient:
    """A test client for /api/v1 that sends a real bearer token."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _token, key = services.issue_api_token(user, "tests")
            self.headers["Authorization"] = f"Bearer {key}"

    def _call(self, method: str, path: str, data: Any = None, **params: Any):  # type: ignore[no-untyped-def]
        fn = getattr(self.client, method)
        if method in {"post", "put", "patch"}:
            return fn(path, data=data, content_type="application/json", headers=self.headers)
        return fn(path, data=params or data, headers=self.headers)

    def get(self, path: str, **params: Any):  # type: ignore[no-untyped-def]
        return self._call("get", path, **params)

    def post(self, path: str, data: Any = None):  # type: ignore[no-untyped-def]
        return self._call("post", path, data)

    def put(self, path: str, data: Any = None):  # type: ignore[no-untyped-def]
        return self._call("put", path, data)

    def patch(self, path: str, data: Any = None):  # type: ignore[no-untyped-def]
        return self._call("patch", path, data)

    def delete(self, path: str):  # type: ignore[no-untyped-def]
        return self._call("delete", path)


@pytest.fixture
def api_for() -> Callable[[User | None], ApiClient]:
    return ApiClient


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole test session (see tests/browser.py)."""
    from tests.browser import launch_browser

    yield from launch_browser()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    from tests.browser import new_page

    yield from new_page(browser)


def in_english(client: Client) -> Client:
    """Switch a test client to English the way a user does: the language switch's cookie
    (the browser's Accept-Language is ignored: see core.middleware)."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def run_queued_jobs() -> None:
    """Run every queued background task now, in this process, as the database backend's worker
    does (its own run_task). Inside a test's transaction the jobs write their progress directly.
    (Not the worker's whole loop: it closes the connection between tasks, which would end the
    test's transaction on PostgreSQL.)"""
    from django.db import transaction
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="pytest", excluded_queue_names=[],
    )  # fmt: skip
    while True:
        with transaction.atomic():
            row = DBTaskResult.objects.ready().get_locked()
            if row is None:
                return
            row.claim(worker.worker_id)
        worker.run_task(row)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks) -> Iterator[Callable[[], None]]:  # type: ignore[no-untyped-def]
    """Calls made inside `with run_jobs.capture():` enqueue their jobs as a committed request would;
    `run_jobs()` then runs them."""

    class Runner:
        def __call__(self) -> None:
            run_queued_jobs()

        def capture(self):  # type: ignore[no-untyped-def]
            return django_capture_on_commit_callbacks(execute=True)

    yield Runner()


# --- the search index -----------------------------------------------------------------------------
# Pages of several apps rank through the search index (core.search), which the matching engine
# keeps. Tests that touch it ask for `engine` (the matching, achievements and rights tests do so for
# every test, in their conftest.py), so that no test reads or writes the real index under var/.


@pytest.fixture(scope="session")
def embedding_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One cache per test session: the same texts are embedded once, not once per test.
    return tmp_path_factory.mktemp("embeddings")


@pytest.fixture
def engine(tmp_path: Path, embedding_cache_dir: Path) -> Iterator[Any]:
    """A search engine of its own under a temporary data directory (no background thread: tests
    call `engine.embed_pending()` when they want vectors)."""
    from kechuang.matching.engine import build_engine, set_engine
    from kechuang.text.embedding import EmbeddingCache

    built = build_engine(backend="embedded", data_dir=tmp_path, background=False)
    if built.cache is not None:  # share the session-wide embedding cache
        embedder = built.cache.embedder
        built.cache.close()
        built.cache = EmbeddingCache(embedding_cache_dir, embedder)
    previous = set_engine(built)
    yield built
    set_engine(previous)
    built.close()
