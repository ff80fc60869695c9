"""Chinese first, English throughout: every catalogue complete and current, and the switch works.

The catalogues are per app (src/kechuang/<app>/locale) plus the project's own (src/kechuang/locale);
message ids are English. See scripts/messages.py for how they are made.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from tests.conftest import client_for, in_english

PKG = Path(__file__).resolve().parents[2]  # src/kechuang
CATALOGUES = sorted(PKG.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))
SOURCE_SUFFIXES = {".py", ".html", ".txt"}


def _messages_script():  # type: ignore[no-untyped-def]
    """scripts/messages.py, so the test extracts exactly as the tool does (same ignores)."""
    path = PKG.parents[1] / "scripts" / "messages.py"
    spec = importlib.util.spec_from_file_location("kechuang_messages_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _unit_of(po_path: Path) -> str:
    unit_dir = po_path.parents[3]
    return "project" if unit_dir == PKG else unit_dir.name


def _ids(po: polib.POFile) -> set[tuple[str | None, str]]:
    return {(e.msgctxt, e.msgid) for e in po if not e.obsolete and e.msgid}


def test_there_are_catalogues_for_the_project_and_core() -> None:
    units = {_unit_of(p) for p in CATALOGUES}
    assert {"project", "core"} <= units


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_unit_of)
def test_chinese_catalogue_has_no_untranslated_or_fuzzy_entry(po_path: Path) -> None:
    po = polib.pofile(str(po_path))
    bad = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert not bad, f"{po_path}: untranslated or fuzzy (run scripts/messages.py fill): {bad[:10]}"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_unit_of)
def test_english_catalogue_is_complete_and_matches_the_chinese_one(po_path: Path) -> None:
    en_path = po_path.parents[2] / "en" / "LC_MESSAGES" / "django.po"
    assert en_path.exists(), f"{en_path} is missing (run scripts/messages.py update {_unit_of(po_path)})"
    en, zh = polib.pofile(str(en_path)), polib.pofile(str(po_path))
    assert _ids(en) == _ids(zh), "the en and zh_Hans catalogues list different messages"
    bad = [e.msgid for e in en if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert not bad, f"{en_path}: incomplete: {bad[:10]}"


def _copy_sources(src: Path, dst: Path) -> None:
    """Copy only what makemessages reads (and the catalogues), not data files or indexes."""
    for path in src.rglob("*"):
        rel = path.relative_to(src)
        if "__pycache__" in rel.parts or "node_modules" in rel.parts:
            continue
        is_catalogue = "locale" in rel.parts and path.suffix == ".po"
        if path.is_file() and (path.suffix in SOURCE_SUFFIXES or is_catalogue):
            target = dst / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_unit_of)
def test_catalogue_is_current_with_the_source(po_path: Path, tmp_path: Path) -> None:
    """Extracting again into a copy would add nothing that the committed catalogue lacks."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is missing: run `make setup-dev` (it installs the gettext package).")
    script = _messages_script()
    unit = _unit_of(po_path)
    unit_dir = po_path.parents[3]
    copy = tmp_path / "unit"
    _copy_sources(unit_dir, copy)
    ignores = ["tests/*", "migrations/*", "static/*"]
    if unit == "project":
        ignores += [f"{a}/*" for a in script.APPS] + ["testing/*"]
    committed = _ids(polib.pofile(str(po_path)))
    cwd = os.getcwd()
    try:
        os.chdir(copy)
        # No LOCALE_PATHS: every string must land in the copy's own locale dir, never in the repo.
        with override_settings(LOCALE_PATHS=[]):
            call_command("makemessages", locale=["zh_Hans"], ignore_patterns=ignores, no_obsolete=True,
                         no_location=True, no_wrap=True, verbosity=0)  # fmt: skip
    finally:
        os.chdir(cwd)
    extracted = _ids(polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")))
    new = sorted(m for _ctx, m in extracted - committed)
    assert not new, (
        f"the {unit} catalogue is out of date; run `{Path(sys.executable).name} scripts/messages.py update {unit}` "
        f"and fill the Chinese: {new[:10]}"
    )


@pytest.mark.django_db
def test_pages_are_chinese_by_default_and_english_after_the_switch() -> None:
    client = client_for(None)
    home = client.get(reverse("core:home")).content.decode()
    assert '<html lang="zh-Hans">' in home
    assert "科创：科技创新服务平台" in home and "登录" in home
    switched = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("core:organisation_list")}
    )
    assert switched.status_code == 302 and switched["Location"] == reverse("core:organisation_list")
    english = client.get(reverse("core:organisation_list")).content.decode()
    assert '<html lang="en">' in english
    assert "Organisations" in english and "Sign in" in english and "机构" not in english
    back = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert back.status_code == 302
    assert "科创：科技创新服务平台" in client.get("/").content.decode()


@pytest.mark.django_db
def test_model_choices_and_validation_messages_follow_the_language(enterprise_user, own_org) -> None:  # type: ignore[no-untyped-def]
    client = client_for(enterprise_user)
    url = reverse("core:organisation_detail", args=[own_org.pk])
    assert "企业" in client.get(url).content.decode()
    assert "Enterprise" in in_english(client).get(url).content.decode()
