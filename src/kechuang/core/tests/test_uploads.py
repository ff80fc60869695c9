"""A server killed mid-upload (SIGKILL, a real process) leaves its temporary upload file under the
data directory, never /tmp; `kechuang check` reports it and the sweep a server runs at start-up
removes it, leaving the folders of live processes alone."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from kechuang.core import uploads


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server stopped"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def _wait_for(predicate, timeout: float = 30):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_a_server_killed_mid_upload_leaves_nothing_in_tmp_and_its_file_is_swept(
    tmp_path: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    port = _free_port()
    env = dict(os.environ, KECHUANG_DATA_DIR=str(data), KECHUANG_EMBED_IN_BACKGROUND="0")
    server = subprocess.Popen([sys.executable, "-m", "kechuang.cli", "runserver", "--noreload", f"127.0.0.1:{port}"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    upload_root = data / "tmp" / "uploads"
    try:
        _wait_for_port(port, server)
        boundary = "kechuangboundary"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n"
                "Content-Type: application/pdf\r\n\r\n").encode()  # fmt: skip
        declared = len(head) + 8_000_000
        client = socket.create_connection(("127.0.0.1", port))
        client.sendall((f"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {declared}\r\n"
                        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                        f"Cookie: csrftoken={'a' * 32}\r\n\r\n").encode() + head)  # fmt: skip
        client.sendall(b"%PDF" + b"x" * 3_000_000)  # more than fits in memory: spooled to a file
        folder = upload_root / f"{uploads._host()}-{server.pid}"
        spooled = _wait_for(lambda: [p for p in folder.glob("*.upload*") if p.stat().st_size > 2_000_000])
        assert spooled
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    client.close()
    assert spooled[0].exists()  # the killed process could not clean up after itself

    settings.FILE_UPLOAD_TEMP_DIR = upload_root
    mine = uploads.process_dir()  # this (live) process's folder: never swept
    assert mine.name == f"{uploads._host()}-{os.getpid()}"

    from kechuang.core.management.commands.sanitycheck import check_upload_leftovers

    finding = check_upload_leftovers()
    assert finding.level == "warning" and str(upload_root) in finding.render()
    assert uploads.leftovers() == [folder]
    files, size = uploads.sweep()  # what a serving process runs when it starts (kechuang.startup)
    assert files == 1 and size > 2_000_000
    assert not folder.exists() and mine.exists()
    assert check_upload_leftovers().level == "ok"


def test_uploads_spool_under_the_data_directory(client, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadhandler import load_handler
    from django.test import RequestFactory

    settings.FILE_UPLOAD_TEMP_DIR = tmp_path
    request = RequestFactory().post("/")
    handler = load_handler("kechuang.core.uploads.ProcessTemporaryFileUploadHandler", request)
    handler.new_file("file", "report.xlsx", "application/octet-stream", 10)
    assert Path(handler.file.temporary_file_path()).parent == tmp_path / f"{uploads._host()}-{os.getpid()}"
    handler.file.close()
