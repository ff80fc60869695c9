"""`kechuang accounts locked` lists sign-in lockouts; `kechuang accounts unlock USERNAME [--ip ADDRESS]`
(or `--ip ADDRESS` alone) lifts one before its cool-off ends. Run by an operator: audited as the system."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kechuang.core import services
from kechuang.core.accounts import lockouts


class Command(BaseCommand):
    help = "Sign-in lockouts: list them (locked) or lift one (unlock USERNAME and/or --ip ADDRESS)."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        locked = verbs.add_parser("locked", help="list accounts and addresses locked out now")
        locked.add_argument("--all", action="store_true", help="also list failures below the limit")
        unlock = verbs.add_parser("unlock", help="clear the failed sign-ins of an account and/or an address")
        unlock.add_argument("username", nargs="?", default="")
        unlock.add_argument("--ip", default="", help="the address to unlock")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "locked":
            rows = lockouts(locked_only=not options["all"])
            for r in rows:
                state = "LOCKED" if r.locked else "counting"
                self.stdout.write(
                    f"{state:9}{r.username or '-':24}{r.ip_address or '-':40}{r.failures:4}  {r.last_attempt:%Y-%m-%d %H:%M:%S}"
                )
            if not rows:
                self.stdout.write("no lockouts")
            return
        try:
            cleared = services.unlock_sign_in(None, username=options["username"], ip_address=options["ip"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"cleared {cleared} failed sign-in records")
        if not cleared:
            raise CommandError("nothing to unlock: no failed sign-ins recorded for that account or address")
