#!/usr/bin/env python
"""Translation catalogues, one per app (src/kechuang/<app>/locale) plus the project's own
(src/kechuang/locale, for templates/ and project modules).

Message ids are English. The `en` catalogue is filled automatically (msgstr = msgid); the
`zh_Hans` catalogue holds the Chinese.

    python scripts/messages.py update [UNIT ...]   extract strings, fill en, compile (.mo)
    python scripts/messages.py missing [UNIT ...]  list zh_Hans entries still untranslated or fuzzy
    python scripts/messages.py fill UNIT FILE.json set zh_Hans translations from {"msgid": "中文", …}

UNIT is an app label (core, matching, …) or `project`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "src" / "kechuang"
APPS = ["core", "text", "matching", "achievements", "policies", "contracts", "rights", "credit", "vouchers",
        "finance", "programmes", "indicators", "demo"]  # fmt: skip
LANGS = ["zh_Hans", "en"]


def unit_dir(unit: str) -> Path:
    return PKG if unit == "project" else PKG / unit


def catalogue(unit: str, lang: str) -> Path:
    return unit_dir(unit) / "locale" / lang / "LC_MESSAGES" / "django.po"


def has_sources(unit: str) -> bool:
    d = unit_dir(unit)
    return any(d.rglob("*.py")) or any(d.rglob("*.html"))


def makemessages(unit: str) -> None:
    d = unit_dir(unit)
    (d / "locale").mkdir(exist_ok=True)
    cmd = [sys.executable, "-m", "django", "makemessages", "--no-obsolete", "--no-location", "--no-wrap"]
    for lang in LANGS:
        cmd += ["-l", lang]
    # Not "locale/*": makemessages would then skip the app's own locale/ directory and write the
    # app's strings into the project catalogue (src/kechuang/locale) instead.
    ignores = ["tests/*", "migrations/*", "static/*"]
    if unit == "project":
        ignores += [f"{a}/*" for a in APPS] + ["testing/*"]
    for pattern in ignores:
        cmd += ["--ignore", pattern]
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="kechuang.settings")
    subprocess.run(cmd, cwd=d, check=True, env=env, stdout=subprocess.DEVNULL)


def fill_english(unit: str) -> None:
    path = catalogue(unit, "en")
    if not path.exists():
        return
    po = polib.pofile(str(path), wrapwidth=0)
    for entry in po:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
        # polib would otherwise write a lone "#| msgid_plural" that msgmerge cannot parse.
        entry.previous_msgid_plural = None
        entry.previous_msgctxt = None
    po.save()


def compile_all(unit: str) -> None:
    for lang in LANGS:
        path = catalogue(unit, lang)
        if path.exists():
            polib.pofile(str(path)).save_as_mofile(str(path.with_suffix(".mo")))


def missing(unit: str) -> list[polib.POEntry]:
    path = catalogue(unit, "zh_Hans")
    if not path.exists():
        return []
    po = polib.pofile(str(path))
    return [e for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


def fill(unit: str, mapping: dict[str, str | list[str]]) -> int:
    path = catalogue(unit, "zh_Hans")
    po = polib.pofile(str(path), wrapwidth=0)
    n = 0
    for entry in po:
        if entry.msgid in mapping:
            value = mapping[entry.msgid]
            if entry.msgid_plural:
                text = value[0] if isinstance(value, list) else value
                entry.msgstr_plural = {0: text}
            else:
                entry.msgstr = value if isinstance(value, str) else value[0]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            n += 1
    po.save()
    compile_all(unit)
    return n


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    if not argv:
        print(__doc__)
        return 2
    verb, rest = argv[0], argv[1:]
    if verb == "fill":
        unit, file = rest
        print(f"{fill(unit, json.loads(Path(file).read_text(encoding='utf-8')))} entries filled in {unit}")
        return 0
    units = rest or ["project", *APPS]
    if verb == "update":
        for unit in units:
            if has_sources(unit):
                makemessages(unit)
                fill_english(unit)
                compile_all(unit)
        return 0
    if verb == "missing":
        total = 0
        for unit in units:
            for e in missing(unit):
                total += 1
                print(f"{unit}\t{e.msgid!r}")
        print(f"{total} untranslated", file=sys.stderr)
        return 1 if total else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
