from __future__ import annotations

import re
from urllib.parse import urljoin

import requests

HIDDEN_INPUT = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


def hidden_inputs(html: str) -> dict[str, str]:
    return dict(HIDDEN_INPUT.findall(html))


def form_action(html: str, base_url: str) -> str:
    match = re.search(r'<form method="post" action="([^"]+)"', html)
    assert match, "no POST form on the page"
    action: str = match.group(1)
    return urljoin(base_url, action)


def open_standin_login(browser: requests.Session, app_url: str) -> requests.Response:
    """The app's login page, its button, and the stand-in's sign-in form it leads to."""
    login_page = browser.get(f"{app_url}/login")
    assert login_page.status_code == 200
    sign_in = browser.post(
        form_action(login_page.text, login_page.url), data=hidden_inputs(login_page.text)
    )
    assert sign_in.status_code == 200
    assert "Sign in" in sign_in.text
    return sign_in


def submit_credentials(
    browser: requests.Session, sign_in: requests.Response, username: str, password: str
) -> requests.Response:
    return browser.post(
        form_action(sign_in.text, sign_in.url),
        data={**hidden_inputs(sign_in.text), "username": username, "password": password},
    )


def log_in(
    browser: requests.Session, app_url: str, username: str, password: str
) -> requests.Response:
    return submit_credentials(browser, open_standin_login(browser, app_url), username, password)
