"""A browser's view of identity's /app/ pages: the Flask test client with cookies, forms with
their CSRF token, and the links identity mailed."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from servicekit.totp_wallet import WALLET

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
LINK = re.compile(r"https?://\S+")
SECRET = re.compile(r'id="enrol-secret">([A-Z2-7]+)<')
CODE_ITEM = re.compile(r"<li><code>([a-z0-9-]+)</code></li>")
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "quiet meadow lantern river"


def csrf_of(page) -> str:
    return CSRF.search(page.get_data(as_text=True)).group(1)


def mailed_link(mail) -> str:
    """The path and query of the one link in a mail, as the browser would open it."""
    [link] = LINK.findall(mail.get_content())
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def submit(browser, path: str, **fields):
    """Open the page at ``path`` and send its form (hidden fields too) with ``fields``."""
    page = browser.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    hidden = dict(HIDDEN.findall(page.get_data(as_text=True)))
    return browser.post(path.split("?")[0], data={**hidden, **fields})


def sign_in(browser, email: str, password: str = PASSWORD):
    """Sign in on /app/login as a person would: enrolling the authenticator app when the
    account must have one, typing its code when asked (servicekit.totp_wallet)."""
    answer = submit(browser, "/app/login", email=email, password=password)
    if answer.status_code == 302 and answer.location.endswith("/app/second-factor/enrol"):
        return enrol(browser, email)
    if answer.status_code == 401 and 'name="otp"' in answer.get_data(as_text=True):
        hidden = dict(HIDDEN.findall(answer.get_data(as_text=True)))
        return browser.post("/app/login", data={**hidden, "email": email, "password": password,
                                                "otp": WALLET.code_for(email)})
    return answer


def enrol(browser, email: str):
    """The enrollment page: read the key as the app would scan it, answer with its code."""
    page = browser.get("/app/second-factor/enrol")
    assert page.status_code == 200, page.get_data(as_text=True)
    secret = SECRET.search(page.get_data(as_text=True)).group(1)
    WALLET.remember(email, secret, [])
    done = browser.post("/app/second-factor/enrol", data={
        "csrf_token": csrf_of(page), "code": WALLET.code_for(email)})
    assert done.status_code == 302, done.get_data(as_text=True)
    shown = browser.get(done.location)  # the recovery codes, shown this once
    WALLET.remember(email, secret, CODE_ITEM.findall(shown.get_data(as_text=True)))
    return done
