"""`kechuang serve` for real on a loopback port: gunicorn serves a page, a static file (WhiteNoise,
hashed name, cached for good) and the API; its task worker runs a job started through the API;
one signal stops the web server and the worker together."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import urllib.error
import urllib.request
from typing import Any

import pytest

from kechuang.core.tests.site import fresh_site
from kechuang.core.tests.test_worker import FAST, stop, wait_for

pytestmark = pytest.mark.slow

MAKE_STAFF = """
from kechuang.core import services
from kechuang.core.models import User
user = services.create_user(None, "ops", "pw-12345678", User.Role.ANALYST, None)
print(services.issue_api_token(user, "serve test")[1])
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str, data: Any = None, token: str = "") -> tuple[int, dict[str, str], bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_serve_runs_the_site_its_static_files_api_and_worker(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with fresh_site(tmp_path, **FAST) as site:
        token = site.python(MAKE_STAFF).splitlines()[-1]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = site.start("serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2")
        output = ""
        try:

            def home() -> tuple[int, dict[str, str], bytes] | None:
                try:
                    return fetch(base + "/")
                except OSError:
                    assert server.poll() is None, "kechuang serve exited"
                    return None

            status, _headers, page = wait_for(home, 120, "the server did not answer")  # type: ignore[misc]
            assert status == 200 and "科创".encode() in page
            css = re.search(rb'href="(/static/kechuang/site\.[0-9a-f]{12}\.css)"', page)
            assert css, "the stylesheet is not served under a hashed name"
            status, headers, body = fetch(base + css.group(1).decode())
            assert status == 200 and b"--accent" in body
            assert "immutable" in headers.get("Cache-Control", "")  # WhiteNoise: cached for good

            status, _headers, body = fetch(base + "/api/v1/policies/catalogue")
            assert status == 200 and "hnte" in {p["id"] for p in json.loads(body)}

            status, _headers, body = fetch(base + "/api/v1/policies/proactive-runs", {"year": 2023}, token)
            assert status == 202, body
            job_url = base + json.loads(body)["url"]

            def finished() -> dict[str, Any] | None:
                job = json.loads(fetch(job_url, token=token)[2])
                return job if job["state"] in ("succeeded", "failed") else None

            job = wait_for(finished, 120, "the worker did not run the job")
            assert job["state"] == "succeeded", job  # type: ignore[index]
            status, _headers, body = fetch(base + job["result_url"])  # type: ignore[index]
            assert status == 200  # (the sign-in page: the run is staff-only)
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)  # the supervisor stops both children
            output = stop(server)
        pids = [int(p) for p in re.findall(r"\(pid (\d+)\)", output)]
        assert len(pids) == 2, output  # the web server and one task worker
        assert server.returncode == 0, output
        wait_for(lambda: not any(alive(p) for p in pids), 30, "a child outlived kechuang serve")
        with pytest.raises(OSError):
            fetch(base + "/")
