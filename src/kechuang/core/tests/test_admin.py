"""Staff changes made in the Django admin go through the services: validated and audited."""

from __future__ import annotations

from django.urls import reverse
from tests.conftest import client_for, fresh_uscc

from kechuang.core.models import AuditEntry, Carrier, EnterpriseFacts, Organisation, Person, User


def test_admin_creates_and_edits_an_organisation_with_audit(admin_user) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    uscc = fresh_uscc()
    response = client.post(reverse("admin:core_organisation_add"), {
        "uscc": uscc, "name": "后台登记企业", "kind": "enterprise", "region": "310115", "resident": "on",
        "tech_fields": ["1", "2"],
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organisation.objects.get(uscc=uscc)
    entry = AuditEntry.objects.get(action="organisation.create", object_id=str(org.pk))
    assert entry.actor == admin_user and entry.after["tech_fields"] == ["1", "2"]
    response = client.post(reverse("admin:core_organisation_change", args=[org.pk]), {
        "uscc": uscc, "name": "后台改名企业", "kind": "enterprise", "region": "310115", "resident": "on",
        "tech_fields": ["1"],
    })  # fmt: skip
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="organisation.update").latest("id")
    assert entry.before["name"] == "后台登记企业" and entry.after["tech_fields"] == ["1"]


def test_admin_cannot_delete_registry_rows_or_touch_the_audit_log(admin_user, own_org) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    assert client.get(reverse("admin:core_organisation_delete", args=[own_org.pk])).status_code == 403
    entry = AuditEntry.objects.first()
    assert (
        client.post(reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_admin_facts_person_carrier_and_user_are_audited(admin_user, own_org) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    assert client.post(reverse("admin:core_enterprisefacts_add"), {
        "organisation": own_org.pk, "year": 2022, "staff": 9, "st_staff": 3,
    }).status_code == 302  # fmt: skip
    assert EnterpriseFacts.objects.get(organisation=own_org, year=2022).reported_by == admin_user
    assert (
        client.post(
            reverse("admin:core_person_add"),
            {
                "name": "后台专家",
                "kind": "expert",
                "affiliations-TOTAL_FORMS": "0",
                "affiliations-INITIAL_FORMS": "0",
            },
        ).status_code
        == 302
    )
    assert client.post(reverse("admin:core_carrier_add"), {
        "name": "后台孵化器", "kind": "incubator", "region": "310115",
    }).status_code == 302  # fmt: skip
    assert client.post(reverse("admin:core_user_add"), {
        "username": "from-admin", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase",
        "role": "enterprise", "organisation": own_org.pk,
    }).status_code == 302  # fmt: skip
    assert User.objects.get(username="from-admin").organisation == own_org
    actions = set(AuditEntry.objects.filter(actor=admin_user).values_list("action", flat=True))
    assert {"facts.create", "person.create", "carrier.create", "user.create"} <= actions
    assert (
        Person.objects.filter(name="后台专家").exists() and Carrier.objects.filter(name="后台孵化器").exists()
    )


def test_admin_is_for_staff_only(enterprise_user) -> None:  # type: ignore[no-untyped-def]
    for user in (None, enterprise_user):
        response = client_for(user).get(reverse("admin:core_organisation_changelist"))
        assert response.status_code == 302 and "/login/" in response["Location"]
