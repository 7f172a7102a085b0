"""A browser's view of identity's /app/ pages: the Flask test client with cookies, forms with
their CSRF token, and the links identity mailed."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
LINK = re.compile(r"https?://\S+")
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
    return submit(browser, "/app/login", email=email, password=password)
