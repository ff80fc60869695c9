"""The core web pages: who may open each one, and what a user can do there end to end."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.urls import reverse
from tests.conftest import client_for, in_english

from kechuang.core import services
from kechuang.core.identifiers import make_uscc
from kechuang.core.models import (
    ApiToken,
    AuditEntry,
    Carrier,
    EnterpriseFacts,
    Notification,
    Organisation,
    Region,
    TechField,
    User,
)

pytestmark = pytest.mark.django_db

WHO = ("anonymous", "other", "own", "staff", "admin")
LAST_YEAR = dt.date.today().year - 1


@pytest.fixture
def people(enterprise_user, other_user, staff_user, admin_user) -> dict[str, User | None]:  # type: ignore[no-untyped-def]
    return {
        "anonymous": None,
        "other": other_user,
        "own": enterprise_user,
        "staff": staff_user,
        "admin": admin_user,
    }


def finished_job(user: User, data_dir):  # type: ignore[no-untyped-def]
    """A background job of `user` that produced a file (under `data_dir`, the tests' DATA_DIR)."""
    from kechuang.core.jobs.models import Job

    job = Job.objects.create(kind="kechuang.core.tests.jobtasks.make_file", title={"en": "a file"}, user=user,
                             state=Job.State.SUCCEEDED, file_name="hello.txt")  # fmt: skip
    (data_dir / "jobs" / str(job.pk)).mkdir(parents=True)
    (data_dir / "jobs" / str(job.pk) / "hello.txt").write_text("hello")
    return job


@pytest.fixture
def registry(own_org, other_org, enterprise_user, settings, tmp_path):  # type: ignore[no-untyped-def]
    """One of everything the core pages show, with private facts that must not leak."""
    settings.DATA_DIR = tmp_path
    services.record_enterprise_facts(
        None, own_org, LAST_YEAR, revenue=Decimal("98765432.10"), staff=120, rd_staff=30
    )
    person = services.create_person(None, affiliation=other_org, name="李研究", kind="researcher", email="li@example.cn",
                                    start_date=dt.date(2015, 3, 1))  # fmt: skip
    services.move_person(None, person, own_org, dt.date(2021, 7, 1), position="首席科学家")
    carrier = services.create_carrier(None, name="浦东测试孵化器", kind=Carrier.Kind.INCUBATOR, host=own_org,
                                      region=Region.objects.get(pk="310115"), area_m2=Decimal("12000"), firms_served=85)  # fmt: skip
    return {"person": person, "carrier": carrier, "job": finished_job(enterprise_user, tmp_path)}


def _urls(own_org, registry) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "home": reverse("core:home"),
        "organisation_list": reverse("core:organisation_list"),
        "organisation_detail": reverse("core:organisation_detail", args=[own_org.pk]),
        "organisation_edit": reverse("core:organisation_edit", args=[own_org.pk]),
        "facts_edit": reverse("core:facts_edit", args=[own_org.pk, LAST_YEAR]),
        "person_list": reverse("core:person_list"),
        "person_detail": reverse("core:person_detail", args=[registry["person"].pk]),
        "carrier_list": reverse("core:carrier_list"),
        "carrier_detail": reverse("core:carrier_detail", args=[registry["carrier"].pk]),
        "audit_log": reverse("core:audit_log"),
        "api_tokens": reverse("core:api_tokens"),
        "inbox": reverse("core:inbox"),
        "inbox_badge": reverse("core:inbox_badge"),
        "login": reverse("login"),
        "job_list": reverse("core:job_list"),
        "job_detail": reverse("core:job_detail", args=[registry["job"].pk]),
        "job_progress": reverse("core:job_progress", args=[registry["job"].pk]),
        "job_download": reverse("core:job_download", args=[registry["job"].pk]),
    }


LOGIN = "login"  # anonymous users are sent to the sign-in page
# The expected answer of every GET page for each kind of user. "own" is a user of the organisation
# whose pages are opened; "staff" is a reviewer (platform staff, not an administrator).
MATRIX: dict[str, dict[str, int | str]] = {
    "home": dict.fromkeys(WHO, 200),
    "organisation_list": dict.fromkeys(WHO, 200),
    "organisation_detail": dict.fromkeys(WHO, 200),
    "organisation_edit": {"anonymous": LOGIN, "other": 403, "own": 200, "staff": 200, "admin": 200},
    "facts_edit": {"anonymous": LOGIN, "other": 403, "own": 200, "staff": 200, "admin": 200},
    "person_list": dict.fromkeys(WHO, 200),
    "person_detail": dict.fromkeys(WHO, 200),
    "carrier_list": dict.fromkeys(WHO, 200),
    "carrier_detail": dict.fromkeys(WHO, 200),
    "audit_log": {"anonymous": LOGIN, "other": 403, "own": 403, "staff": 403, "admin": 200},
    "api_tokens": {"anonymous": LOGIN, "other": 200, "own": 200, "staff": 200, "admin": 200},
    "inbox": {"anonymous": LOGIN, "other": 200, "own": 200, "staff": 200, "admin": 200},
    "inbox_badge": dict.fromkeys(WHO, 200),
    "login": dict.fromkeys(WHO, 200),
    # A background job is its starter's ("own") and staff's; to anyone else it does not exist.
    "job_list": {"anonymous": LOGIN, "other": 200, "own": 200, "staff": 200, "admin": 200},
    "job_detail": {"anonymous": LOGIN, "other": 404, "own": 200, "staff": 200, "admin": 200},
    "job_progress": {"anonymous": LOGIN, "other": 404, "own": 200, "staff": 200, "admin": 200},
    "job_download": {"anonymous": LOGIN, "other": 404, "own": 200, "staff": 200, "admin": 200},
}


@pytest.mark.parametrize("page", sorted(MATRIX))
def test_every_page_answers_each_kind_of_user_as_the_matrix_says(page, people, own_org, registry) -> None:  # type: ignore[no-untyped-def]
    url = _urls(own_org, registry)[page]
    for who in WHO:
        response = client_for(people[who]).get(url)
        expected = MATRIX[page][who]
        if expected == LOGIN:
            assert response.status_code == 302, (page, who)
            assert response["Location"].startswith(reverse("login") + "?next="), (page, who)
        else:
            assert response.status_code == expected, (page, who, response.status_code)


def test_the_matrix_covers_every_core_url() -> None:
    from kechuang.core import urls

    names = {p.name for p in urls.urlpatterns}
    # inbox_mark_read is POST-only and tested below; job_cancel is tested in test_jobs.py.
    assert names - {"inbox_mark_read", "job_cancel"} == set(MATRIX) - {"login"}


def test_refusals_render_the_friendly_403_and_404_pages(other_user, own_org) -> None:  # type: ignore[no-untyped-def]
    denied = client_for(other_user).get(reverse("core:organisation_edit", args=[own_org.pk]))
    assert denied.status_code == 403
    assert "Back to the home page" in denied.content.decode() or "返回首页" in denied.content.decode()
    missing = client_for(None).get(reverse("core:organisation_detail", args=[999999]))
    assert missing.status_code == 404
    assert 'id="main"' in missing.content.decode()  # our page, inside the site's layout


# --- organisation detail: public fields for all, private facts for the organisation and staff ---


@pytest.mark.parametrize(("who", "sees_private"), [("anonymous", False), ("other", False), ("own", True),
                                                  ("staff", True), ("admin", True)])  # fmt: skip
def test_financial_facts_are_shown_only_to_the_organisation_and_staff(
    who, sees_private, people, own_org, registry
) -> None:  # type: ignore[no-untyped-def]
    html = (
        client_for(people[who]).get(reverse("core:organisation_detail", args=[own_org.pk])).content.decode()
    )
    assert own_org.uscc in html  # public
    assert "浦东测试孵化器" in html  # public carriers of the organisation
    assert ("98,765,432.10" in html or "98765432.10" in html) is sees_private
    assert ('data-testid="private-facts"' in html) is sees_private
    assert ("organisation.create" in html) is sees_private  # recent changes are private too


def test_edit_button_only_for_those_who_may_edit(people, own_org) -> None:  # type: ignore[no-untyped-def]
    url = reverse("core:organisation_detail", args=[own_org.pk])
    for who, can in (("anonymous", False), ("other", False), ("own", True), ("staff", True)):
        assert (
            'data-testid="edit-organisation"' in client_for(people[who]).get(url).content.decode()
        ) is can, who


# --- organisation profile edit ---


def _profile_post(org: Organisation, **changes: str) -> dict[str, str]:
    data = {
        "uscc": org.uscc, "name": org.name, "name_en": org.name_en, "kind": org.kind, "region": org.region_id,
        "industry": org.industry_id or "", "founded_on": "", "resident": "on", "address": "", "website": "",
        "description": "",
    }  # fmt: skip
    data.update(changes)
    return data


def test_a_wrong_check_character_is_rejected_with_a_message_that_says_so_and_nothing_is_lost(
    enterprise_user, own_org
) -> None:  # type: ignore[no-untyped-def]
    good = make_uscc("91310115MA1K4XY80")
    wrong = good[:17] + ("1" if good[17] != "1" else "2")
    client = client_for(enterprise_user)
    url = reverse("core:organisation_edit", args=[own_org.pk])
    before = AuditEntry.objects.count()
    response = in_english(client).post(
        url, _profile_post(own_org, uscc=wrong, name="上海自有科技股份有限公司", address="张江路 100 号")
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "check character" in html and f"should be {good[17]}" in html
    assert 'data-field="uscc"' in html and 'aria-invalid="true"' in html
    # What the user typed is kept in the form ...
    assert (
        f'value="{wrong}"' in html
        and 'value="上海自有科技股份有限公司"' in html
        and 'value="张江路 100 号"' in html
    )
    # ... and nothing was saved or audited.
    own_org.refresh_from_db()
    assert own_org.uscc != wrong and own_org.name == "上海自有科技有限公司" and own_org.address == ""
    assert AuditEntry.objects.count() == before


def test_the_check_character_message_is_in_chinese_by_default(enterprise_user, own_org) -> None:  # type: ignore[no-untyped-def]
    wrong = own_org.uscc[:17] + ("1" if own_org.uscc[17] != "1" else "2")
    response = client_for(enterprise_user).post(reverse("core:organisation_edit", args=[own_org.pk]),
                                                _profile_post(own_org, uscc=wrong))  # fmt: skip
    assert response.status_code == 422
    assert "校验码" in response.content.decode()


def test_a_valid_edit_is_saved_and_audited_with_before_and_after(enterprise_user, own_org) -> None:  # type: ignore[no-untyped-def]
    new_code = make_uscc("91310115MA1K4XY80").lower()  # people type lower case; it is stored canonically
    response = client_for(enterprise_user).post(reverse("core:organisation_edit", args=[own_org.pk]),
                                                _profile_post(own_org, uscc=new_code, address="张江路 100 号"))  # fmt: skip
    assert response.status_code == 302
    own_org.refresh_from_db()
    assert own_org.uscc == new_code.upper() and own_org.address == "张江路 100 号"
    entry = AuditEntry.objects.filter(action="organisation.update", object_id=str(own_org.pk)).get()
    assert entry.actor == enterprise_user
    assert ("address", "", "张江路 100 号") in entry.changes


def test_another_organisations_user_cannot_post_an_edit(other_user, own_org) -> None:  # type: ignore[no-untyped-def]
    response = client_for(other_user).post(reverse("core:organisation_edit", args=[own_org.pk]),
                                           _profile_post(own_org, name="被篡改"))  # fmt: skip
    assert response.status_code == 403
    own_org.refresh_from_db()
    assert own_org.name == "上海自有科技有限公司"


def test_a_duplicate_credit_code_is_a_field_error(enterprise_user, own_org, other_org) -> None:  # type: ignore[no-untyped-def]
    response = client_for(enterprise_user).post(reverse("core:organisation_edit", args=[own_org.pk]),
                                                _profile_post(own_org, uscc=other_org.uscc))  # fmt: skip
    assert response.status_code == 422
    assert 'id="id_uscc_error"' in response.content.decode()


# --- annual facts ---


def test_facts_are_recorded_by_the_organisations_user(enterprise_user, own_org) -> None:  # type: ignore[no-untyped-def]
    url = reverse("core:facts_edit", args=[own_org.pk, LAST_YEAR - 1])
    response = client_for(enterprise_user).post(
        url, {"revenue": "5000000.00", "staff": "40", "rd_staff": "12"}
    )
    assert response.status_code == 302
    row = EnterpriseFacts.objects.get(organisation=own_org, year=LAST_YEAR - 1)
    assert row.revenue == Decimal("5000000.00") and row.staff == 40 and row.reported_by == enterprise_user
    assert row.rd_expense is None  # left empty: missing, not zero


def test_inconsistent_facts_are_refused_field_by_field(enterprise_user, own_org) -> None:  # type: ignore[no-untyped-def]
    url = reverse("core:facts_edit", args=[own_org.pk, LAST_YEAR - 1])
    response = in_english(client_for(enterprise_user)).post(url, {"staff": "10", "rd_staff": "30"})
    assert response.status_code == 422
    assert "Cannot exceed the total staff." in response.content.decode()
    assert not EnterpriseFacts.objects.filter(organisation=own_org, year=LAST_YEAR - 1).exists()


def test_facts_cannot_be_reported_for_the_future_or_for_non_enterprises(
    enterprise_user, own_org, make_org, make_user
) -> None:  # type: ignore[no-untyped-def]
    future = reverse("core:facts_edit", args=[own_org.pk, dt.date.today().year + 1])
    assert client_for(enterprise_user).get(future).status_code == 404
    uni = make_org(kind=Organisation.Kind.UNIVERSITY, name="测试大学")
    uni_user = make_user(User.Role.INSTITUTION, uni)
    assert client_for(uni_user).get(reverse("core:facts_edit", args=[uni.pk, LAST_YEAR])).status_code == 404


def test_other_organisation_cannot_post_facts(other_user, own_org, registry) -> None:  # type: ignore[no-untyped-def]
    url = reverse("core:facts_edit", args=[own_org.pk, LAST_YEAR])
    assert client_for(other_user).post(url, {"revenue": "1"}).status_code == 403
    assert EnterpriseFacts.objects.get(organisation=own_org, year=LAST_YEAR).revenue == Decimal("98765432.10")


# --- organisation list: search as you type, filters, pagination, empty state ---


def test_organisation_search_filters_and_answers_htmx_with_a_fragment(own_org, other_org, make_org) -> None:  # type: ignore[no-untyped-def]
    make_org(name="南京测试研究院", kind=Organisation.Kind.INSTITUTE, region=Region.objects.get(pk="320100"))
    client = client_for(None)
    url = reverse("core:organisation_list")
    fragment = client.get(url, {"q": "自有"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "上海自有科技有限公司" in fragment and "上海他人" not in fragment
    by_code = client.get(url, {"q": other_org.uscc.lower()}).content.decode()
    assert "上海他人科技有限公司" in by_code and "上海自有" not in by_code
    institutes = client.get(url, {"kind": "institute"}).content.decode()
    assert "南京测试研究院" in institutes and "上海自有" not in institutes
    jiangsu = client.get(url, {"region": "320000"}).content.decode()  # a province includes its cities
    assert "南京测试研究院" in jiangsu and "上海自有" not in jiangsu
    empty = client.get(url, {"q": "不存在的名字"}).content.decode()
    assert 'data-testid="empty"' in empty


def test_organisation_list_paginates(make_org) -> None:  # type: ignore[no-untyped-def]
    for i in range(27):
        make_org(name=f"分页测试{i:02d}公司")
    client = client_for(None)
    first = client.get(reverse("core:organisation_list"), {"q": "分页测试"}).content.decode()
    second = client.get(reverse("core:organisation_list"), {"q": "分页测试", "page": 2}).content.decode()
    assert "分页测试00公司" in first and "分页测试26公司" not in first
    assert "分页测试26公司" in second and 'rel="prev"' in second


# --- people and carriers ---


def test_person_detail_shows_the_affiliation_history_newest_first(
    registry, own_org, other_org, people
) -> None:  # type: ignore[no-untyped-def]
    url = reverse("core:person_detail", args=[registry["person"].pk])
    html = client_for(None).get(url).content.decode()
    assert html.index("上海自有科技有限公司") < html.index("上海他人科技有限公司")
    assert "2015-03-01" in html and "2021-07-01" in html and "首席科学家" in html
    assert "li@example.cn" not in html  # contact details are not public
    assert "li@example.cn" in client_for(people["own"]).get(url).content.decode()
    assert "li@example.cn" not in client_for(people["other"]).get(url).content.decode()  # a past employer


def test_people_search(registry) -> None:  # type: ignore[no-untyped-def]
    client = client_for(None)
    assert "李研究" in client.get(reverse("core:person_list"), {"q": "李"}).content.decode()
    assert "李研究" not in client.get(reverse("core:person_list"), {"kind": "broker"}).content.decode()


def test_carrier_filters(registry, make_org) -> None:  # type: ignore[no-untyped-def]
    services.create_carrier(None, name="苏州测试实验室", kind=Carrier.Kind.LAB_MUNICIPAL,
                            region=Region.objects.get(pk="320500"))  # fmt: skip
    client = client_for(None)
    url = reverse("core:carrier_list")
    incubators = client.get(url, {"kind": "incubator"}).content.decode()
    assert "浦东测试孵化器" in incubators and "苏州测试实验室" not in incubators
    shanghai = client.get(url, {"region": "310000"}).content.decode()
    assert "浦东测试孵化器" in shanghai and "苏州测试实验室" not in shanghai
    district = client.get(url, {"region": "310115"}).content.decode()
    assert "浦东测试孵化器" in district
    detail = client.get(reverse("core:carrier_detail", args=[registry["carrier"].pk])).content.decode()
    assert "12,000" in detail or "12000" in detail


# --- audit log ---


def test_audit_log_filters_and_shows_before_and_after(admin_user, enterprise_user, own_org) -> None:  # type: ignore[no-untyped-def]
    services.update_organisation(enterprise_user, own_org, address="张江路 1 号")
    client = client_for(admin_user)
    html = client.get(reverse("core:audit_log"), {"actor": enterprise_user.username}).content.decode()
    assert html.count('data-testid="audit-entry"') == 1
    assert "organisation.update" in html and "张江路 1 号" in html and "<del" in html
    none = client.get(reverse("core:audit_log"), {"type": "core.person"}).content.decode()
    assert 'data-testid="audit-entry"' not in none
    today = dt.date.today()
    assert 'data-testid="audit-entry"' not in client.get(
        reverse("core:audit_log"), {"since": (today + dt.timedelta(days=2)).isoformat()}).content.decode()  # fmt: skip
    bad_date = in_english(client).get(reverse("core:audit_log"), {"since": "yesterday"})
    assert bad_date.status_code == 200 and "2022-12-31" in bad_date.content.decode()


# --- API tokens ---


def test_tokens_are_created_shown_once_and_revoked(enterprise_user) -> None:  # type: ignore[no-untyped-def]
    client = client_for(enterprise_user)
    url = reverse("core:api_tokens")
    created = client.post(url, {"name": "ERP"}).content.decode()
    assert 'data-testid="new-token"' in created
    token = ApiToken.objects.get(user=enterprise_user, name="ERP")
    assert 'data-testid="new-token"' not in client.get(url).content.decode()
    assert client.post(url, {"revoke": token.pk}).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.post(url, {"name": ""}).status_code == 422  # a name is required
    assert client.post(url, {"revoke": "x"}).status_code == 400


def test_a_user_cannot_revoke_someone_elses_token(enterprise_user, other_user) -> None:  # type: ignore[no-untyped-def]
    token, _key = services.issue_api_token(enterprise_user, "令牌-ERP-导出")
    client_for(other_user).post(reverse("core:api_tokens"), {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "令牌-ERP-导出" not in client_for(other_user).get(reverse("core:api_tokens")).content.decode()


# --- inbox ---


def test_inbox_shows_the_users_and_the_organisations_notifications_only(
    enterprise_user, other_user, own_org, other_org
) -> None:  # type: ignore[no-untyped-def]
    services.notify(None, "test", "给本单位的通知", organisation=own_org)
    services.notify(None, "test", "给本人的通知", user=enterprise_user)
    services.notify(None, "test", "给他人的通知", organisation=other_org)
    mine = client_for(enterprise_user).get(reverse("core:inbox")).content.decode()
    assert "给本单位的通知" in mine and "给本人的通知" in mine and "给他人的通知" not in mine
    badge = client_for(enterprise_user).get(reverse("core:inbox_badge")).content.decode()
    assert ">2<" in badge
    assert "给本单位的通知" not in client_for(other_user).get(reverse("core:inbox")).content.decode()


def test_marking_read_one_and_all(enterprise_user, own_org) -> None:  # type: ignore[no-untyped-def]
    one = services.notify(None, "test", "一", organisation=own_org)
    services.notify(None, "test", "二", user=enterprise_user)
    client = client_for(enterprise_user)
    assert client.post(reverse("core:inbox_mark_read"), {"id": one.pk}).status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    assert AuditEntry.objects.filter(action="notification.read", object_id=str(one.pk)).exists()
    unread = client.get(reverse("core:inbox"), {"show": "unread"}).content.decode()
    assert "二" in unread and ">一<" not in unread
    client.post(reverse("core:inbox_mark_read"), {"all": "1"})
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert client.get(reverse("core:inbox_mark_read")).status_code == 405


def test_a_user_cannot_mark_another_organisations_notification(other_user, own_org) -> None:  # type: ignore[no-untyped-def]
    note = services.notify(None, "test", "机密", organisation=own_org)
    client_for(other_user).post(reverse("core:inbox_mark_read"), {"id": note.pk})
    client_for(other_user).post(reverse("core:inbox_mark_read"), {"all": "1"})
    note.refresh_from_db()
    assert note.read_at is None
    assert (
        client_for(None).post(reverse("core:inbox_mark_read"), {"all": "1"}).status_code == 302
    )  # to sign in


# --- signing in and out ---


def test_sign_in_and_out(enterprise_user) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import PASSWORD

    client = client_for(None)
    bad = client.post(reverse("login"), {"username": enterprise_user.username, "password": "wrong"})
    assert bad.status_code == 200 and 'data-testid="login-error"' in bad.content.decode()
    ok = client.post(reverse("login"), {"username": enterprise_user.username, "password": PASSWORD,
                                        "next": reverse("core:inbox")})  # fmt: skip
    assert ok.status_code == 302 and ok["Location"] == reverse("core:inbox")
    assert enterprise_user.username in client.get(reverse("core:home")).content.decode()
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("core:inbox")).status_code == 302


def test_home_shows_registry_figures_and_chart_data(registry) -> None:  # type: ignore[no-untyped-def]
    html = client_for(None).get(reverse("core:home")).content.decode()
    assert 'id="chart-data"' in html and "vendor/chart.umd.min.js" in html
    assert 'data-testid="count-organisations">2<' in html


def test_every_page_has_landmarks_and_a_language_switch(people, own_org, registry) -> None:  # type: ignore[no-untyped-def]
    urls = _urls(own_org, registry)
    client = client_for(people["admin"])
    for name, url in urls.items():
        if name in ("inbox_badge", "job_progress", "job_download"):  # fragments and files, not pages
            continue
        html = client.get(url).content.decode()
        for landmark in ('<header class="site-header"', '<main id="main"', "<footer", 'aria-label="'):
            assert landmark in html, (name, landmark)
        assert 'data-testid="lang-switch"' in html, name


def test_the_sites_own_assets_are_found_by_the_static_finders() -> None:
    """runserver --insecure and the live server serve only what the finders find."""
    from django.contrib.staticfiles import finders

    assert finders.find("kechuang/site.css")


def test_an_expired_form_gets_an_explanation_not_a_bare_403(enterprise_user, own_org) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(enterprise_user)
    response = client.post(
        reverse("core:organisation_edit", args=[own_org.pk]), _profile_post(own_org, name="X")
    )
    assert response.status_code == 403
    assert "表单已过期" in response.content.decode()
    own_org.refresh_from_db()
    assert own_org.name == "上海自有科技有限公司"


def test_a_large_organisation_shows_a_few_people_and_links_to_all(own_org) -> None:  # type: ignore[no-untyped-def]
    for i in range(30):
        services.create_person(None, affiliation=own_org, name=f"研究员{i:02d}", kind="researcher")
    html = client_for(None).get(reverse("core:organisation_detail", args=[own_org.pk])).content.decode()
    assert len(re.findall(r'href="/people/\d+/"', html)) == 24
    assert 'data-testid="all-people"' in html and "30" in html


def test_a_token_made_on_the_page_opens_the_api_until_it_is_revoked(
    enterprise_user, own_org, registry
) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    page = client_for(enterprise_user)
    html = page.post(reverse("core:api_tokens"), {"name": "脚本"}).content.decode()
    key = re.search(r'data-testid="new-token">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    api = Client(headers={"Authorization": f"Bearer {key}"})
    facts_url = f"/api/v1/core/organisations/{own_org.pk}/facts"
    assert api.get(facts_url).status_code == 200
    token = ApiToken.objects.get(user=enterprise_user, name="脚本")
    page.post(reverse("core:api_tokens"), {"revoke": token.pk})
    assert api.get(facts_url).status_code == 401


def test_staff_get_a_back_office_link_on_people_and_carriers(registry, people) -> None:  # type: ignore[no-untyped-def]
    for url in (reverse("core:person_detail", args=[registry["person"].pk]),
                reverse("core:carrier_detail", args=[registry["carrier"].pk])):  # fmt: skip
        assert "/admin/core/" in client_for(people["staff"]).get(url).content.decode()
        for who in ("anonymous", "own", "other"):
            assert "/admin/core/" not in client_for(people[who]).get(url).content.decode(), who


@pytest.mark.django_db
def test_navigation_reaches_the_public_sections_and_hides_staff_ones(client, staff_user) -> None:  # type: ignore[no-untyped-def]
    html = client.get(reverse("core:organisation_list")).content.decode()
    for name in (
        "achievements:supply_list",
        "rights:figures",
        "contracts:statistics",
        "policies:library",
    ):
        assert f'href="{reverse(name)}"' in html
    assert "赋权与估值" in html
    assert f'href="{reverse("contracts:queue")}"' not in html
    staff_html = client_for(staff_user).get(reverse("core:organisation_list")).content.decode()
    assert f'href="{reverse("contracts:queue")}"' in staff_html


def test_service_errors_go_back_to_the_form_field_they_name() -> None:
    from django import forms as django_forms
    from django.core.exceptions import ValidationError

    from kechuang.core.forms import apply_service_errors

    class Form(django_forms.Form):
        items = django_forms.CharField(required=False)
        revenue = django_forms.CharField(required=False)
        keywords_text = django_forms.CharField(required=False)

    form = Form(data={})
    assert form.is_valid()
    apply_service_errors(
        form,
        ValidationError(
            {
                "items.0.patent_number": ["坏号码"],
                "facts.revenue": ["负数"],
                "keywords": ["太多"],
                "other": ["别的"],
            }
        ),
        rename={"keywords": "keywords_text"},
    )
    assert form.errors["items"] == ["坏号码"] and form.errors["revenue"] == ["负数"]
    assert form.errors["keywords_text"] == ["太多"] and form.non_field_errors() == ["别的"]
    # A service error without field names (a plain message) is a form-wide error, not a crash.
    plain = Form(data={})
    assert plain.is_valid()
    apply_service_errors(plain, ValidationError("不能保存"))
    assert plain.non_field_errors() == ["不能保存"]


def test_every_page_names_its_icon_and_the_icon_exists() -> None:
    """Without it browsers ask for /favicon.ico and log a 404 on every page."""
    from django.contrib.staticfiles import finders

    page = client_for(None).get("/").content.decode()
    assert re.search(r'<link rel="icon" type="image/svg\+xml" href="/static/kechuang/favicon\.svg', page)
    icon = finders.find("kechuang/favicon.svg")
    assert icon and Path(icon).read_text().startswith("<svg")


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/matching/", "技术需求"),
        ("/matching/calls/", "揭榜挂帅"),
        ("/matching/experts/", "专家"),
        ("/people/", "专家"),
    ],
)
def test_the_navigation_marks_one_entry_as_current(path: str, current: str) -> None:
    page = client_for(None).get(path).content.decode()
    nav = page[page.index('class="main-nav"') :]
    nav = nav[: nav.index("</nav>")]
    marked = re.findall(r'aria-current="page">([^<]+)<', nav)
    assert marked == [current]


def test_technology_fields_are_listed_under_their_domain() -> None:
    """One <optgroup> per high-tech domain: the demand, supply and organisation forms share it."""
    from kechuang.core.forms import TechFieldChoice

    class Form(forms.Form):
        tech_fields = TechFieldChoice()

    html = str(Form()["tech_fields"])
    assert html.count("<optgroup") == TechField.objects.filter(parent__isnull=True).count() == 8
    assert '<optgroup label="1 电子信息">\n  <option value="1">1 电子信息（整个领域）</option>' in html
    assert '<option value="1.2">1.2 微电子技术</option>' in html
    # A typed selection survives an error elsewhere on the form; an unknown code is refused.
    bound = Form(data={"tech_fields": ["1.2", "2"]})
    assert bound.is_valid() and [f.pk for f in bound.cleaned_data["tech_fields"]] == ["1.2", "2"]
    assert '<option value="1.2" selected>' in str(bound["tech_fields"])
    assert not Form(data={"tech_fields": ["99"]}).is_valid()
