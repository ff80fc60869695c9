"""Accounts and sessions: sign-in throttling and lockout, password rules everywhere, password reset
by e-mail end to end, the idle session timeout."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from tests.conftest import PASSWORD, client_for, in_english

from kechuang.core import services
from kechuang.core.importers import import_file
from kechuang.core.models import AuditEntry, User

WEAK = ["visitor2022", "84736251", "kechuang2022", "1", "password123", "shanghai2023"]


def _sign_in(client: Client, username: str, password: str, path: str = "login", **extra):  # type: ignore[no-untyped-def]
    return client.post(reverse(path), {"username": username, "password": password}, **extra)


# --- throttling and lockout ---


@pytest.mark.parametrize("path", ["login", "admin:login"])
def test_an_account_is_locked_after_five_wrong_passwords(make_user, path) -> None:  # type: ignore[no-untyped-def]
    user = make_user(User.Role.ADMIN)
    client = Client()
    for _ in range(4):
        assert _sign_in(client, user.username, "wrong-password", path).status_code == 200
    locked = _sign_in(client, user.username, "wrong-password", path)
    assert locked.status_code == 429 and 'data-testid="locked-out"' in locked.content.decode()
    assert "15 分钟" in locked.content.decode() and locked["Retry-After"] == "900"
    # The right password does not get through while locked, from this address or another one.
    for addr in ("127.0.0.1", "10.9.8.7"):
        right = _sign_in(Client(REMOTE_ADDR=addr), user.username, PASSWORD, path)
        assert right.status_code == 429 and "_auth_user_id" not in right.client.session
    english = _sign_in(in_english(Client()), user.username, PASSWORD, path).content.decode()
    assert "Signing in is locked for 15 minutes" in english


def test_an_address_is_locked_after_five_wrong_passwords_for_any_accounts(make_user) -> None:  # type: ignore[no-untyped-def]
    victim = make_user(User.Role.VISITOR)
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(5):
        _sign_in(attacker, f"guess-{n}", "wrong-password")
    assert _sign_in(attacker, victim.username, PASSWORD).status_code == 429
    # The account itself is not locked: from another address it signs in.
    assert _sign_in(Client(REMOTE_ADDR="198.51.100.1"), victim.username, PASSWORD).status_code == 302


def test_a_success_before_the_limit_resets_the_count(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(User.Role.VISITOR)
    client = Client()
    for _ in range(4):
        _sign_in(client, user.username, "wrong-password")
    assert _sign_in(client, user.username, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        _sign_in(client, user.username, "wrong-password")
    assert _sign_in(client, user.username, PASSWORD).status_code == 302


@override_settings(BEHIND_PROXY=True, PROXY_COUNT=1)
def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(make_user) -> None:  # type: ignore[no-untyped-def]
    from kechuang.core.accounts import client_ip

    user = make_user(User.Role.VISITOR)
    # The client forges X-Forwarded-For entries; only the proxy's own (right-most) one counts.
    for n in range(5):
        Client(REMOTE_ADDR="10.0.0.2").post(reverse("login"), {"username": f"g{n}", "password": "x"},
                                            headers={"X-Forwarded-For": f"1.1.1.{n}, 203.0.113.50"})  # fmt: skip
    blocked = Client(REMOTE_ADDR="10.0.0.2").post(
        reverse("login"), {"username": user.username, "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.50"},
    )  # fmt: skip
    assert blocked.status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.2").post(
        reverse("login"), {"username": user.username, "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )  # fmt: skip
    assert other.status_code == 302

    class R:
        META = {"REMOTE_ADDR": "10.0.0.2"}

    assert client_ip(R()) == "10.0.0.2"  # type: ignore[arg-type]


def _lock(username: str, addr: str = "127.0.0.1") -> None:
    for _ in range(5):
        _sign_in(Client(REMOTE_ADDR=addr), username, "wrong-password")


def test_an_administrator_unlocks_an_account_in_the_back_office(make_user, admin_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(User.Role.VISITOR)
    _lock(user.username, "203.0.113.7")
    assert _sign_in(Client(), user.username, PASSWORD).status_code == 429
    admin = client_for(admin_user)
    listing = admin.get(reverse("admin:core_signinlockout_changelist")).content.decode()
    assert user.username in listing and "203.0.113.7" in listing
    response = admin.post(reverse("admin:core_user_changelist"),
                          {"action": "unlock_sign_in", "_selected_action": [user.pk]})  # fmt: skip
    assert response.status_code == 302
    assert _sign_in(Client(), user.username, PASSWORD).status_code == 302
    entry = AuditEntry.objects.filter(action="user.unlock").get()
    assert entry.actor == admin_user and entry.before["username"] == user.username


def test_the_lockout_list_unlocks_an_address_and_is_for_administrators_only(
    make_user, admin_user, staff_user
) -> None:  # type: ignore[no-untyped-def]
    from axes.models import AccessAttempt

    _lock("nobody", "203.0.113.8")
    assert client_for(staff_user).get(reverse("admin:core_signinlockout_changelist")).status_code == 403
    row = AccessAttempt.objects.get(ip_address="203.0.113.8")
    client_for(admin_user).post(reverse("admin:core_signinlockout_changelist"),
                                {"action": "unlock", "_selected_action": [row.pk]})  # fmt: skip
    assert not AccessAttempt.objects.filter(ip_address="203.0.113.8").exists()
    with pytest.raises(Exception, match="administrators"):
        services.unlock_sign_in(staff_user, username="nobody")


def test_the_cli_lists_and_unlocks(make_user, capsys) -> None:  # type: ignore[no-untyped-def]
    from django.core.management.base import CommandError

    user = make_user(User.Role.VISITOR)
    _lock(user.username, "203.0.113.9")
    call_command("accounts", "locked")
    out = capsys.readouterr().out
    assert "LOCKED" in out and user.username in out
    call_command("accounts", "unlock", user.username)
    assert "cleared 1" in capsys.readouterr().out
    assert _sign_in(Client(REMOTE_ADDR="203.0.113.9"), user.username, PASSWORD).status_code == 302
    with pytest.raises(CommandError, match="nothing to unlock"):
        call_command("accounts", "unlock", "--ip", "192.0.2.1")
    assert AuditEntry.objects.filter(action="user.unlock", actor__isnull=True).count() == 1


# --- password rules, everywhere ---


@pytest.mark.parametrize("weak", ["visitor2022", "84736251", "kechuang2022"])
def test_the_change_form_refuses_weak_passwords(make_user, weak) -> None:  # type: ignore[no-untyped-def]
    user = make_user(User.Role.VISITOR, username="visitor")
    client = client_for(user)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": weak, "new_password2": weak})  # fmt: skip
    assert response.status_code == 200 and "field-errors" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_change_form_accepts_a_good_password(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(User.Role.VISITOR)
    client = client_for(user)
    assert 'href="/accounts/password_change/"' in client.get(reverse("core:home")).content.decode()
    good = "Ming-river-47-lantern"
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": good, "new_password2": good})  # fmt: skip
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(good)
    entry = AuditEntry.objects.get(action="user.password_change")
    assert entry.actor == user and "pbkdf2" not in json.dumps(entry.after)
    assert "_auth_user_id" in client.session  # still signed in after changing it


@pytest.mark.parametrize("weak", WEAK)
def test_services_refuse_weak_passwords_in_both_languages(make_user, weak) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with pytest.raises(ValidationError) as exc:
        services.create_user(None, "new-person", weak, User.Role.VISITOR)
    messages = exc.value.message_dict["password"]
    assert messages
    with translation.override("en"):
        english = [str(m) for m in exc.value.error_dict["password"][0].messages]
    assert english and all(re.search("[A-Za-z]", m) and not re.search("[\u4e00-\u9fff]", m) for m in english)
    user = make_user(User.Role.VISITOR)
    with pytest.raises(ValidationError):
        services.update_user(None, user, password=weak)
    assert not User.objects.filter(username="new-person").exists()


def test_import_refuses_a_weak_password_and_names_the_row(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "u.csv"
    path.write_text(
        "username,role,password\nstrong,visitor,Ming-river-47-lantern\nweak,visitor,1\n", encoding="utf-8"
    )
    report = import_file("users", path)
    assert {(e.line, e.column) for e in report.errors} == {(3, "password")}
    assert "short" in " ".join(report.lines("en")) and "太短" in " ".join(report.lines("zh"))
    assert not User.objects.filter(username__in=["strong", "weak"]).exists()  # all or nothing


def test_the_back_office_refuses_a_weak_password(admin_user) -> None:  # type: ignore[no-untyped-def]
    response = client_for(admin_user).post(reverse("admin:core_user_add"), {
        "username": "from-admin", "password1": "kechuang2022", "password2": "kechuang2022", "role": "visitor"})  # fmt: skip
    assert response.status_code == 200 and not User.objects.filter(username="from-admin").exists()


# --- e-mail and password reset, end to end ---


def test_password_reset_writes_a_mail_file_whose_link_sets_a_new_password(make_user, tmp_path) -> None:  # type: ignore[no-untyped-def]
    user = make_user(User.Role.VISITOR)
    services.update_user(None, user, email="ops@example.com")
    outbox = tmp_path / "mail"
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=outbox
    ):
        client = Client()
        assert 'data-testid="forgot-password"' in client.get(reverse("login")).content.decode()
        sent = client.post(reverse("password_reset"), {"email": "ops@example.com"})
        assert sent.status_code == 302
        assert 'data-testid="reset-sent"' in client.get(sent["Location"]).content.decode()
    files = list(outbox.iterdir())
    assert len(files) == 1
    message = files[0].read_text(encoding="utf-8")
    assert "To: ops@example.com" in message and user.username in message
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message)
    assert link, message
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    new = "Ming-river-47-lantern"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    assert AuditEntry.objects.filter(action="user.password_reset", object_id=str(user.pk)).exists()
    assert _sign_in(Client(), user.username, new).status_code == 302
    # The link works once.
    again = client.get(link.group(1), follow=True).content.decode()
    assert 'data-testid="reset-invalid"' in again


def test_a_reset_refuses_a_weak_new_password(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(User.Role.VISITOR)
    services.update_user(None, user, email="weak@example.com")
    client = Client()
    client.post(reverse("password_reset"), {"email": "weak@example.com"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)
    assert link
    form = client.get(link.group(1), follow=True)
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": "84736251", "new_password2": "84736251"}
    )
    assert response.status_code == 200 and "field-errors" in response.content.decode()


def _settings_with(env: dict[str, str]) -> dict[str, object]:
    code = ("import json, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'kechuang.settings');"
            "from django.conf import settings as s;"
            "print(json.dumps({k: str(getattr(s, k)) for k in ('EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT',"
            "'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD', 'EMAIL_USE_TLS', 'EMAIL_USE_SSL', 'DEFAULT_FROM_EMAIL',"
            "'EMAIL_FILE_PATH', 'DATA_DIR')}))")  # fmt: skip
    import json
    import os

    full = {k: v for k, v in os.environ.items() if not k.startswith("KECHUANG_EMAIL")} | env
    out = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_email_settings_come_from_kechuang_variables(tmp_path) -> None:
    demo = _settings_with({"KECHUANG_DATA_DIR": str(tmp_path)})
    assert demo["EMAIL_BACKEND"].endswith("filebased.EmailBackend")
    assert Path(str(demo["EMAIL_FILE_PATH"])) == tmp_path / "mail"
    prod = _settings_with({
        "KECHUANG_DATA_DIR": str(tmp_path), "KECHUANG_EMAIL_HOST": "smtp.example.com", "KECHUANG_EMAIL_PORT": "465",
        "KECHUANG_EMAIL_USER": "robot", "KECHUANG_EMAIL_PASSWORD": "s3cret", "KECHUANG_EMAIL_SSL": "1",
        "KECHUANG_EMAIL_FROM": "科创 <noreply@example.com>",
    })  # fmt: skip
    assert prod == prod | {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "smtp.example.com",
        "EMAIL_PORT": "465", "EMAIL_HOST_USER": "robot", "EMAIL_HOST_PASSWORD": "s3cret", "EMAIL_USE_TLS": "False",
        "EMAIL_USE_SSL": "True", "DEFAULT_FROM_EMAIL": "科创 <noreply@example.com>",
    }  # fmt: skip


# --- the idle session timeout ---


def test_a_session_idle_too_long_is_signed_out(enterprise_user, settings) -> None:  # type: ignore[no-untyped-def]
    import time

    from kechuang.core.middleware import IdleSessionTimeoutMiddleware as M

    settings.SESSION_IDLE_TIMEOUT = 600
    client = client_for(enterprise_user)
    assert client.get(reverse("core:inbox")).status_code == 200
    session = client.session
    assert isinstance(session[M.KEY], int)
    session[M.KEY] = int(time.time()) - 599
    session.save()
    assert client.get(reverse("core:inbox")).status_code == 200  # still within the limit; refreshed
    session = client.session
    session[M.KEY] = int(time.time()) - 601
    session.save()
    response = client.get(reverse("core:inbox"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert "_auth_user_id" not in client.session
