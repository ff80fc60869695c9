"""Demo step `contracts`: registered technology contracts of 2021 and 2022, plus a few in review, and
the research-results rights that rest on them (empowerment pilot, exchange listings, valuations).

Calibrated to the 2022 overview: 38,265 registered contracts worth 4,003.51 亿元 in 2022, +45.0% over
2021 (so 2021 is 2,761.25 亿元). The 2021 count, and every split by type, field, district, seller type,
buyer location and month, are synthetic draws (no published breakdown in the shared reference).
Sellers are the Shanghai organisations of the `core` step; contracts are marked synthetic.

Rights (also synthetic rows calibrated to the overview): the empowerment pilot has 6 units, 153 results
("150 余项") and later transfers worth exactly 1.5 亿元; the exchange has 1,953 results listed and deals
worth exactly 101.31 亿元 (the share of listings that closed, 85%, is an assumption).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from kechuang.contracts.models import (
    Contract,
    IPItem,
    RegistrationCounter,
    ReviewEvent,
    buyer_location_of,
    seller_kind_of,
)
from kechuang.core.identifiers import make_uscc
from kechuang.core.models import Organisation, Region, TechField

from .context import DemoContext

VERSION = 4
DEPENDS = ["core", "accounts"]

# (year, contracts, amount in fen). 2022 from the overview; 2021 amount from the +45.0% growth.
YEARS: list[tuple[int, int, int]] = [
    (2021, 36_962, 276_125_000_000_00),
    (2022, 38_265, 400_351_000_000_00),
]
TYPE_WEIGHTS = {"development": 0.30, "transfer": 0.07, "licence": 0.04, "consulting": 0.04, "service": 0.55}
SUBTYPES = {
    "development": ["dev_commissioned", "dev_cooperative"],
    "transfer": ["transfer_patent", "transfer_application", "transfer_know_how", "transfer_other"],
    "licence": ["licence_patent", "licence_know_how"],
    "consulting": ["consulting"],
    "service": ["service", "service", "service", "service_intermediary", "service_training"],
}
# Larger contracts in development and transfer: the amount weight of a row is multiplied by these.
TYPE_SIZE = {"development": 1.6, "transfer": 2.2, "licence": 1.5, "consulting": 0.4, "service": 0.8}
FIELD_WEIGHTS = {"1": 0.34, "2": 0.16, "3": 0.05, "4": 0.12, "5": 0.06, "6": 0.04, "7": 0.05, "8": 0.18}
SELLER_WEIGHTS = {"enterprise": 0.86, "university": 0.07, "institute": 0.05, "other": 0.02}
BUYER_WEIGHTS = {"shanghai": 0.46, "yrd": 0.19, "china": 0.31, "abroad": 0.04}
# December is the busiest registration month; February the quietest.
MONTH_WEIGHTS = [0.06, 0.05, 0.08, 0.08, 0.08, 0.09, 0.08, 0.08, 0.09, 0.08, 0.09, 0.14]
MIN_AMOUNT_FEN = 5_000_00
PDF = b"%PDF-1.4\n% Kechuang demo: a stand-in for a signed contract\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def split_exactly(rng: random.Random, total: int, weights: list[float], minimum: int) -> list[int]:
    """Integers ≥ minimum in proportion to weights, summing exactly to total."""
    n = len(weights)
    spare = total - n * minimum
    if spare < 0:
        raise ValueError("total too small for the minimum")
    wsum = sum(weights)
    parts = [minimum + int(spare * w / wsum) for w in weights]
    parts[max(range(n), key=lambda i: weights[i])] += total - sum(parts)
    return parts


def _sellers_by_kind(rng: random.Random) -> dict[str, list[Organisation]]:
    out: dict[str, list[Organisation]] = {k: [] for k in SELLER_WEIGHTS}
    for org in (
        Organisation.objects.filter(region__code__startswith="31")
        .exclude(region_id="310000")
        .only("id", "uscc", "name", "kind", "region_id")
    ):
        out[seller_kind_of(org.kind)].append(org)
    return out


def _fallback_org(rng: random.Random, kind: str, districts: list[str], i: int) -> Organisation:
    """A synthetic unregistered seller when the registry has none of a kind (small test runs)."""
    prefix = {"university": "12", "institute": "12", "enterprise": "91", "other": "52"}[kind]
    district = rng.choice(districts)
    uscc = make_uscc(f"{prefix}{district}{90000000 + i:09d}")
    return Organisation(uscc=uscc, name=f"演示{kind}{i}", kind=kind if kind != "other" else "service_provider",
                        region_id=district)  # fmt: skip


def load(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.random
    districts = list(
        Region.objects.filter(code__startswith="31").exclude(code="310000").values_list("code", flat=True)
    )
    district_weights = {
        "310115": 5,
        "310112": 3,
        "310104": 3,
        "310110": 2.5,
        "310114": 2,
        "310117": 2,
        "310105": 1.5,
    }
    buyer_regions: dict[str, list[str]] = {
        "shanghai": districts,
        "yrd": [],
        "china": [],
        "abroad": ["990000"],
    }
    for code in Region.objects.exclude(code__startswith="31").values_list("code", flat=True):
        loc = buyer_location_of(code)
        if loc in ("yrd", "china"):
            buyer_regions[loc].append(code)
    sellers = _sellers_by_kind(rng)
    buyers = list(Organisation.objects.only("id", "uscc", "name", "region_id")[:5000])
    buyers_by_loc: dict[str, list[Organisation]] = {k: [] for k in BUYER_WEIGHTS}
    for b in buyers:
        buyers_by_loc[buyer_location_of(b.region_id)].append(b)
    fields_of: dict[str, list[str]] = {}
    for f in TechField.objects.exclude(parent=None).values_list("code", "parent_id"):
        fields_of.setdefault(f[1], []).append(f[0])
    organisation_for_filing = ctx.accounts.get("enterprise")
    filer_org = organisation_for_filing.organisation if organisation_for_filing else None

    # Contracts of sellers not on the platform are filed by the buyer; the demo files them under the
    # showcase enterprise (or any organisation in tiny runs).
    any_org = Organisation.objects.order_by("pk").values_list("pk", flat=True).first()
    default_filer_id: int = filer_org.pk if filer_org else (any_org or 0)
    counts: dict[str, int] = {"contracts": 0}
    now = timezone.now()
    fallback_i = 0
    for year, n_full, fen_full in YEARS:
        n = ctx.scaled(n_full, minimum=50)
        # Scaled runs keep the growth rate: amounts scale with ctx.scale, not with the rounded count.
        fen = fen_full if ctx.scale >= 1.0 else int(fen_full * ctx.scale)
        rows = []
        weights = []
        for _i in range(n):
            ctype = _pick(rng, TYPE_WEIGHTS)
            rows.append(ctype)
            weights.append(math.exp(rng.gauss(0, 1.6)) * TYPE_SIZE[ctype])
        amounts = split_exactly(rng, fen, weights, MIN_AMOUNT_FEN)
        objs = []
        seq = 0
        for i, (ctype, amount_fen) in enumerate(zip(rows, amounts, strict=True)):
            kind = _pick(rng, SELLER_WEIGHTS)
            pool = sellers[kind]
            if pool:
                seller = rng.choice(pool)
                seller_fk: Organisation | None = seller
            else:
                fallback_i += 1
                seller, seller_fk = _fallback_org(rng, kind, districts, fallback_i), None
            loc = _pick(rng, BUYER_WEIGHTS)
            buyer_pool = [b for b in buyers_by_loc[loc][:200] if b.uscc != seller.uscc]
            buyer = rng.choice(buyer_pool) if buyer_pool and rng.random() < 0.5 else None
            region = buyer.region_id if buyer else rng.choice(buyer_regions[loc] or ["990000"])
            month = rng.choices(range(1, 13), weights=MONTH_WEIGHTS)[0]
            registered_on = dt.date(year, month, rng.randint(1, 28))
            signed_on = registered_on - dt.timedelta(days=rng.randint(5, 60))
            total = Decimal(amount_fen) / 100
            tech = (total * Decimal(rng.uniform(0.6, 1.0))).quantize(Decimal("0.01"))
            domain = _pick(rng, FIELD_WEIGHTS)
            seq += 1
            seller_region = seller.region_id if seller.region_id in districts else rng.choices(
                list(district_weights), weights=list(district_weights.values()))[0]  # fmt: skip
            objs.append(Contract(
                organisation_id=seller_fk.pk if seller_fk else default_filer_id,
                number=f"DEMO-{year}-{i + 1:06d}", title=f"{domain}-{ctype}-{i + 1}",
                contract_type=ctype, subtype=rng.choice(SUBTYPES[ctype]),
                seller_uscc=seller.uscc, seller_name=seller.name, seller=seller_fk, seller_kind=kind,
                seller_region_id=seller_region,
                buyer_uscc=buyer.uscc if buyer else ("" if loc == "abroad" else make_uscc(f"91{region}{700000000 + i:09d}")),
                buyer_name=buyer.name if buyer else ("Overseas buyer" if loc == "abroad" else f"买方企业{year}{i}"),
                buyer=buyer, buyer_region_id=region, buyer_location=loc,
                signed_on=signed_on, starts_on=signed_on, ends_on=signed_on + dt.timedelta(days=365 * rng.randint(1, 6)),
                total_amount=total, tech_amount=tech, primary_field_id=domain,
                status=Contract.Status.REGISTERED, rules_code="2000",
                submitted_at=timezone.make_aware(dt.datetime.combine(signed_on + dt.timedelta(days=3), dt.time(10))),
                registration_number=f"{year}31{seq:07d}", registered_on=registered_on, year=year, month=month,
                is_synthetic=True,
            ))  # fmt: skip
        # Plain rows through executemany: bulk_create's per-value SQL compilation was most of the step.
        columns = [f.attname for f in Contract._meta.concrete_fields if not f.primary_key
                   and f.attname not in {"created_at", "updated_at"}]  # fmt: skip
        ctx.insert_rows(Contract, ({c: getattr(o, c) for c in columns} for o in objs), total=len(objs),
                        desc=f"contracts {year}")  # fmt: skip
        created = list(
            Contract.objects.filter(year=year, is_synthetic=True, number__startswith=f"DEMO-{year}-")
            .order_by("pk").values_list("pk", "primary_field_id")
        )  # fmt: skip
        through = Contract.tech_fields.through
        ctx.insert_rows(through, (
            {"contract_id": pk, "techfield_id": rng.choice(fields_of.get(domain, [domain]))} for pk, domain in created
        ), total=len(created), desc="contract fields")  # fmt: skip
        RegistrationCounter.objects.update_or_create(year=year, defaults={"last": seq})
        counts["contracts"] += len(created)
    from kechuang.contracts.queries import rebuild_statistics

    counts["market_tallies"] = rebuild_statistics()
    counts["in_review"] = _in_review(ctx, filer_org, now)
    counts.update(_rights(ctx))
    return counts


def _in_review(ctx: DemoContext, org: Organisation | None, now: dt.datetime) -> int:
    """A few of the showcase enterprise's own contracts at each stage, so the queue has work."""
    if org is None:
        return 0
    stages = [Contract.Status.DRAFT, Contract.Status.SUBMITTED, Contract.Status.SUBMITTED, Contract.Status.SUBMITTED,
              Contract.Status.RETURNED]  # fmt: skip
    made = 0
    for i, status in enumerate(stages, start=1):
        signed = now.date() - dt.timedelta(days=10 + i)
        c = Contract.objects.create(
            organisation=org, number=f"DEMO-FILED-{i:03d}", title=f"演示在审技术合同 {i}",
            contract_type="transfer", subtype="transfer_patent", seller_uscc=org.uscc, seller_name=org.name,
            seller=org, seller_kind=seller_kind_of(org.kind), seller_region_id=org.region_id,
            buyer_uscc=make_uscc(f"91320500{800000000 + i:09d}"), buyer_name=f"苏州演示买方{i}有限公司",
            buyer_region_id="320500", buyer_location="yrd", signed_on=signed, starts_on=signed,
            ends_on=signed + dt.timedelta(days=365 * 5), total_amount=Decimal(1_000_000 * i),
            tech_amount=Decimal(900_000 * i), primary_field_id="1", status=status, rules_code="2026",
            submitted_at=now - dt.timedelta(days=i) if status != Contract.Status.DRAFT else None,
            returned_reasons={"tech_amount": "技术交易额与合同第5条不一致"} if status == Contract.Status.RETURNED else {},
            is_synthetic=True,
        )  # fmt: skip
        c.tech_fields.set(TechField.objects.filter(pk="1.2"))
        IPItem.objects.create(contract=c, kind="patent", number="ZL201710601862.3", title="一种演示传感器")
        path = Path(settings.DATA_DIR) / "contracts" / str(c.pk) / "demo.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PDF)
        Contract.objects.filter(pk=c.pk).update(pdf_path=str(path.relative_to(settings.DATA_DIR)), pdf_name="demo.pdf",
                                                pdf_size=len(PDF))  # fmt: skip
        if status != Contract.Status.DRAFT:
            ReviewEvent.objects.create(
                contract=c, action="submit", from_status="draft", to_status="submitted"
            )
        made += 1
    return made


PILOT_UNITS = 6
PILOT_RESULTS = 153
PILOT_TRANSFER_FEN = 150_000_000_00
LISTED = 1_953
DEAL_FEN = 10_131_000_000_00
DEAL_SHARE = 0.85


def _rights(ctx: DemoContext) -> dict[str, int]:
    from kechuang.rights import services as rights_services
    from kechuang.rights.models import EmpowermentTransfer, ExchangeListing, RightsEmpowerment

    rng = ctx.random
    institution = ctx.accounts.get("institution")
    pilot_units = Organisation.objects.filter(
        kind__in=["university", "institute"], region__code__startswith="31"
    )
    own = institution.organisation if institution is not None and institution.organisation_id else None
    if own is not None:
        pilot_units = pilot_units.exclude(pk=own.pk)
    units = list(pilot_units.order_by("pk")[: PILOT_UNITS - (1 if own else 0)])
    if own is not None:
        units.insert(0, own)
    if not units:
        return {}
    n_results = ctx.scaled(PILOT_RESULTS, minimum=len(units))
    empowerments = []
    for i in range(n_results):
        unit = units[i % len(units)]
        ownership = rng.random() < 0.7
        empowerments.append(RightsEmpowerment(
            pilot_unit=unit, result_title=f"职务科技成果 {i + 1}（{unit.name}）",
            grant="ownership" if ownership else "long_term_use",
            ownership_share=Decimal(rng.choice([50, 60, 70, 80, 90])) if ownership else None,
            use_term_years=None if ownership else rng.choice([10, 15, 20]),
            granted_on=dt.date(2022, 1, 1) + dt.timedelta(days=rng.randint(0, 300)),
            inventor_names="、".join(f"发明人{rng.randint(1, 999)}" for _ in range(rng.randint(1, 3))),
            is_synthetic=True,
        ))  # fmt: skip
    empowerments = RightsEmpowerment.objects.bulk_create(empowerments)
    transferred = empowerments[: max(1, round(len(empowerments) * 0.6))]
    fen = PILOT_TRANSFER_FEN if ctx.scale >= 1.0 else int(PILOT_TRANSFER_FEN * ctx.scale)
    amounts = split_exactly(rng, fen, [math.exp(rng.gauss(0, 1.2)) for _ in transferred], 10_000_00)
    EmpowermentTransfer.objects.bulk_create(
        EmpowermentTransfer(empowerment=e, transferred_on=e.granted_on + dt.timedelta(days=rng.randint(30, 60)),
                            amount=Decimal(a) / 100, transferee=f"受让企业{i + 1}", is_synthetic=True)
        for i, (e, a) in enumerate(zip(transferred, amounts, strict=True))
    )  # fmt: skip

    n_listed = ctx.scaled(LISTED, minimum=10)
    owners = list(Organisation.objects.filter(kind__in=["university", "institute", "enterprise"],
                                              region__code__startswith="31").order_by("pk")[:300])  # fmt: skip
    listings = []
    for i in range(n_listed):
        listed_on = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randint(0, 330))
        listings.append(ExchangeListing(
            organisation=rng.choice(owners), result_title=f"进场科技成果 {i + 1}", listed_on=listed_on,
            is_synthetic=True,
        ))  # fmt: skip
    dealt = listings[: round(len(listings) * DEAL_SHARE)]
    fen = DEAL_FEN if ctx.scale >= 1.0 else int(DEAL_FEN * ctx.scale)
    deal_amounts = split_exactly(rng, fen, [math.exp(rng.gauss(0, 1.5)) for _ in dealt], 20_000_00)
    for listing, a in zip(dealt, deal_amounts, strict=True):
        listing.deal_value = Decimal(a) / 100
        listing.asking_price = (listing.deal_value * Decimal("1.1")).quantize(Decimal("0.01"))
        listing.deal_on = listing.listed_on + dt.timedelta(days=rng.randint(10, 30))
    ExchangeListing.objects.bulk_create(listings)

    made = 0
    if institution is not None and institution.organisation is not None:
        # Worked examples for the institution account: the market approach reads the registry above.
        for field, ctype in (("1", "transfer"), ("4", "licence")):
            try:
                rights_services.value_result(
                None, institution.organisation, valued_on=dt.date(2022, 12, 31),
                result_title=f"演示估值成果（领域 {field}）", revenue_forecast=["3000000", "5000000", "6000000"],
                royalty_rate="0.05", discount_rate="0.10", economic_life_years=6, replacement_cost="800000",
                obsolescence_rate="0.2", field_code=field, contract_type=ctype, is_synthetic=True,
            )  # fmt: skip
            except ValidationError:
                continue  # tiny runs may have no comparable contract of this field and type
            made += 1
    return {"empowerments": len(empowerments), "empowerment_transfers": len(transferred),
            "exchange_listings": len(listings), "valuations": made}  # fmt: skip


def unload(ctx: DemoContext) -> None:
    from kechuang.rights.models import ExchangeListing, RightsEmpowerment, ValuationWorksheet

    ExchangeListing.objects.filter(is_synthetic=True).delete()
    ValuationWorksheet.objects.filter(is_synthetic=True).delete()
    RightsEmpowerment.objects.filter(is_synthetic=True).delete()
    Contract.objects.filter(is_synthetic=True).delete()
    from kechuang.contracts.queries import rebuild_statistics

    rebuild_statistics()
    RegistrationCounter.objects.filter(year__in=[y for y, _n, _a in YEARS]).delete()


def summary() -> dict[int, Any]:
    from kechuang.contracts import queries

    return {y: queries.year_summary(y).as_dict() for y, _n, _a in YEARS}
