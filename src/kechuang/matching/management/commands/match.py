"""`kechuang match "描述" [--kind supply|expert|demand] [--limit N] [--json] [constraints]`

Prints the ranked results with their explanations (matched terms, semantic band, constraints met and
missed). Results go through the marketplace layer: only items the database still lists as public
(published supplies, open demands, listed experts) are printed, with their current titles."""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kechuang.matching import indexing
from kechuang.matching.engine import CONSTRAINT_NAMES, KINDS, Constraints

_TAG_RE = re.compile(r"</?mark>")


def _money(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise CommandError(f"not an amount in yuan: {value!r}") from exc
    if amount < 0:
        raise CommandError("an amount cannot be negative")
    return amount


def _describe(result: indexing.MatchResult) -> str:
    obj = result.obj
    if result.kind == "supply":
        extra = [obj.get_kind_display(), str(obj.owner)] + ([f"TRL {obj.trl}"] if obj.trl else [])
    elif result.kind == "expert":
        extra = [str(obj.organisation or "")]
    else:
        extra = [str(obj.organisation)]
    return " · ".join(e for e in extra if e)


class Command(BaseCommand):
    help = "Match a free-text description against supplies, experts or demands and explain each result."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", help="the problem or technology, in Chinese or English")
        parser.add_argument("--kind", default="supply", choices=KINDS)
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--json", action="store_true", help="print one JSON array")
        parser.add_argument("--fields", default="", help="comma-separated tech-field codes, e.g. 1.2,6")
        parser.add_argument("--trl-min", type=int)
        parser.add_argument("--trl-max", type=int)
        parser.add_argument("--budget-max", help="yuan")
        parser.add_argument("--region", action="append", default=[], help="GB/T 2260 code (repeatable)")
        parser.add_argument(
            "--transfer-mode", action="append", default=[], help="transfer, licence, equity, co_develop"
        )
        parser.add_argument(
            "--hard", default="", help=f"comma-separated, from: {', '.join(CONSTRAINT_NAMES)}"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["limit"] <= 200:
            raise CommandError("--limit must be between 1 and 200")
        for name in ("trl_min", "trl_max"):
            if options[name] is not None and not 1 <= options[name] <= 9:
                raise CommandError(f"--{name.replace('_', '-')} must be between 1 and 9")
        try:
            constraints = Constraints(
                fields=[f.strip() for f in options["fields"].split(",") if f.strip()],
                trl_min=options["trl_min"],
                trl_max=options["trl_max"],
                budget_max=_money(options["budget_max"]),
                regions=options["region"],
                transfer_modes=options["transfer_mode"],
                hard={h.strip() for h in options["hard"].split(",") if h.strip()},
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        results = indexing.search(
            options["text"], kind=options["kind"], constraints=constraints, limit=options["limit"]
        )
        if options["json"]:
            rows = []
            for r in results:
                row = r.as_dict()
                row.update(
                    lexical_rank=r.hit.lexical_rank, dense_rank=r.hit.dense_rank,
                    dense_similarity=r.hit.dense_similarity, detail=_describe(r),
                )  # fmt: skip
                rows.append(row)
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        if not results:
            self.stdout.write(
                "no results" if indexing.clean_query(options["text"]) else "empty query: nothing to match"
            )
            return
        for rank, r in enumerate(results, start=1):
            hit = r.hit
            sim = f"{hit.dense_similarity:.3f}" if hit.dense_similarity is not None else "-"
            self.stdout.write(f"{rank:>2}. [{r.kind} {r.obj.pk}] {r.obj}  score {r.score:.2f}")
            self.stdout.write(f"    {_describe(r)}")
            self.stdout.write(
                f"    lexical rank {hit.lexical_rank or '-'}, semantic {hit.band} ({sim}),"
                f" matched: {', '.join(hit.matched_terms) or '-'}"
            )
            snippet = html.unescape(_TAG_RE.sub("", hit.highlights.get("text", "")))
            if snippet:
                self.stdout.write(f"    {snippet[:160]}")
            if hit.constraints_met or hit.constraints_missed or hit.constraints_unknown:
                self.stdout.write(
                    f"    met: {', '.join(hit.constraints_met) or '-'}; missed: {', '.join(hit.constraints_missed) or '-'};"
                    f" unknown: {', '.join(hit.constraints_unknown) or '-'}"
                )
