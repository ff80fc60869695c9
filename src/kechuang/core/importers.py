"""`kechuang import <kind> FILE`: registries from CSV, JSON Lines or XLSX, all or nothing.

Every row goes through services.py (validated, permission-checked, audited), inside one
transaction. By default one bad row means nothing is kept, and the report names every bad row by
line number and column, in Chinese or English. `partial=True` keeps the good rows; `dry_run=True`
keeps nothing but reports everything.

Rows are matched to what is already registered, so importing the same file twice changes nothing:
organisations by credit code, facts by credit code + year, people by ORCID iD or else by name +
current organisation, carriers by name + region, users by username.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import services
from .identifiers import normalise_orcid, normalise_uscc
from .models import (
    Affiliation,
    AuditEntry,
    Carrier,
    EnterpriseFacts,
    Industry,
    Organisation,
    Person,
    Region,
    TechField,
    User,
)
from .tabular import TableError, guess_format, read_rows

ROW = "__row__"  # errors that belong to the whole row rather than one column
SKIP = object()  # an empty cell of a field that has a default: leave the field alone


class FieldProblem(Exception):
    def __init__(self, message: Any, **params: Any) -> None:
        super().__init__(str(message))
        self.message, self.params = message, params


# --- cell converters: raw cell (str from CSV, native from JSON/XLSX) -> Python value ----------


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def text(raw: Any) -> str:
    if _blank(raw):
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # a number typed into Excel where text was meant (a phone number, a code)
    return str(raw).strip()


def text_or_skip(raw: Any) -> Any:
    return SKIP if _blank(raw) else text(raw)


def money(raw: Any) -> Decimal | None:
    if _blank(raw):
        return None
    if isinstance(raw, bool):
        raise FieldProblem(_("Enter a number, for example 1234.50."))
    try:
        value = Decimal(str(raw).strip().replace(",", "")) if not isinstance(raw, Decimal) else raw
    except InvalidOperation as exc:
        raise FieldProblem(_("Enter a number, for example 1234.50.")) from exc
    if not value.is_finite():
        raise FieldProblem(_("Enter a number, for example 1234.50."))
    return value


def integer(raw: Any) -> int | None:
    if _blank(raw):
        return None
    if isinstance(raw, bool):
        raise FieldProblem(_("Enter a whole number."))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise FieldProblem(_("Enter a whole number."))
    s = str(raw).strip().replace(",", "")
    if s.endswith(".0"):
        s = s[:-2]
    try:
        return int(s)
    except ValueError as exc:
        raise FieldProblem(_("Enter a whole number.")) from exc


def date(raw: Any) -> dt.date | None:
    if _blank(raw):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip()[:10])
    except ValueError as exc:
        raise FieldProblem(_("Enter a date like 2022-12-31.")) from exc


_TRUE = {"true", "1", "yes", "y", "是", "t"}
_FALSE = {"false", "0", "no", "n", "否", "f"}


def boolean(raw: Any) -> bool | None:
    if _blank(raw):
        return None
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    s = str(raw).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise FieldProblem(_("Enter true or false."))


def boolean_or_skip(raw: Any) -> Any:
    value = boolean(raw)
    return SKIP if value is None else value


def codes(raw: Any) -> list[str]:
    """A list of codes: a JSON list, or text separated by ; , or |."""
    if _blank(raw):
        return []
    if isinstance(raw, list):
        return [text(v) for v in raw if not _blank(v)]
    s = str(raw)
    for sep in (",", "|", "，", "；"):
        s = s.replace(sep, ";")
    return [part.strip() for part in s.split(";") if part.strip()]


# --- the report ------------------------------------------------------------------------------


@dataclass
class RowError:
    line: int
    column: str
    message: Any
    params: dict[str, Any] | None = None

    def render(self) -> str:
        msg = str(self.message)
        return msg % self.params if self.params else msg


@dataclass
class ImportReport:
    kind: str
    format: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    dry_run: bool = False
    partial: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_lines(self) -> list[int]:
        return sorted({e.line for e in self.errors})

    def lines(self, lang: str = "zh") -> list[str]:
        """The human report, in Chinese (zh) or English (en)."""
        with translation.override("en" if lang == "en" else "zh-hans"):
            out = []
            for e in sorted(self.errors, key=lambda e: (e.line, e.column)):
                if e.column == ROW:
                    out.append(str(_("Line %(line)s: %(message)s")) % {"line": e.line, "message": e.render()})
                else:
                    out.append(
                        str(_("Line %(line)s, %(column)s: %(message)s"))
                        % {"line": e.line, "column": e.column, "message": e.render()}
                    )
            out.append(
                str(
                    _(
                        "%(kind)s: %(rows)s rows read, %(created)s new, %(updated)s updated, "
                        "%(unchanged)s unchanged, %(bad)s bad."
                    )
                )
                % {
                    "kind": self.kind,
                    "rows": self.rows,
                    "created": self.created,
                    "updated": self.updated,
                    "unchanged": self.unchanged,
                    "bad": len(self.bad_lines),
                }
            )
            if self.dry_run:
                out.append(str(_("Dry run: nothing was saved.")))
            elif self.errors and not self.committed:
                out.append(str(_("Nothing was imported: correct the bad rows and run the import again, "
                                 "or use --partial to import only the good rows.")))  # fmt: skip
            elif self.errors:
                out.append(str(_("Only the good rows were imported.")))
            return out

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        with translation.override("en" if lang == "en" else "zh-hans"):
            errors = [{"line": e.line, "column": e.column, "message": e.render()} for e in self.errors]
        return {
            "kind": self.kind, "format": self.format, "rows": self.rows, "created": self.created,
            "updated": self.updated, "unchanged": self.unchanged, "bad_lines": self.bad_lines,
            "errors": errors, "committed": self.committed, "dry_run": self.dry_run, "partial": self.partial,
        }  # fmt: skip


class _Rollback(Exception):
    pass


# --- the kinds -------------------------------------------------------------------------------


def _organisation_by_uscc(value: str, column: str) -> Organisation:
    org = Organisation.objects.filter(uscc=normalise_uscc(value)).first()
    if org is None:
        raise ValidationError({column: ValidationError(_("No organisation has the credit code %(code)s."),
                                                       params={"code": value})})  # fmt: skip
    return org


class References:
    """The classification tables, read once per import (they are small and do not change meanwhile)."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, Any]] = {
            "region": {r.pk: r for r in Region.objects.all()},
            "industry": {r.pk: r for r in Industry.objects.all()},
            "tech_fields": {r.pk: r for r in TechField.objects.all()},
        }

    def resolve(self, values: dict[str, Any]) -> None:
        # Unknown codes stay text: services.resolve_references then reports them on their field.
        for key in ("region", "industry"):
            if isinstance(values.get(key), str):
                values[key] = self.tables[key].get(values[key], values[key])
        if values.get("tech_fields"):
            values["tech_fields"] = [self.tables["tech_fields"].get(c, c) for c in values["tech_fields"]]


class Importer:
    kind: str = ""
    refs: References
    columns: dict[str, Callable[[Any], Any]] = {}
    required: tuple[str, ...] = ()
    # model field name in a ValidationError -> the column the user sees
    field_columns: dict[str, str] = {}

    def key(self, values: dict[str, Any]) -> Hashable | None:
        return None

    def key_column(self) -> str:
        return self.required[0]

    def save(self, actor: User | None, values: dict[str, Any]) -> bool:
        """Create or update the row's record; True when it was new."""
        raise NotImplementedError


class OrganisationImporter(Importer):
    kind = "organisations"
    columns = {
        "uscc": text, "name": text, "name_en": text, "kind": text_or_skip, "region": text, "industry": text,
        "tech_fields": codes, "founded_on": date, "resident": boolean_or_skip, "address": text,
        "website": text, "description": text, "is_synthetic": boolean_or_skip,
    }  # fmt: skip
    required = ("uscc", "name", "region")

    def key(self, values: dict[str, Any]) -> Hashable:
        return normalise_uscc(values["uscc"])

    def save(self, actor: User | None, values: dict[str, Any]) -> bool:
        values["uscc"] = normalise_uscc(values["uscc"])
        if "industry" in values and not values["industry"]:
            values["industry"] = None
        self.refs.resolve(values)
        existing = Organisation.objects.filter(uscc=values["uscc"]).first()
        if existing is None:
            services.create_organisation(actor, **values)
            return True
        values.pop("uscc")
        services.update_organisation(actor, existing, **values)
        return False


def _fact_columns() -> dict[str, Callable[[Any], Any]]:
    """A converter for every fact, from the model field's type."""
    out: dict[str, Callable[[Any], Any]] = {}
    for name in services.FACT_FIELDS:
        kind = EnterpriseFacts._meta.get_field(name).get_internal_type()
        if name == "is_synthetic":
            out[name] = boolean_or_skip
        elif kind == "DecimalField":
            out[name] = money
        elif kind in {"PositiveIntegerField", "PositiveSmallIntegerField", "IntegerField"}:
            out[name] = integer
        elif kind == "DateField":
            out[name] = date
        elif kind == "BooleanField":
            out[name] = boolean
        else:
            out[name] = text
    return out


class FactsImporter(Importer):
    kind = "facts"
    columns = {"uscc": text, "year": integer, **_fact_columns()}
    required = ("uscc", "year")

    def key(self, values: dict[str, Any]) -> Hashable:
        return (normalise_uscc(values["uscc"]), values["year"])

    def save(self, actor: User | None, values: dict[str, Any]) -> bool:
        org = _organisation_by_uscc(values.pop("uscc"), "uscc")
        year = values.pop("year")
        existed = EnterpriseFacts.objects.filter(organisation=org, year=year).exists()
        services.record_enterprise_facts(actor, org, year, **values)
        return not existed


class PeopleImporter(Importer):
    kind = "people"
    columns = {
        "name": text, "name_en": text, "kind": text_or_skip, "orcid": text, "title": text, "email": text,
        "bio": text, "tech_fields": codes, "is_synthetic": boolean_or_skip, "organisation_uscc": text,
        "position": text, "start_date": date,
    }  # fmt: skip
    required = ("name",)
    field_columns = {"organisation": "organisation_uscc"}

    def key(self, values: dict[str, Any]) -> Hashable:
        if values.get("orcid"):
            return ("orcid", normalise_orcid(values["orcid"]))
        return ("name", values["name"], normalise_uscc(values.get("organisation_uscc", "")))

    def key_column(self) -> str:
        return "name"

    def save(self, actor: User | None, values: dict[str, Any]) -> bool:
        uscc = values.pop("organisation_uscc", "")
        org = _organisation_by_uscc(uscc, "organisation_uscc") if uscc else None
        position = values.pop("position", "")
        start_date = values.pop("start_date", None)
        person = self._find(values, org)
        self.refs.resolve(values)
        if person is None:
            services.create_person(actor, affiliation=org, position=position, start_date=start_date, **values)
            return True
        services.update_person(actor, person, **values)
        if (
            org is not None
            and not person.affiliations.filter(organisation=org, end_date__isnull=True).exists()
        ):
            services.add_affiliation(actor, person, org, position=position, start_date=start_date)
        return False

    def _find(self, values: dict[str, Any], org: Organisation | None) -> Person | None:
        # Identity is name + organisation + optional ORCID iD: never the name alone.
        if values.get("orcid"):
            found = Person.objects.filter(orcid=normalise_orcid(values["orcid"])).first()
            if found is not None:
                return found
        candidates = Person.objects.filter(name=values["name"])
        if values.get("orcid"):
            candidates = candidates.filter(orcid="")  # the ORCID iD is being added to a known person
        if org is not None:
            candidates = candidates.filter(
                affiliations__organisation=org, affiliations__end_date__isnull=True
            )
        else:
            employed = Affiliation.objects.filter(end_date__isnull=True).values("person_id")
            candidates = candidates.exclude(pk__in=employed)
        matches = list(candidates.distinct()[:2])
        if len(matches) > 1:
            raise ValidationError(
                {
                    ROW: ValidationError(
                        _("Several people match this name and organisation: add their ORCID iD.")
                    )
                }
            )
        return matches[0] if matches else None


class CarrierImporter(Importer):
    kind = "carriers"
    columns = {
        "name": text, "name_en": text, "kind": text, "host_uscc": text, "region": text, "tech_fields": codes,
        "established_on": date, "recognised_on": date, "area_m2": money, "firms_served": integer,
        "people_served": integer, "firms_graduated": integer, "firms_listed": integer, "description": text,
        "is_synthetic": boolean_or_skip,
    }  # fmt: skip
    required = ("name", "kind", "region")
    field_columns = {"host": "host_uscc"}

    def key(self, values: dict[str, Any]) -> Hashable:
        return (values["name"], values["region"])

    def save(self, actor: User | None, values: dict[str, Any]) -> bool:
        if "host_uscc" in values:
            uscc = values.pop("host_uscc")
            values["host"] = _organisation_by_uscc(uscc, "host_uscc") if uscc else None
        existing = Carrier.objects.filter(name=values["name"], region_id=values["region"]).first()
        self.refs.resolve(values)
        if existing is None:
            services.create_carrier(actor, **values)
            return True
        services.update_carrier(actor, existing, **values)
        return False


class UserImporter(Importer):
    kind = "users"
    columns = {
        "username": text, "email": text, "first_name": text, "last_name": text, "role": text,
        "organisation_uscc": text, "is_active": boolean_or_skip, "password": text,
    }  # fmt: skip
    required = ("username", "role")
    field_columns = {"organisation": "organisation_uscc"}

    def key(self, values: dict[str, Any]) -> Hashable:
        return values["username"]

    def save(self, actor: User | None, values: dict[str, Any]) -> bool:
        if "organisation_uscc" in values:
            uscc = values.pop("organisation_uscc")
            values["organisation"] = _organisation_by_uscc(uscc, "organisation_uscc") if uscc else None
        password = values.pop("password", "") or None
        existing = User.objects.filter(username=values["username"]).first()
        if existing is None:
            username, role = values.pop("username"), values.pop("role")
            organisation = values.pop("organisation", None)
            services.create_user(actor, username, password, role, organisation, **values)
            return True
        values.pop("username")
        if password:
            values["password"] = password
        services.update_user(actor, existing, **values)
        return False


IMPORTERS: dict[str, type[Importer]] = {
    cls.kind: cls
    for cls in (OrganisationImporter, FactsImporter, PeopleImporter, CarrierImporter, UserImporter)
}


# --- running an import -----------------------------------------------------------------------


def _errors_from_validation(line: int, exc: ValidationError, importer: Importer) -> list[RowError]:
    out = []
    items = exc.error_dict.items() if hasattr(exc, "error_dict") else [(ROW, exc.error_list)]
    for name, errors in items:
        column = importer.field_columns.get(name, name)
        if column == "__all__" or column not in importer.columns:
            column = ROW if column == "__all__" or column == ROW else column
        for err in errors:
            out.append(RowError(line, column, err.message, err.params))
    return out


def _last_audit_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def import_file(
    kind: str,
    path: str | Path,
    fmt: str | None = None,
    actor: User | None = None,
    partial: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import one file. Raises TableError when the file as a whole is unusable."""
    if kind not in IMPORTERS:
        raise TableError(
            _("Unknown kind %(kind)s: use one of %(kinds)s."), kind=kind, kinds=", ".join(IMPORTERS)
        )
    importer = IMPORTERS[kind]()
    importer.refs = References()
    fmt = guess_format(path, fmt)
    report = ImportReport(kind=kind, format=fmt, dry_run=dry_run, partial=partial)
    rows = read_rows(path, fmt)
    header = next(rows)[1]["__header__"]  # type: ignore[index]
    if header is not None:
        _check_header(importer, header)
    try:
        with transaction.atomic():
            _import_rows(importer, rows, actor, report)
            if dry_run or (report.errors and not partial):
                raise _Rollback
    except _Rollback:
        report.committed = False
    else:
        report.committed = True
    return report


def _check_header(importer: Importer, header: list[str]) -> None:
    unknown = [h for h in header if h not in importer.columns]
    if unknown:
        raise TableError(
            _("Unknown columns: %(columns)s. The columns of %(kind)s are: %(known)s."),
            columns=", ".join(h or "(empty)" for h in unknown), kind=importer.kind,
            known=", ".join(importer.columns),
        )  # fmt: skip
    missing = [c for c in importer.required if c not in header]
    if missing:
        raise TableError(_("Required columns are missing: %(columns)s."), columns=", ".join(missing))
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise TableError(_("Columns appear twice: %(columns)s."), columns=", ".join(duplicated))


def _import_rows(importer: Importer, rows: Any, actor: User | None, report: ImportReport) -> None:
    seen: dict[Hashable, int] = {}
    last_audit = _last_audit_id()
    for line, raw in rows:
        report.rows += 1
        if raw is None:
            report.errors.append(
                RowError(line, ROW, _("This line cannot be read: check its quotes and its number of cells."))
            )
            continue
        values, problems = _convert(importer, line, raw)
        if not problems:
            key = importer.key(values)
            if key in seen:
                problems.append(RowError(line, importer.key_column(), _("Same record as line %(line)s."),
                                         {"line": seen[key]}))  # fmt: skip
            else:
                seen[key] = line
        if problems:
            report.errors.extend(problems)
            continue
        before = last_audit
        try:
            with transaction.atomic():  # a savepoint: a failed row leaves no trace
                created = importer.save(actor, values)
        except ValidationError as exc:
            report.errors.extend(_errors_from_validation(line, exc, importer))
            continue
        except PermissionDenied:
            report.errors.append(RowError(line, ROW, _("You do not have permission to do this.")))
            continue
        except DatabaseError as exc:
            report.errors.append(
                RowError(line, ROW, _("The database refused this row: %(detail)s"), {"detail": str(exc)})
            )
            continue
        last_audit = _last_audit_id()
        if created:
            report.created += 1
        elif last_audit != before:
            report.updated += 1
        else:
            report.unchanged += 1


def _convert(importer: Importer, line: int, raw: dict[str, Any]) -> tuple[dict[str, Any], list[RowError]]:
    values: dict[str, Any] = {}
    problems: list[RowError] = []
    for column, cell in raw.items():
        convert = importer.columns.get(column)
        if convert is None:
            problems.append(RowError(line, column, _("Unknown field.")))
            continue
        try:
            value = convert(cell)
        except FieldProblem as exc:
            problems.append(RowError(line, column, exc.message, exc.params or None))
            continue
        if value is not SKIP:
            values[column] = value
    for column in importer.required:
        if values.get(column) in (None, "", []):
            problems.append(RowError(line, column, _("This field is required.")))
    return values, problems
