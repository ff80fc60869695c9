"""Imports: all or nothing, every bad row reported by line and column in both languages,
--partial and --dry-run, the three formats, and everything audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import Workbook

from kechuang.core.importers import import_file
from kechuang.core.models import AuditEntry, Carrier, EnterpriseFacts, Organisation, Person, User
from kechuang.core.tabular import TableError

EXAMPLES = Path(__file__).resolve().parents[4] / "docs" / "examples"
GOOD = "91310115MA1K4XYA08"  # valid check character
WRONG = "91310115MA1K4XYA09"  # same code, wrong check character

ORG_HEADER = "uscc,name,kind,region,industry,tech_fields,founded_on\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_examples_import_in_order(db) -> None:  # type: ignore[no-untyped-def]
    for kind, name in (("organisations", "organisations.csv"), ("facts", "facts.csv"), ("people", "people.jsonl"),
                       ("carriers", "carriers.csv"), ("users", "users.csv")):  # fmt: skip
        report = import_file(kind, EXAMPLES / name)
        assert report.ok and report.committed, report.lines("en")
    assert Organisation.objects.count() == 4 and EnterpriseFacts.objects.count() == 2
    assert Person.objects.filter(name="王伟").count() == 2  # same name, different organisations: two people
    assert Carrier.objects.count() == 2 and User.objects.filter(username="chip-admin").exists()
    facts = EnterpriseFacts.objects.get(organisation__uscc="91310104MA1FL5AB24")
    assert facts.revenue is None and facts.rd_expense is not None  # empty cell = missing, not zero


def test_one_bad_row_and_nothing_is_kept(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "orgs.csv", ORG_HEADER + f"{GOOD},好企业,enterprise,310115,,,\n"
                                                  f"{WRONG},坏企业,enterprise,310115,,,\n")  # fmt: skip
    audit_before = AuditEntry.objects.count()
    report = import_file("organisations", path)
    assert not report.committed and report.bad_lines == [3]
    assert Organisation.objects.count() == 0 and AuditEntry.objects.count() == audit_before


def test_every_bad_row_is_reported_with_line_and_column_in_both_languages(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path, "orgs.csv",
        ORG_HEADER
        + f"{WRONG},校验码错,enterprise,310115,,,\n"
        + "91310104MA1FL5AB24,未知区划,enterprise,319999,,,\n"
        + '"91320594MA1MCD123A","多行\n名称",enterprise,320500,ZZ,1;99,2019-13-01\n'
        + "91310000607216098M,,martian,310101,,,\n",
    )  # fmt: skip
    report = import_file("organisations", path)
    found = {(e.line, e.column) for e in report.errors}
    assert found == {(2, "uscc"), (3, "region"), (4, "founded_on"), (6, "name")}
    en, zh = "\n".join(report.lines("en")), "\n".join(report.lines("zh"))
    assert "Line 2, uscc: The check character" in en and "(it should be 8)" in en
    assert "第 2 行" in zh and "校验码错误" in zh
    assert "Line 3, region: Unknown code 319999." in en
    assert "Nothing was imported" in en
    # once the row-level problems are fixed, the model's own checks speak (kind, industry, tech fields)
    path2 = write(tmp_path, "orgs2.csv", ORG_HEADER + "91320594MA1MCD123A,企业,martian,320500,ZZ,1;99,\n")
    report2 = import_file("organisations", path2)
    assert {e.column for e in report2.errors} == {"industry", "tech_fields"}
    path3 = write(tmp_path, "orgs3.csv", ORG_HEADER + "91320594MA1MCD123A,企业,martian,320500,,,\n")
    assert {(e.line, e.column) for e in import_file("organisations", path3).errors} == {(2, "kind")}


def test_partial_keeps_the_good_rows(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "orgs.csv", ORG_HEADER + f"{GOOD},好企业,enterprise,310115,,,\n"
                                                  f"{WRONG},坏企业,enterprise,310115,,,\n")  # fmt: skip
    report = import_file("organisations", path, partial=True)
    assert report.committed and report.created == 1 and report.bad_lines == [3]
    assert list(Organisation.objects.values_list("uscc", flat=True)) == [GOOD]
    assert "Only the good rows were imported." in report.lines("en")[-1]


def test_dry_run_saves_nothing_even_when_all_is_well(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "orgs.csv", ORG_HEADER + f"{GOOD},好企业,enterprise,310115,,,\n")
    report = import_file("organisations", path, dry_run=True)
    assert report.ok and report.created == 1 and not report.committed
    assert not Organisation.objects.exists() and not AuditEntry.objects.exists()


def test_duplicates_within_a_file_are_reported(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "orgs.csv", ORG_HEADER + f"{GOOD},甲,enterprise,310115,,,\n"
                                                  f"{GOOD.lower()},乙,enterprise,310115,,,\n")  # fmt: skip
    report = import_file("organisations", path)
    assert [(e.line, e.column) for e in report.errors] == [(3, "uscc")]
    assert "line 2" in report.lines("en")[0]


@translation.override("en")
def test_the_file_as_a_whole_can_be_refused(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TableError, match="Unknown columns: colour"):
        import_file("organisations", write(tmp_path, "a.csv", "uscc,name,region,colour\n"))
    with pytest.raises(TableError, match="Required columns are missing: region"):
        import_file("organisations", write(tmp_path, "b.csv", "uscc,name\n"))
    with pytest.raises(TableError, match="format"):
        import_file("organisations", write(tmp_path, "c.txt", "uscc\n"))
    with pytest.raises(TableError, match="no file"):
        import_file("organisations", tmp_path / "missing.csv")
    with pytest.raises(TableError, match="Excel"):
        import_file("organisations", write(tmp_path, "d.xlsx", "not a workbook"))


def test_jsonl_bad_lines_and_unknown_keys(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lines = [json.dumps({"uscc": GOOD, "name": "好企业", "region": "310115"}, ensure_ascii=False),
             "{not json", "", json.dumps([1, 2]),
             json.dumps({"uscc": "91310104MA1FL5AB24", "name": "x", "region": "310104", "colour": "red"})]  # fmt: skip
    report = import_file("organisations", write(tmp_path, "o.jsonl", "\n".join(lines) + "\n"))
    assert {(e.line, e.column) for e in report.errors} == {(2, "__row__"), (4, "__row__"), (5, "colour")}


def test_xlsx_rows_are_numbered_as_excel_shows_them(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    book = Workbook()
    sheet = book.active
    sheet.append(["uscc", "name", "region", "founded_on"])
    sheet.append([GOOD, "好企业", 310115, None])  # a number where text was meant: still a code
    sheet.append([None, None, None, None])  # an empty row is skipped, but keeps its number
    sheet.append([WRONG, "坏企业", "310115", "2020-01-01"])
    path = tmp_path / "orgs.xlsx"
    book.save(path)
    report = import_file("organisations", path)
    assert [(e.line, e.column) for e in report.errors] == [(4, "uscc")]
    report = import_file("organisations", path, partial=True)
    assert Organisation.objects.get(uscc=GOOD).region_id == "310115"


def test_facts_keep_missing_apart_from_zero_and_check_bounds(db, make_org, tmp_path) -> None:  # type: ignore[no-untyped-def]
    org = make_org(uscc=GOOD)
    header = "uscc,year,revenue,rd_expense,staff,st_staff,rd_staff,is_listed\n"
    path = write(tmp_path, "f.csv", header + f"{GOOD},2022,0,,10,4,3,\n"
                                           f"{GOOD},2021,abc,1.5,5,9,x,maybe\n"
                                           f"91310104MA1FL5AB24,2022,,,,,,\n")  # fmt: skip
    report = import_file("facts", path, partial=True)
    assert {(e.line, e.column) for e in report.errors} == {
        (3, "revenue"), (3, "rd_staff"), (3, "is_listed"), (4, "uscc")}  # fmt: skip
    row = EnterpriseFacts.objects.get(organisation=org, year=2022)
    assert row.revenue == 0 and row.rd_expense is None and row.is_listed is None
    bounds = write(tmp_path, "g.csv", header + f"{GOOD},2021,,,5,9,,\n")
    assert [(e.line, e.column) for e in import_file("facts", bounds).errors] == [(2, "st_staff")]


def test_people_identity_is_name_plus_organisation_plus_orcid(db, make_org, tmp_path) -> None:  # type: ignore[no-untyped-def]
    a, b = make_org(), make_org()
    header = "name,orcid,organisation_uscc,position,start_date\n"
    path = write(
        tmp_path, "p.csv", header + f"张伟,,{a.uscc},工程师,2020-01-01\n张伟,,{b.uscc},教授,2018-09-01\n"
    )
    assert import_file("people", path).created == 2
    again = import_file("people", path)
    assert again.unchanged == 2 and Person.objects.count() == 2
    # an ORCID iD added later attaches to the same person; a wrong one is refused on its column
    path2 = write(
        tmp_path,
        "q.csv",
        header + f"张伟,0000-0002-1825-0097,{a.uscc},,\n张伟,0000-0002-1825-0098,{b.uscc},,\n",
    )
    report = import_file("people", path2, partial=True)
    assert [(e.line, e.column) for e in report.errors] == [(3, "orcid")]
    assert Person.objects.count() == 2 and Person.objects.filter(orcid="0000-0002-1825-0097").count() == 1


def test_a_person_who_moves_keeps_their_history(db, make_org, tmp_path) -> None:  # type: ignore[no-untyped-def]
    a, b = make_org(), make_org()
    header = "name,orcid,organisation_uscc,start_date\n"
    import_file(
        "people", write(tmp_path, "p.csv", header + f"王芳,0000-0002-1825-0097,{a.uscc},2015-01-01\n")
    )
    report = import_file(
        "people", write(tmp_path, "q.csv", header + f"王芳,0000-0002-1825-0097,{b.uscc},2022-07-01\n")
    )
    assert report.updated == 1
    person = Person.objects.get()
    assert [(x.organisation_id, x.end_date is None) for x in person.affiliations.order_by("start_date")] == [
        (a.pk, False), (b.pk, True)]  # fmt: skip


def test_imports_are_audited_with_the_actor(db, make_user, tmp_path) -> None:  # type: ignore[no-untyped-def]
    admin = make_user(User.Role.ADMIN)
    import_file(
        "organisations",
        write(tmp_path, "o.csv", ORG_HEADER + f"{GOOD},好企业,enterprise,310115,,,\n"),
        actor=admin,
    )
    entry = AuditEntry.objects.get(action="organisation.create")
    assert entry.actor == admin and entry.after["uscc"] == GOOD


def test_an_actor_without_permission_imports_nothing(db, make_user, own_org, tmp_path) -> None:  # type: ignore[no-untyped-def]
    user = make_user(User.Role.ENTERPRISE, own_org)
    report = import_file("organisations", write(tmp_path, "o.csv", ORG_HEADER + f"{GOOD},x,enterprise,310115,,,\n"),
                         actor=user)  # fmt: skip
    assert [(e.line, e.column) for e in report.errors] == [(2, "__row__")]
    assert "permission" in report.lines("en")[0]


def test_users_never_need_a_password_in_the_file(db, own_org, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        "u.csv",
        f"username,role,organisation_uscc\nops,enterprise,{own_org.uscc}\nlost,enterprise,\n",
    )
    report = import_file("users", path, partial=True)
    assert [(e.line, e.column) for e in report.errors] == [(3, "organisation_uscc")]
    user = User.objects.get(username="ops")
    assert user.organisation == own_org and not user.has_usable_password()
    assert "password" not in json.dumps(AuditEntry.objects.get(action="user.create").after)
