"""Run the web server and the task worker side by side: one command starts both and stops both.

Used by `kechuang serve` (gunicorn + worker) and `kechuang demo --serve` (Django's server + worker).
Each child runs in a session of its own, so a Ctrl-C in the terminal reaches this supervisor only;
it then asks every child to stop (SIGTERM), waits, and kills what is left. When one child exits by
itself, the others are stopped too and the exit status says so: a platform without its worker
(or without its web server) is not left half running. On Linux the children also get SIGTERM if
the supervisor itself is killed.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

PR_SET_PDEATHSIG = 1


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)


def kechuang_argv(*args: str) -> list[str]:
    """argv of a `kechuang …` command run with this interpreter."""
    return [sys.executable, "-m", "kechuang.cli", *args]


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:  # not Linux: the supervisor's own handlers still stop the children
        pass


def _say(out: Any, line: str) -> None:
    out.write(line + "\n")
    out.flush()


def supervise(children: Sequence[Child], grace: float = 30.0, out: Any = None) -> int:
    """Start the children, wait until a signal arrives or one of them exits, stop the rest."""
    out = out or sys.stdout
    stop: list[int] = []

    def on_signal(signum: int, _frame: Any) -> None:
        stop.append(signum)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    procs: list[tuple[Child, subprocess.Popen[bytes]]] = []
    status = 0
    try:
        for child in children:
            env = {**os.environ, **child.env}
            proc = subprocess.Popen(child.argv, env=env, start_new_session=True, preexec_fn=_die_with_parent)
            procs.append((child, proc))
            _say(out, f"started {child.name} (pid {proc.pid})")
        while not stop:
            ended = [(c, p) for c, p in procs if p.poll() is not None]
            if ended:
                child, proc = ended[0]
                status = proc.returncode or 1
                _say(out, f"{child.name} exited with status {proc.returncode}: stopping the others")
                break
            time.sleep(0.2)
    finally:
        for _child, proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for child, proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _say(out, f"{child.name} did not stop within {grace:g}s: killed")
                proc.kill()
                proc.wait()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return status
