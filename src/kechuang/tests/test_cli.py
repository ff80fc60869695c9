"""The project's own command line (kechuang.cli); the verbs themselves are tested in each app."""

from __future__ import annotations


def test_the_cli_aliases(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`kechuang import|export|check` reach import_data|export_data|sanitycheck; Django's own check
    stays reachable. (Only the argument mapping is replaced here: running the command in-process
    would close the test database connection; core/tests/test_cli.py runs the commands for real.)"""
    import django.core.management

    from kechuang.cli import main

    seen: list[list[str]] = []
    monkeypatch.setattr(django.core.management, "execute_from_command_line", seen.append)
    for verb in ("import", "export", "check", "django-check", "migrate"):
        main(["kechuang", verb, "x"])
    assert [argv[1] for argv in seen] == ["import_data", "export_data", "sanitycheck", "check", "migrate"]
