"""Makes the shared fixtures of tests/conftest.py visible to every app's tests under src/.

pytest only applies a conftest.py to tests below its own directory; the apps' tests live in
src/kechuang/<app>/tests, so the shared fixtures are re-exported from the repository root.
"""

from tests.conftest import *  # noqa: F403


def pytest_configure(config) -> None:  # type: ignore[no-untyped-def]
    # Tests create many accounts; the production hasher (PBKDF2, a million rounds) would spend
    # seconds per test hashing throwaway passwords. Tests never check hash strength.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
