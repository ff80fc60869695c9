"""Reading and writing the registries' tables: CSV, JSON Lines and Excel (XLSX), one row per record.

Shared by the importers and the exporters so that what `kechuang export` writes, `kechuang import`
reads back unchanged. Every row read carries the line number a person sees in an editor or in
Excel, for the bad-row report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

FORMATS = ("csv", "jsonl", "xlsx")
_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".xlsx": "xlsx"}


class TableError(Exception):
    """The file as a whole cannot be read (wrong format, no header…). Carries a translatable message."""

    def __init__(self, message: Any, **params: Any) -> None:
        super().__init__(str(message))
        self.message = message
        self.params = params

    def render(self) -> str:
        """The message in the active language."""
        return str(self.message) % self.params if self.params else str(self.message)

    def __str__(self) -> str:
        return self.render()


def guess_format(path: str | Path, given: str | None = None) -> str:
    if given:
        if given not in FORMATS:
            raise TableError(_("Unknown format %(format)s: use csv, jsonl or xlsx."), format=given)
        return given
    fmt = _SUFFIXES.get(Path(path).suffix.lower())
    if fmt is None:
        raise TableError(
            _("Cannot tell the format of %(name)s from its name: give --format csv, jsonl or xlsx."),
            name=Path(path).name,
        )
    return fmt


def read_rows(path: str | Path, fmt: str) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """Yield (line number, row). A row of None means the line could not be parsed at all."""
    path = Path(path)
    if not path.is_file():
        raise TableError(_("There is no file %(name)s."), name=str(path))
    if fmt == "csv":
        yield from _read_csv(path)
    elif fmt == "jsonl":
        yield from _read_jsonl(path)
    else:
        yield from _read_xlsx(path)


def _clean_header(names: Iterable[Any]) -> list[str]:
    return [str(n or "").strip().lower() for n in names]


def _read_csv(path: Path) -> Iterator[tuple[int, dict[str, Any] | None]]:
    try:
        text = path.read_text(encoding="utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError as exc:
        raise TableError(_("The file is not UTF-8 text: save it as “CSV UTF-8”.")) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _clean_header(next(reader))
    except StopIteration as exc:
        raise TableError(_("The file is empty.")) from exc
    yield 0, {"__header__": header}
    start = reader.line_num + 1
    for record in reader:
        line, start = start, reader.line_num + 1  # a quoted field may span lines
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            yield line, None
            continue
        yield line, dict(zip(header, record + [""] * (len(header) - len(record)), strict=True))


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | None]]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise TableError(_("The file is not UTF-8 text.")) from exc
    yield 0, {"__header__": None}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            yield number, None
            continue
        if not isinstance(value, dict):
            yield number, None
            continue
        yield number, {str(k).strip().lower(): v for k, v in value.items()}


def _read_xlsx(path: Path) -> Iterator[tuple[int, dict[str, Any] | None]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise TableError(_("The file is not an Excel workbook (.xlsx).")) from exc
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        try:
            header = _clean_header(next(rows))
        except StopIteration as exc:
            raise TableError(_("The file is empty.")) from exc
        while header and not header[-1]:
            header.pop()
        yield 0, {"__header__": header}
        for number, record in enumerate(rows, start=2):
            cells = list(record)
            if not any(c not in (None, "") for c in cells):
                continue
            extra = [c for c in cells[len(header) :] if c not in (None, "")]
            if extra:
                yield number, None
                continue
            cells = cells[: len(header)] + [None] * (len(header) - len(cells))
            yield number, dict(zip(header, cells, strict=True))
    finally:
        book.close()


# --- writing ---------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _xlsx_cell(value: Any) -> Any:
    # Whole numbers stay numbers; money and codes are text, because Excel would round a float
    # and drop a leading zero.
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return _cell_text(value)


def write_rows(out: Any, fmt: str, columns: list[str], rows: Iterable[dict[str, Any]]) -> int:
    """Write rows to a text stream (csv, jsonl) or a binary stream (xlsx). Returns the row count."""
    n = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell_text(row.get(c)) for c in columns])
            n += 1
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps({c: _json_value(row.get(c)) for c in columns}, ensure_ascii=False) + "\n")
            n += 1
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("data")
        sheet.append(columns)
        for row in rows:
            # Text for money and codes: Excel would round a float and drop a leading zero.
            sheet.append([_xlsx_cell(row.get(c)) for c in columns])
            n += 1
        book.save(out)
    else:
        raise TableError(_("Unknown format %(format)s: use csv, jsonl or xlsx."), format=fmt)
    return n
