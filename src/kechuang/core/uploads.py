"""Temporary upload files under the data directory, one folder per serving process.

Django spools a large upload to a temporary file while the request runs and deletes it after; a
process killed mid-upload leaves it behind (in /tmp by default). Here each process writes under
settings.FILE_UPLOAD_TEMP_DIR/<host>-<pid>/, and `sweep()` (run when a server starts, reported by
`kechuang check`) removes the folders of processes of this host that no longer run. A live
process's folder is never touched, so one worker starting while another receives an upload is safe.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler

STRAY_AGE = 3600


def _host() -> str:
    return socket.gethostname().replace("-", "_") or "host"


def process_dir() -> Path:
    path = Path(settings.FILE_UPLOAD_TEMP_DIR) / f"{_host()}-{os.getpid()}"
    path.mkdir(parents=True, exist_ok=True)
    return path


class ProcessTemporaryUploadedFile(TemporaryUploadedFile):
    def __init__(self, name: str, content_type: str, size: int, charset: str | None,
                 content_type_extra: dict[str, Any] | None = None) -> None:  # fmt: skip
        _, ext = os.path.splitext(name)
        file = tempfile.NamedTemporaryFile(suffix=".upload" + ext, dir=process_dir())  # noqa: SIM115
        UploadedFile.__init__(self, file, name, content_type, size, charset, content_type_extra)


class ProcessTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super(TemporaryFileUploadHandler, self).new_file(*args, **kwargs)
        self.file = ProcessTemporaryUploadedFile(self.file_name or "upload", self.content_type or "",
                                                 0, self.charset, self.content_type_extra)  # fmt: skip


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def leftovers() -> list[Path]:
    """Upload folders of this host's processes that have ended, and stray files beside them."""
    root = Path(settings.FILE_UPLOAD_TEMP_DIR)
    if not root.is_dir():
        return []
    out = []
    prefix = _host() + "-"
    for child in sorted(root.iterdir()):
        if child.is_dir() and child.name.startswith(prefix):
            pid = child.name[len(prefix) :]
            if pid.isdigit() and not _alive(int(pid)):
                out.append(child)
        elif child.is_file() and ".upload" in child.name and time.time() - child.stat().st_mtime > STRAY_AGE:
            # Written by Django's own handler straight into FILE_UPLOAD_TEMP_DIR (no process
            # folder): removed only once nothing has written to it for an hour.
            out.append(child)
    return out


def leftover_bytes(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        total += sum(f.stat().st_size for f in files if f.exists())
    return total


def sweep() -> tuple[int, int]:
    """Remove what killed processes left; returns (files, bytes) removed."""
    paths = leftovers()
    size = leftover_bytes(paths)
    files = 0
    for path in paths:
        if path.is_dir():
            files += sum(1 for p in path.rglob("*") if p.is_file())
            shutil.rmtree(path, ignore_errors=True)
        else:
            files += 1
            path.unlink(missing_ok=True)
    return files, size
