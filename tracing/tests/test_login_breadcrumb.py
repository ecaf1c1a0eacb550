"""Login through the real OIDC flow (Cognito stand-in over HTTP) leaves one breadcrumb."""

from __future__ import annotations

import re

import pytest
import requests

from tracing.tests.conftest import Breadcrumbs


@pytest.mark.django_db(transaction=True)
def test_logging_in_through_cognito_leaves_one_login_breadcrumb(
    cognito, live_server, breadcrumbs: Breadcrumbs
):
    browser = requests.Session()
    browser.get(f"{live_server.url}/login", timeout=10).raise_for_status()
    authorize_page = browser.post(
        f"{live_server.url}/accounts/amazon-cognito/login/",
        data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        headers={"Referer": f"{live_server.url}/login"},
        timeout=10,
    )
    assert authorize_page.url.startswith(cognito.standin_url), authorize_page.url
    found = re.search(r'name="request_id" value="([^"]+)"', authorize_page.text)
    assert found, authorize_page.text
    request_id = found.group(1)
    dashboard = browser.post(
        f"{cognito.standin_url}/login",
        data={"request_id": request_id, "username": "tom", "password": "stratospheric"},
        timeout=10,
    )
    assert dashboard.status_code == 200
    assert dashboard.url == f"{live_server.url}/dashboard", dashboard.url

    items = sorted(breadcrumbs("tom"), key=lambda item: item["sk"])
    assert [item["action"] for item in items] == ["login", "view_dashboard"]
    login = items[0]
    assert login["path"] == "/accounts/amazon-cognito/login/callback/"
    assert login["method"] == "GET"
    assert login["status"] == 302
