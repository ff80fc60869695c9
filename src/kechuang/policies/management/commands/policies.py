"""`kechuang policies check FILE.json [--year Y] [--format text|json]`
`kechuang policies simulate --year Y --set PATH=VALUE … [--synthetic N] [--format text|json]`
`kechuang policies parameters --year Y`
`kechuang policies proactive --year Y [--notify]`"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser


def _errors(exc: ValidationError) -> str:
    from kechuang.core.api_support import validation_error_fields

    lines = []
    for field, msgs in validation_error_fields(exc).items():
        for m in msgs:
            lines.append(f"{field}: {m['zh']} / {m['en']}")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Policy navigation: check an enterprise, simulate a rule change, run 免申即享."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        check = verbs.add_parser("check", help="Verdicts, reasons and benefits for the facts in FILE.json.")
        check.add_argument("file")
        check.add_argument(
            "--year", type=int, default=None, help="Fiscal year (default: the latest year in the file)."
        )
        check.add_argument("--format", choices=["text", "json"], default="text")
        sim = verbs.add_parser(
            "simulate", help="Eligible counts and fiscal cost before and after parameter changes."
        )
        sim.add_argument("--year", type=int, required=True)
        sim.add_argument(
            "--set",
            dest="changes",
            action="append",
            default=[],
            metavar="PATH=VALUE",
            help="e.g. hnte.rd_ratio.small_tier=0.04",
        )
        sim.add_argument(
            "--synthetic", type=int, default=0, help="Use N synthetic enterprises instead of the registry."
        )
        sim.add_argument("--format", choices=["text", "json"], default="text")
        params = verbs.add_parser(
            "parameters", help="The parameters a what-if may change, with values for a year."
        )
        params.add_argument("--year", type=int, required=True)
        run = verbs.add_parser("proactive", help="免申即享: the catalogue over the registry for a year.")
        run.add_argument("--year", type=int, required=True)
        run.add_argument("--notify", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"do_{options['verb']}")(**options)
        except ValidationError as exc:
            raise CommandError(_errors(exc)) from exc

    def do_check(self, file: str, year: int | None, format: str, **_: Any) -> None:
        from kechuang.policies.inputs import parse_document
        from kechuang.policies.navigator import check, grouped

        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"{file}: {exc}") from exc
        ent = parse_document(data)
        if year is None:
            if not ent.years:
                raise CommandError("No year in the file: pass --year.")
            year = max(ent.years)
        result = check(ent, year)
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{ent.name or file} · {year} · regime {_shown(result['regime']['code'])} · CIT {_shown(result['regime']['cit_payable'])}"
        )
        for group, policies in grouped(result).items():
            self.stdout.write(f"\n== {group} ({len(policies)})")
            for p in policies:
                amount = p["benefit"]["amount"]
                worth = f" — {'≤ ' if p['benefit']['is_ceiling'] else ''}{amount} yuan" if amount else ""
                self.stdout.write(f"{p['id']}: {p['name']['zh']} / {p['name']['en']}{worth}")
                for c in p["conditions"]:
                    test = (
                        f"{_shown(c['value'])} {c['op']} {_shown(c['threshold'])}"
                        if c["threshold"] is not None
                        else _shown(c["value"])
                    )
                    self.stdout.write(
                        f"   [{c['state']:>7}] {c['label']['zh']} / {c['label']['en']}: {test}  ({c['cite']} {c['tag']})"
                    )
                for m in p["near_miss"]:
                    self.stdout.write(f"   near miss: {m['zh']} / {m['en']}")
                if p["missing_facts"]:
                    self.stdout.write(f"   missing: {', '.join(p['missing_facts'])}")
                for r in p["review_steps"]:
                    self.stdout.write(f"   review: {r}")
                for u in p["unconfirmed"]:
                    self.stdout.write(f"   UNCONFIRMED: {u['en']}")

    def do_simulate(self, year: int, changes: list[str], synthetic: int, format: str, **_: Any) -> None:
        from kechuang.policies import queries
        from kechuang.policies.synthetic import population
        from kechuang.policies.whatif import compare, validate_changes

        raw: dict[str, Any] = {}
        for item in changes:
            if "=" not in item:
                raise CommandError(f"--set {item}: use PATH=VALUE")
            path, value = item.split("=", 1)
            raw[path.strip()] = value.strip()
        clean = validate_changes(raw, year)
        table = population(synthetic, year) if synthetic else queries.registry_table(year)
        result = compare(table, clean, by_group=format == "json")
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{year} · {table.size:,} enterprises · changes {clean or 'none'}")
        self.stdout.write(
            f"{'policy':32}{'eligible before':>16}{'after':>10}{'cost before (yuan)':>22}{'after':>20}"
        )
        for pid, row in result["policies"].items():
            b, a = row["before"], row["after"]
            self.stdout.write(
                f"{pid:32}{b['eligible']:>16,}{a['eligible']:>10,}{b['fiscal_cost']:>22,.2f}{a['fiscal_cost']:>20,.2f}"
            )

    def do_parameters(self, year: int, **_: Any) -> None:
        from kechuang.policies.whatif import editable_parameters

        for p in editable_parameters(year):
            self.stdout.write(f"{p.path} = {p.value:g}   {p.zh} / {p.en}   [{p.reference} {p.tag}]")

    def do_proactive(self, year: int, notify: bool, **_: Any) -> None:
        from kechuang.policies import services

        run = services.run_proactive(None, year)
        self.stdout.write(
            f"run {run.pk}: {run.enterprises} enterprises, {run.screened_out} screened out, {run.matches.count()} eligible pairs"
        )
        if notify:
            self.stdout.write(f"{services.notify_run(None, run)} enterprises notified")


def _shown(value: object) -> str:
    """A value for the text report: unknown as "?", whole numbers without ".0"."""
    if value is None:
        return "?"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
