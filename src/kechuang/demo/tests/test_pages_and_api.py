"""The staff status page and API of the demo dataset: permissions and content."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tests.conftest import client_for, in_english

from kechuang.core.models import User
from kechuang.demo.context import DemoContext
from kechuang.demo.runner import run_steps

URL = "/demo/"


@pytest.fixture
def loaded(db: Any) -> None:
    assert [r.status for r in run_steps(DemoContext(quiet=True, scale=0.003), ["core"])] == ["done"]


def test_status_page_permissions(
    loaded: None, enterprise_user: User, other_user: User, staff_user: User
) -> None:
    anonymous = client_for(None).get(URL)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert client_for(other_user).get(URL).status_code == 403
    assert client_for(enterprise_user).get(URL).status_code == 403  # an enterprise user is not staff
    page = client_for(staff_user).get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert "<code>core</code>" in body and "rd_claimants" in body
    assert 'data-testid="figures"' in body


def test_status_page_in_english(loaded: None, staff_user: User) -> None:
    client = client_for(staff_user)
    body = in_english(client).get(URL).content.decode()
    assert "Demo dataset" in body


def test_api_permissions_and_content(
    loaded: None, api_for: Callable[..., Any], enterprise_user: User, other_user: User, staff_user: User
) -> None:
    for path in ("/api/v1/demo/steps", "/api/v1/demo/figures"):
        assert api_for(None).get(path).status_code == 401
        assert api_for(other_user).get(path).status_code == 403
        assert api_for(enterprise_user).get(path).status_code == 403
        assert api_for(staff_user).get(path).status_code == 200
    steps = api_for(staff_user).get("/api/v1/demo/steps").json()
    assert [s["name"] for s in steps] == ["core"] and steps[0]["counts"]["enterprises"] > 0
    figures = {f["key"]: f for f in api_for(staff_user).get("/api/v1/demo/figures").json()}
    assert figures["rd_claimants"]["target"] == "35,686"
    assert int(figures["rd_claimants"]["value"]) == round(35_686 * 0.003)
