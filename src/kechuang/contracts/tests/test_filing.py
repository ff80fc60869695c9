"""Filing a contract: every field validated, all or nothing, idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kechuang.contracts import services
from kechuang.contracts.ipnumbers import patent_number_problem
from kechuang.contracts.models import Contract
from kechuang.core.identifiers import make_uscc

from .helpers import FOREIGN_BUYER_REGION, contract_data, file_contract, pdf


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def errors_of(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.message_dict


def test_valid_contract_is_saved_with_denormalised_statistics_columns(enterprise_user, own_org, data_dir):
    c = file_contract(enterprise_user, own_org)
    assert c.status == Contract.Status.DRAFT
    assert c.seller_id == own_org.pk and c.seller_kind == "enterprise" and c.seller_region_id == "310115"
    assert c.buyer_id is None and c.buyer_location == "yrd"
    assert c.primary_field_id == "1"
    assert c.ip_items.get().number == "ZL201710601862.3"
    assert (data_dir / c.pdf_path).read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"total_amount": "0"}, "total_amount"),
        ({"total_amount": "-5"}, "total_amount"),
        ({"tech_amount": "9000000"}, "tech_amount"),
        ({"ends_on": "2025-01-01"}, "ends_on"),
        ({"signed_on": "2026-02-30"}, "signed_on"),
        ({"buyer_uscc": "91310000132149237H"}, "buyer_uscc"),
        ({"seller_uscc": "913100001321492"}, "seller_uscc"),
        ({"subtype": "dev_commissioned"}, "subtype"),
        ({"contract_type": "sale"}, "contract_type"),
        ({"total_amount": "12.345"}, "total_amount"),
        ({"buyer_uscc": "", "buyer_region": "320500"}, "buyer_uscc"),
        ({"ancillary_amount": "2000000"}, "ancillary_amount"),
    ],
)
def test_bad_input_is_refused_with_a_field_error_and_nothing_saved(
    enterprise_user, own_org, overrides, field
):
    with pytest.raises(ValidationError) as exc:
        file_contract(enterprise_user, own_org, **overrides)
    assert field in errors_of(exc)
    assert Contract.objects.count() == 0


def test_bad_patent_number_and_schedule_over_total(enterprise_user, own_org):
    with pytest.raises(ValidationError) as exc:
        file_contract(enterprise_user, own_org, ip_items=[{"kind": "patent", "number": "ZL201710601862.4", "title": "x"}],
                      instalments=[{"due_on": "2026-04-01", "amount": "9000000"}])  # fmt: skip
    errors = errors_of(exc)
    with translation.override("en"):
        assert "should be 3" in str(exc.value.error_dict["ip_items.1.number"][0].message)
    assert "应为 3" in errors["ip_items.1.number"][0]
    assert "instalments" in errors


def test_patent_numbers():
    assert patent_number_problem("201710601862.3") is None
    assert patent_number_problem("ZL 2017 1060 1862.3") is None
    assert patent_number_problem("88201465.X") is None  # the pre-2003 eight-digit form
    assert patent_number_problem("201740601862.3") is not None  # type digit 4 does not exist
    assert patent_number_problem("CN1234567") is not None


def test_duplicate_number_for_the_same_seller_is_refused_but_another_seller_may_use_it(
    enterprise_user, own_org, other_user, other_org
):
    file_contract(enterprise_user, own_org)
    with pytest.raises(ValidationError) as exc:
        file_contract(enterprise_user, own_org, buyer_uscc=other_org.uscc)
    assert "number" in errors_of(exc)
    file_contract(other_user, other_org)
    assert Contract.objects.count() == 2


def test_unregistered_parties_by_code_and_name_and_a_foreign_buyer(enterprise_user, own_org):
    seller_code = make_uscc("12310000425010578")  # an institution not on the platform
    c = services.save_contract(
        enterprise_user, own_org,
        contract_data(own_org, seller_uscc=seller_code, seller_name="上海某研究所", seller_kind="institute",
                      seller_region="310104", buyer_uscc=own_org.uscc, contract_type="development",
                      subtype="dev_commissioned", ancillary_amount="0"),
        tech_fields=["2"],
    )  # fmt: skip
    assert c.seller_id is None and c.seller_name == "上海某研究所" and c.seller_kind == "institute"
    assert c.buyer_id == own_org.pk and c.buyer_location == "shanghai"
    foreign = services.save_contract(
        enterprise_user, own_org,
        contract_data(own_org, number="F-1", buyer_uscc="", buyer_name="Acme GmbH", buyer_region=FOREIGN_BUYER_REGION),
        tech_fields=["3"],
    )  # fmt: skip
    assert foreign.buyer_location == "abroad"


def test_an_organisation_files_only_contracts_it_is_party_to(enterprise_user, own_org, other_org):
    with pytest.raises(ValidationError) as exc:
        services.save_contract(enterprise_user, own_org, contract_data(other_org), tech_fields=["1"])
    assert "seller_uscc" in errors_of(exc)


def test_a_user_cannot_file_for_another_organisation(other_user, own_org):
    with pytest.raises(PermissionDenied):
        file_contract(other_user, own_org)


@pytest.mark.parametrize(
    ("name", "content"),
    [("contract.docx", b"%PDF-1.4 fake"), ("contract.pdf", b"PK\x03\x04 a zip"), ("contract.pdf", b"")],
)
def test_a_bad_upload_leaves_no_half_saved_contract(enterprise_user, own_org, data_dir, name, content):
    with pytest.raises(ValidationError) as exc:
        services.save_contract(
            enterprise_user, own_org, contract_data(own_org), tech_fields=["1"], pdf=pdf(name, content)
        )
    assert "pdf" in errors_of(exc)
    assert Contract.objects.count() == 0
    assert not any(data_dir.rglob("*.pdf"))


def test_an_oversized_upload_is_refused(enterprise_user, own_org, monkeypatch):
    monkeypatch.setattr(services, "PDF_MAX_BYTES", 10)
    with pytest.raises(ValidationError) as exc:
        file_contract(enterprise_user, own_org)
    assert "20 MB" in errors_of(exc)["pdf"][0]


def test_a_crash_after_the_file_is_written_removes_the_file_and_the_row(
    enterprise_user, own_org, data_dir, monkeypatch
):
    from kechuang.core import audit

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    # The audit entry is the last write of the transaction: failing there rolls back everything.
    monkeypatch.setattr(audit, "record", fail)
    with pytest.raises(RuntimeError):
        file_contract(enterprise_user, own_org)
    assert Contract.objects.count() == 0
    assert not any(p.is_file() for p in Path(data_dir).rglob("*"))


def test_a_failed_file_write_is_a_clear_error(enterprise_user, own_org, data_dir):
    # A file where the contracts directory should be: the write fails for real.
    (data_dir / "contracts").write_text("in the way")
    with pytest.raises(ValidationError) as exc:
        file_contract(enterprise_user, own_org)
    with translation.override("en"):
        assert "nothing was saved" in str(exc.value.error_dict["pdf"][0].message)
    assert Contract.objects.count() == 0


def test_repeating_a_create_with_the_same_client_key_returns_the_same_contract(enterprise_user, own_org):
    a = file_contract(enterprise_user, own_org, client_key="form-123")
    b = file_contract(enterprise_user, own_org, client_key="form-123")
    assert a.pk == b.pk and Contract.objects.count() == 1


def test_changing_a_draft_keeps_the_pdf_and_replaces_lists(enterprise_user, own_org):
    c = file_contract(enterprise_user, own_org)
    services.save_contract(enterprise_user, own_org, contract_data(own_org, title="新标题"), contract=c,
                           tech_fields=["1.1"], instalments=[])  # fmt: skip
    c.refresh_from_db()
    assert c.title == "新标题" and c.pdf_path and c.instalments.count() == 0 and c.ip_items.count() == 1
