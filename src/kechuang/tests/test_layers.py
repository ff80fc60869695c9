"""The layers (docs/architecture.md) are enforced by import-linter in `make test`. An upward import
hidden inside a function must break them as surely as one at the top of a module: checked here on a
copy of the source with such an import planted, beside an untouched copy that keeps them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PLANT = """

def _planted() -> None:
    from kechuang.matching import indexing  # achievements is below matching

    indexing.sync("supply", 1)
"""


def _copy(tmp: Path) -> Path:
    shutil.copytree(ROOT / "src" / "kechuang", tmp / "src" / "kechuang", ignore=shutil.ignore_patterns(
        "*.html", "*.po", "*.mo", "*.css", "*.js", "*.svg", "*.json", "*.csv", "*.yaml", "*.txt", "data", "static",
        "__pycache__",
    ))  # fmt: skip
    shutil.copy(ROOT / "pyproject.toml", tmp / "pyproject.toml")
    return tmp


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).parent / "lint-imports"
    env = dict(os.environ, PYTHONPATH=str(tree / "src"))  # the copy, not the installed package
    return subprocess.run([str(lint), "--no-cache", "--config", str(tree / "pyproject.toml")],
                          cwd=tree, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip


def test_an_upward_import_inside_a_function_breaks_the_layers(tmp_path: Path) -> None:
    clean = _lint(_copy(tmp_path / "clean"))
    assert clean.returncode == 0, clean.stdout + clean.stderr

    planted = _copy(tmp_path / "planted")
    with (planted / "src" / "kechuang" / "achievements" / "services.py").open("a") as f:
        f.write(PLANT)
    broken = _lint(planted)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    report = " ".join(broken.stdout.split())
    assert "Layers: each part of the project imports only the parts below it BROKEN" in report
    assert "kechuang.achievements.services -> kechuang.matching.indexing" in report
