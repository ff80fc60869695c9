"""`kechuang audit verify [--json]`: walk the audit log's hash chain (core/audit_chain.py) and name
every entry that was changed, deleted or inserted behind the application's back. Exit status 1
when the chain is broken. Print the head hash it reports somewhere else to anchor the chain."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kechuang.core.audit_chain import verify


class Command(BaseCommand):
    help = "Audit log: verify the hash chain (verify)."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        check = verbs.add_parser("verify", help="check every entry's hash and link; exit 1 when broken")
        check.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify()
        if options["json"]:
            self.stdout.write(json.dumps({
                "ok": verdict.ok, "entries": verdict.entries, "head_id": verdict.head_id, "head_hash": verdict.head_hash,
                "problems": [{"entry_id": p.entry_id, "kind": p.kind, "message": p.message} for p in verdict.problems],
            }, indent=2))  # fmt: skip
        else:
            for p in verdict.problems:
                self.stdout.write(self.style.ERROR(f"BROKEN  {p.message}"))
            state = "intact" if verdict.ok else f"BROKEN ({len(verdict.problems)} problems)"
            self.stdout.write(f"audit log: {verdict.entries} entries, chain {state}; "
                              f"head entry {verdict.head_id} hash {verdict.head_hash or '-'}")  # fmt: skip
        if not verdict.ok:
            raise SystemExit(1)
