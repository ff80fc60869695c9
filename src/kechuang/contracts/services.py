"""Every state change of technology contracts: filing, submission, review and registration.

Each function validates first, writes in one transaction and appends an audit entry. Review
decisions lock the contract row (select_for_update) and check that the caller still holds the review,
so two concurrent decisions can never both apply.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core import audit, events
from kechuang.core.identifiers import normalise_uscc, uscc_problem
from kechuang.core.models import Organisation, Region, TechField, User
from kechuang.core.permissions import belongs_to, is_staff

from .ipnumbers import lazy_format, normalise_patent_number, patent_number_problem
from .models import (
    SUBTYPES_OF,
    Contract,
    ContractType,
    IPItem,
    MarketTally,
    PaymentInstalment,
    RegistrationCounter,
    ReviewEvent,
    SellerKind,
    buyer_location_of,
    seller_kind_of,
)
from .rules import rules_in_force

log = logging.getLogger(__name__)

PDF_MAX_BYTES = 20 * 1024 * 1024
PDF_DIR = "contracts"
SCALAR_FIELDS = [
    "number", "title", "contract_type", "subtype", "seller_uscc", "seller_name", "seller_kind",
    "seller_region", "buyer_uscc", "buyer_name", "buyer_region", "signed_on", "starts_on", "ends_on",
    "total_amount", "tech_amount", "ancillary_amount", "ancillary_same_invoice",
]  # fmt: skip
PATENT_KINDS = {IPItem.Kind.PATENT, IPItem.Kind.PATENT_APPLICATION}


def pdf_root() -> Path:
    return Path(settings.DATA_DIR) / PDF_DIR


# ---------------------------------------------------------------------------------------------
# Parsing and validation. Every problem is collected per field, so a form or API client sees all
# of them at once, in both languages.


class _Errors:
    def __init__(self) -> None:
        self.by_field: dict[str, list[Any]] = {}

    def add(self, field: str, message: Any) -> None:
        self.by_field.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _date(value: Any, field: str, errors: _Errors) -> dt.date | None:
    if value in (None, ""):
        errors.add(field, _("This field is required."))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.add(field, _("Enter the date as YYYY-MM-DD."))
        return None


def _money(
    value: Any, field: str, errors: _Errors, required: bool = True, positive: bool = True
) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors.add(field, _("This field is required."))
        return None if required else Decimal("0")
    try:
        amount = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        errors.add(field, _("Enter an amount in yuan, for example 1200000.00."))
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        errors.add(field, _("Amounts are in yuan with at most two decimals."))
        return None
    if amount.copy_abs() >= Decimal("1e16"):
        errors.add(field, _("This amount is too large."))
        return None
    if positive and amount <= 0:
        errors.add(field, _("The amount must be greater than zero."))
        return None
    if amount < 0:
        errors.add(field, _("The amount cannot be negative."))
        return None
    return amount


def _region(value: Any, field: str, errors: _Errors) -> Region | None:
    if isinstance(value, Region):
        return value
    code = str(value or "").strip()
    if not code:
        errors.add(field, _("This field is required."))
        return None
    region = Region.objects.filter(pk=code).first()
    if region is None:
        errors.add(field, _("Unknown region code: use the six-digit GB/T 2260 code, for example 310115."))
    return region


def _clean_contract(data: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    """Turn raw input into model values; every problem goes to `errors`."""
    unknown = set(data) - set(SCALAR_FIELDS)
    for name in sorted(unknown):
        errors.add(name, _("Unknown field."))
    out: dict[str, Any] = {}
    for name in ("number", "title", "seller_name", "buyer_name"):
        out[name] = str(data.get(name) or "").strip()
    for name in ("number", "title"):
        if not out[name]:
            errors.add(name, _("This field is required."))

    ctype, subtype = data.get("contract_type") or "", data.get("subtype") or ""
    if ctype not in SUBTYPES_OF:
        errors.add("contract_type", _("Choose one of the technology contract types of the Civil Code."))
    elif subtype not in SUBTYPES_OF[ctype]:
        errors.add("subtype", _("This subtype does not belong to the contract type chosen."))
    out["contract_type"], out["subtype"] = ctype, subtype

    seller_uscc = normalise_uscc(data.get("seller_uscc") or "")
    problem = uscc_problem(seller_uscc)
    if problem:
        errors.add("seller_uscc", problem)
    out["seller_uscc"] = seller_uscc
    buyer_uscc = normalise_uscc(data.get("buyer_uscc") or "")
    out["buyer_uscc"] = buyer_uscc

    seller = Organisation.objects.filter(uscc=seller_uscc).first() if not problem else None
    out["seller"] = seller
    if seller is not None:
        # A registered organisation's own record wins over what was typed.
        out["seller_name"], out["seller_region"] = seller.name, seller.region
        out["seller_kind"] = seller_kind_of(seller.kind)
    else:
        kind = data.get("seller_kind") or ""
        if kind not in SellerKind.values:
            errors.add(
                "seller_kind",
                _("Choose the seller type: university, research institute, enterprise or other."),
            )
        out["seller_kind"] = kind
        out["seller_region"] = _region(data.get("seller_region"), "seller_region", errors)

    buyer = Organisation.objects.filter(uscc=buyer_uscc).first() if buyer_uscc else None
    out["buyer"] = buyer
    if buyer is not None:
        out["buyer_name"], out["buyer_region"] = buyer.name, buyer.region
    else:
        out["buyer_region"] = _region(data.get("buyer_region"), "buyer_region", errors)
    for name in ("seller_name", "buyer_name"):
        # A registered party's name comes from the registry; an unregistered one must be named.
        if not out[name]:
            errors.add(name, _("Give the name of a party that is not registered on the platform."))
    region = out.get("buyer_region")
    abroad = region is not None and region.pk == "990000"
    if buyer_uscc:
        problem = uscc_problem(buyer_uscc)
        if problem:
            errors.add("buyer_uscc", problem)
    elif region is not None and not abroad:
        errors.add("buyer_uscc", _("A buyer in China is identified by its unified social credit code."))
    out["buyer_location"] = buyer_location_of(region.pk if region else None)
    if seller_uscc and seller_uscc == buyer_uscc:
        errors.add("buyer_uscc", _("The buyer and the seller must be different parties."))

    for name in ("signed_on", "starts_on", "ends_on"):
        out[name] = _date(data.get(name), name, errors)
    if out["starts_on"] and out["ends_on"] and out["ends_on"] < out["starts_on"]:
        errors.add("ends_on", _("The end of the term is before its start."))

    out["total_amount"] = _money(data.get("total_amount"), "total_amount", errors)
    out["tech_amount"] = _money(data.get("tech_amount"), "tech_amount", errors)
    if (
        out["total_amount"] is not None
        and out["tech_amount"] is not None
        and out["tech_amount"] > out["total_amount"]
    ):
        errors.add("tech_amount", _("The technical transaction amount cannot exceed the total amount."))
    out["ancillary_amount"] = _money(
        data.get("ancillary_amount"), "ancillary_amount", errors, required=False, positive=False
    )
    if (
        out["ancillary_amount"] and out["tech_amount"] is not None and out["total_amount"] is not None
        and out["ancillary_amount"] + out["tech_amount"] > out["total_amount"]
    ):  # fmt: skip
        errors.add(
            "ancillary_amount", _("The technical and ancillary amounts together exceed the total amount.")
        )
    if out["ancillary_amount"] and ctype not in {
        ContractType.DEVELOPMENT,
        ContractType.TRANSFER,
        ContractType.LICENCE,
    }:
        errors.add(
            "ancillary_amount", _("Only development, transfer and licence contracts have ancillary lines.")
        )
    out["ancillary_same_invoice"] = bool(data.get("ancillary_same_invoice"))
    return out


def _clean_tech_fields(codes: Any, errors: _Errors) -> list[TechField]:
    codes = [str(c).strip() for c in (codes or []) if str(c).strip()]
    if not codes:
        errors.add("tech_fields", _("Choose at least one technology field."))
        return []
    found = {f.pk: f for f in TechField.objects.filter(pk__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        errors.add(
            "tech_fields", lazy_format(_("Unknown technology field: %(codes)s."), codes=", ".join(missing))
        )
    return [found[c] for c in codes if c in found]


def _clean_instalments(rows: Any, total: Decimal | None, errors: _Errors) -> list[PaymentInstalment]:
    out = []
    for i, row in enumerate(rows or [], start=1):
        sub = _Errors()
        due = _date(row.get("due_on"), "due_on", sub)
        amount = _money(row.get("amount"), "amount", sub)
        for field, messages in sub.by_field.items():
            for m in messages:
                errors.add(f"instalments.{i}.{field}", m)
        if due and amount is not None:
            out.append(PaymentInstalment(due_on=due, amount=amount, note=str(row.get("note") or "")[:200]))
    if total is not None and out and sum((p.amount for p in out), Decimal(0)) > total:
        errors.add("instalments", _("The payment schedule adds up to more than the total amount."))
    return out


def _clean_ip_items(rows: Any, errors: _Errors) -> list[IPItem]:
    out = []
    for i, row in enumerate(rows or [], start=1):
        kind, number, title = (
            row.get("kind") or "",
            str(row.get("number") or "").strip(),
            str(row.get("title") or "").strip(),
        )
        if kind not in IPItem.Kind.values:
            errors.add(f"ip_items.{i}.kind", _("Choose the kind of intellectual property."))
        if not title:
            errors.add(f"ip_items.{i}.title", _("This field is required."))
        if kind in PATENT_KINDS:
            problem = patent_number_problem(number)
            if problem:
                errors.add(f"ip_items.{i}.number", problem)
            number = normalise_patent_number(number)
        out.append(IPItem(kind=kind, number=number, title=title))
    return out


def _check_pdf(upload: UploadedFile, errors: _Errors) -> bytes | None:
    name = upload.name or ""
    if not name.lower().endswith(".pdf"):
        errors.add("pdf", _("The signed contract must be a PDF file."))
        return None
    if upload.size is None or upload.size == 0:
        errors.add("pdf", _("The file is empty."))
        return None
    if upload.size > PDF_MAX_BYTES:
        errors.add("pdf", _("The file is larger than 20 MB."))
        return None
    content = b"".join(upload.chunks())
    if not content.startswith(b"%PDF-"):
        errors.add("pdf", _("This file is not a PDF document."))
        return None
    return content


def _may_file(actor: User | None, values: dict[str, Any], organisation: Organisation) -> None:
    if actor is None or is_staff(actor):
        return
    if not belongs_to(actor, organisation):
        raise PermissionDenied("You may only file contracts for your own organisation.")


def contract_snapshot(contract: Contract) -> dict[str, Any]:
    data = audit.snapshot(contract)
    data["instalments"] = [
        {"due_on": p.due_on.isoformat(), "amount": str(p.amount), "note": p.note}
        for p in contract.instalments.all()
    ]
    data["ip_items"] = [
        {"kind": i.kind, "number": i.number, "title": i.title} for i in contract.ip_items.all()
    ]
    return data


def _pdf_path_for(contract: Contract, content: bytes) -> Path:
    return pdf_root() / str(contract.pk) / f"{hashlib.sha256(content).hexdigest()[:20]}.pdf"


def _store_pdf(contract: Contract, content: bytes, name: str) -> Path:
    digest = hashlib.sha256(content).hexdigest()
    path = _pdf_path_for(contract, content)
    rel = path.relative_to(Path(settings.DATA_DIR))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(content)
    tmp.replace(path)
    contract.pdf_path, contract.pdf_name = str(rel), Path(name).name[:200]
    contract.pdf_size, contract.pdf_sha256 = len(content), digest
    return path


def save_contract(
    actor: User | None, organisation: Organisation, data: dict[str, Any], **kwargs: Any
) -> Contract:
    """Create a draft (no `contract=`) or change a draft or returned contract.

    All or nothing: if any field, the upload or the file write fails, nothing is saved and no file is
    left behind. Repeating a create with the same client_key returns the contract made the first time.
    """
    written: list[Path] = []
    try:
        return _save_contract(actor, organisation, data, written=written, **kwargs)
    except BaseException:
        # The transaction rolled back: a file written for it must not outlive it.
        for path in written:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                log.warning("could not remove %s after a failed save", path)
        raise


@transaction.atomic
def _save_contract(
    actor: User | None,
    organisation: Organisation,
    data: dict[str, Any],
    *,
    contract: Contract | None = None,
    tech_fields: Any = None,
    instalments: Any = None,
    ip_items: Any = None,
    pdf: UploadedFile | None = None,
    client_key: str = "",
    match_lead_id: int | None = None,
    is_synthetic: bool = False,
    written: list[Path],
) -> Contract:
    if contract is None and client_key:
        existing = Contract.objects.filter(organisation=organisation, client_key=client_key).first()
        if existing is not None:
            if actor is not None and not is_staff(actor) and not belongs_to(actor, organisation):
                raise PermissionDenied
            return existing
    errors = _Errors()
    values = _clean_contract(data, errors)
    fields = _clean_tech_fields(tech_fields, errors)
    plan = _clean_instalments(instalments, values.get("total_amount"), errors)
    items = _clean_ip_items(ip_items, errors)
    content = _check_pdf(pdf, errors) if pdf is not None else None
    _may_file(actor, values, organisation)
    if organisation.uscc not in {values.get("seller_uscc"), values.get("buyer_uscc")} and not (
        actor is None or is_staff(actor)
    ):
        errors.add("seller_uscc", _("Your organisation must be the seller or the buyer of the contract."))
    if values.get("seller_uscc") and values.get("number"):
        dupes = Contract.objects.filter(seller_uscc=values["seller_uscc"], number=values["number"])
        if contract is not None:
            dupes = dupes.exclude(pk=contract.pk)
        if dupes.exists():
            errors.add("number", _("This seller already has a contract with this number."))
    errors.raise_if_any()

    before = None
    if contract is None:
        row = Contract(organisation=organisation, client_key=client_key, is_synthetic=is_synthetic)
    else:
        row = Contract.objects.select_for_update().get(pk=contract.pk)
        if not row.is_editable:
            raise ValidationError({"__all__": _("Only drafts and returned contracts can be changed.")})
        if actor is not None and not is_staff(actor) and not belongs_to(actor, row.organisation_id):
            raise PermissionDenied
        before = contract_snapshot(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.primary_field = fields[0] if fields[0].parent_id is None else fields[0].parent  # type: ignore[assignment]
    if match_lead_id is not None:
        row.match_lead_id = match_lead_id
    row.full_clean(
        exclude=["pdf_path", "primary_field", "seller_region", "buyer_region"], validate_constraints=False
    )
    row.save()
    row.tech_fields.set(fields)
    if instalments is not None or contract is None:
        row.instalments.all().delete()
        for p in plan:
            p.contract = row
        PaymentInstalment.objects.bulk_create(plan)
    if ip_items is not None or contract is None:
        row.ip_items.all().delete()
        for item in items:
            item.contract = row
        IPItem.objects.bulk_create(items)
    if content is not None and pdf is not None:
        old = row.pdf_path
        try:
            target = _pdf_path_for(row, content)
            if str(target.relative_to(Path(settings.DATA_DIR))) != old:
                written.append(target)
            _store_pdf(row, content, pdf.name or "contract.pdf")
        except OSError as exc:
            log.exception("could not store contract PDF")
            raise ValidationError(
                {"pdf": _("The file could not be stored; nothing was saved. Please try again.")}
            ) from exc
        transaction.on_commit(lambda: _remove_replaced(old, row.pdf_path))
        row.save(update_fields=["pdf_path", "pdf_name", "pdf_size", "pdf_sha256"])
    after = contract_snapshot(row)
    audit.record(
        actor, "contract.create" if before is None else "contract.update", row, before, after, organisation
    )
    return row


def _remove_replaced(old: str, new: str) -> None:
    if old and old != new:
        (Path(settings.DATA_DIR) / old).unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# Workflow: draft → submitted → under review → registered / returned / refused.


def _event(contract: Contract, actor: User | None, action: str, before: str, **extra: Any) -> ReviewEvent:
    return ReviewEvent.objects.create(
        contract=contract, actor=actor if actor is not None and actor.pk else None, action=action,
        from_status=before, to_status=contract.status, **extra,
    )  # fmt: skip


def _audit(actor: User | None, action: str, contract: Contract, before: dict[str, Any]) -> None:
    audit.record(actor, action, contract, before, audit.snapshot(contract), contract.organisation)


@transaction.atomic
def submit_contract(actor: User | None, contract: Contract) -> Contract:
    """Submit a draft, or resubmit a returned contract. Submitting again is a no-op (idempotent)."""
    row = Contract.objects.select_for_update().get(pk=contract.pk)
    if actor is not None and not is_staff(actor) and not belongs_to(actor, row.organisation_id):
        raise PermissionDenied("Only the filing organisation submits its contract.")
    if row.status in {Contract.Status.SUBMITTED, Contract.Status.UNDER_REVIEW, Contract.Status.REGISTERED}:
        return row
    if row.status == Contract.Status.REFUSED:
        raise ValidationError({"__all__": _("A refused contract cannot be submitted again.")})
    if not row.pdf_path:
        raise ValidationError({"pdf": _("Attach the signed contract (PDF) before submitting.")})
    if (
        not is_staff(actor)
        and row.status == Contract.Status.RETURNED
        and row.correction_due_on
        and timezone.localdate() > row.correction_due_on
    ):
        # Past the office's correction deadline only staff (the registration office) can accept it.
        raise ValidationError(
            {
                "__all__": lazy_format(
                    _("The correction deadline (%(day)s) has passed."), day=row.correction_due_on.isoformat()
                )
            }
        )
    before, old_status = audit.snapshot(row), row.status
    today = timezone.localdate()
    rules = rules_in_force(today)
    row.status = Contract.Status.SUBMITTED
    row.rules_code = rules.code
    row.submitted_at = timezone.now()
    row.review_due_on = today + dt.timedelta(days=rules.review_days)
    row.save()
    _event(row, actor, "resubmit" if old_status == Contract.Status.RETURNED else "submit", old_status,
           snapshot=contract_snapshot(row))  # fmt: skip
    _audit(actor, "contract.submit", row, before)
    return row


def _require_reviewer(actor: User | None) -> None:
    if actor is not None and not is_staff(actor):
        raise PermissionDenied("Only reviewers review technology contracts.")


@transaction.atomic
def claim_review(actor: User, contract: Contract) -> Contract:
    """Take a submitted contract for review. One reviewer at a time: if someone else holds it, say who."""
    _require_reviewer(actor)
    now = timezone.now()
    taken = Contract.objects.filter(pk=contract.pk, status=Contract.Status.SUBMITTED).update(
        status=Contract.Status.UNDER_REVIEW, reviewer=actor, review_started_at=now, updated_at=now
    )
    row = Contract.objects.select_for_update(of=("self",)).select_related("reviewer").get(pk=contract.pk)
    if not taken:
        if row.status == Contract.Status.UNDER_REVIEW and row.reviewer_id == actor.pk:
            return row
        if row.status == Contract.Status.UNDER_REVIEW:
            raise ValidationError(
                {
                    "__all__": lazy_format(
                        _("%(name)s is already reviewing this contract."),
                        name=row.reviewer.get_username() if row.reviewer else "?",
                    )
                }
            )
        raise ValidationError({"__all__": _("Only submitted contracts can be taken for review.")})
    _event(row, actor, "claim", Contract.Status.SUBMITTED)
    _audit(actor, "contract.claim", row, {"status": Contract.Status.SUBMITTED, "reviewer": None})
    return row


def _held(actor: User, contract: Contract) -> Contract:
    """Lock the row and check the actor still holds its review (a concurrent decision may have won)."""
    _require_reviewer(actor)
    row = Contract.objects.select_for_update().get(pk=contract.pk)
    if row.status != Contract.Status.UNDER_REVIEW:
        raise ValidationError(
            {"__all__": _("This contract is no longer under review: it was decided already.")}
        )
    if row.reviewer_id != actor.pk:
        raise ValidationError({"__all__": _("Another reviewer holds this contract.")})
    return row


@transaction.atomic
def release_review(actor: User, contract: Contract) -> Contract:
    row = _held(actor, contract)
    before = audit.snapshot(row)
    row.status, row.reviewer, row.review_started_at = Contract.Status.SUBMITTED, None, None
    row.save()
    _event(row, actor, "release", Contract.Status.UNDER_REVIEW)
    _audit(actor, "contract.release", row, before)
    return row


def _count_in_statistics(contract: Contract) -> None:
    """Add a newly registered contract to its tallies (same transaction as the registration)."""
    from .queries import tally_keys

    increments = {
        "contracts": F("contracts") + 1,
        "total_amount": F("total_amount") + contract.total_amount,
        "tech_amount": F("tech_amount") + contract.tech_amount,
    }
    for dimension, key in tally_keys(contract).items():
        where = {"year": contract.year, "dimension": dimension, "key": key}
        if MarketTally.objects.filter(**where).update(**increments):
            continue
        try:
            with transaction.atomic():
                MarketTally.objects.create(
                    **where, contracts=1, total_amount=contract.total_amount, tech_amount=contract.tech_amount
                )
        except IntegrityError:
            # Another registration created the tally meanwhile: add to it.
            MarketTally.objects.filter(**where).update(**increments)


def _next_registration_number(year: int) -> str:
    counter, _created = RegistrationCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save()
    # 31 = Shanghai; the serial is per registration year.
    return f"{year}31{counter.last:07d}"


@transaction.atomic
def register_contract(actor: User, contract: Contract, on: dt.date | None = None) -> Contract:
    row = _held(actor, contract)
    before = audit.snapshot(row)
    day = on or timezone.localdate()
    row.status = Contract.Status.REGISTERED
    row.registered_on, row.year, row.month = day, day.year, day.month
    row.registration_number = _next_registration_number(day.year)
    row.returned_reasons, row.correction_due_on = {}, None
    row.save()
    _count_in_statistics(row)
    _event(row, actor, "register", Contract.Status.UNDER_REVIEW, note=row.registration_number)
    _audit(actor, "contract.register", row, before)
    return row


@transaction.atomic
def return_contract(
    actor: User, contract: Contract, reasons: dict[str, str], correct_by: dt.date | None = None
) -> Contract:
    """Return for correction with a reason per field and a deadline (by default the rules' period)."""
    reasons = {k: str(v).strip() for k, v in (reasons or {}).items() if str(v or "").strip()}
    if not reasons:
        raise ValidationError({"reasons": _("Give at least one reason, naming the field to correct.")})
    allowed = set(SCALAR_FIELDS) | {"tech_fields", "instalments", "ip_items", "pdf", "__all__"}
    bad = sorted(set(reasons) - allowed)
    if bad:
        raise ValidationError({"reasons": lazy_format(_("Unknown field: %(names)s."), names=", ".join(bad))})
    row = _held(actor, contract)
    today = timezone.localdate()
    if correct_by is not None and correct_by <= today:
        raise ValidationError({"correct_by": _("The deadline must be in the future.")})
    before = audit.snapshot(row)
    rules = rules_in_force(today)
    row.status = Contract.Status.RETURNED
    row.returned_reasons = reasons
    row.correction_due_on = correct_by or today + dt.timedelta(days=rules.correction_days)
    row.reviewer, row.review_started_at = None, None
    row.save()
    _event(row, actor, "return", Contract.Status.UNDER_REVIEW, reasons=reasons)
    _audit(actor, "contract.return", row, before)
    return row


@transaction.atomic
def refuse_contract(actor: User, contract: Contract, reason: str) -> Contract:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the refusal.")})
    row = _held(actor, contract)
    before = audit.snapshot(row)
    row.status, row.refusal_reason = Contract.Status.REFUSED, reason
    row.save()
    _event(row, actor, "refuse", Contract.Status.UNDER_REVIEW, note=reason)
    _audit(actor, "contract.refuse", row, before)
    return row


@transaction.atomic
def link_match_lead(actor: User, contract: Contract, lead_id: int) -> Contract:
    """The contract was signed for a match lead: record it and close the lead as signed, so the
    marketplace funnel ends in a contract (and, once registered, in registered value).

    Announced inside this transaction (`core.events.signed_for_lead`): the app that keeps the leads
    (matching) checks that the actor is a side of the lead, closes it and is idempotent for the same
    contract; its refusal, or any refusal here after it, undoes both sides."""
    row = Contract.objects.select_for_update().get(pk=contract.pk)
    if not is_staff(actor) and not belongs_to(actor, row.organisation_id):
        raise PermissionDenied
    before = audit.snapshot(row)
    lead = events.signed_for_lead(actor, lead_id, row.number, row.total_amount)
    if lead is None:
        raise ValidationError({"lead_id": _("There is no match lead with this number.")})
    if row.match_lead_id and row.match_lead_id != lead.pk:
        raise ValidationError({"lead_id": _("This contract already closed another match lead.")})
    row.match_lead_id = lead.pk
    row.save(update_fields=["match_lead_id", "updated_at"])
    _audit(actor, "contract.link_lead", row, before)
    return row
