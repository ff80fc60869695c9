"""Password rules, one set for every path that sets a password.

Django's validators (settings.AUTH_PASSWORD_VALIDATORS) run in the change and reset forms and the
back office by themselves; services.create_user and services.update_user run them too, so imports
and any API get the same refusals. The demo loader alone creates its documented accounts with the
published demo password (docs/demo-data.md), and says so.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

# Words an attacker tries first against this platform: its own name and the demo's accounts.
CONTEXT_WORDS = ("kechuang", "科创", "keji", "shanghai", "visitor", "enterprise", "institution", "provider",
                 "reviewer", "analyst", "admin", "password")  # fmt: skip
_WORD_AND_YEAR = re.compile(r"^[^\W\d_]+[\W_]*(19|20)\d\d[\W_]*$")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule with a message of our own: Django's Chinese catalogue lacks the current
    wording of its message, which then showed in English on Chinese pages."""

    def get_error_message(self) -> str:
        return str(
            _("This password is too short. It must contain at least %(n)d characters.")
            % {"n": self.min_length}
        )

    def get_help_text(self) -> str:
        return str(_("Your password must contain at least %(n)d characters.") % {"n": self.min_length})


class ContextPasswordValidator:
    """Refuses a password that is a word an attacker would guess for this site (the platform's
    name, a role name), alone or with a year or a few digits and punctuation around it, and any
    word followed by a year ("visitor2022")."""

    def validate(self, password: str, user: Any = None) -> None:
        bare = re.sub(r"[\W\d_]+", "", password.lower())
        if bare in CONTEXT_WORDS or _WORD_AND_YEAR.match(password):
            raise ValidationError(self._message(), code="password_guessable")

    def _message(self) -> Any:
        return _("This password is too easy to guess: a word of this site or a word followed by a year.")

    def get_help_text(self) -> Any:
        return _("Your password can't be the site's name, a role name, or a word followed by a year.")


def _bilingual(messages: dict[str, str]) -> Any:
    """A message that reads in whichever language is active when it is shown (reports, API)."""

    def pick() -> str:
        lang = translation.get_language() or "zh-hans"
        return messages["en"] if lang.startswith("en") else messages["zh"]

    return lazy(pick, str)()


def password_problems(password: str, user: Any = None) -> list[Any]:
    """Every rule `password` breaks, each message lazily bilingual (Django's own are eager)."""
    by_lang: dict[str, list[str]] = {}
    for lang, code in (("zh", "zh-hans"), ("en", "en")):
        with translation.override(code):
            try:
                password_validation.validate_password(password, user)
                by_lang[lang] = []
            except ValidationError as exc:
                by_lang[lang] = [str(m) for m in exc.messages]
    return [_bilingual({"zh": zh, "en": en}) for zh, en in zip(by_lang["zh"], by_lang["en"], strict=True)]


def check_password(password: str, user: Any = None) -> None:
    """Raise a ValidationError on the `password` field when `password` breaks a rule."""
    problems = password_problems(password, user)
    if problems:
        raise ValidationError({"password": [ValidationError(m, code="password_weak") for m in problems]})
