"""The staff pages in a real headless Chromium: launching it, and signing a person in.

Browser tests sign staff in only through ``sign_in_page`` so that a change to sign-in (a
second factor) is made here once.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from e2e_stack import GATEWAY, PASSWORD

from servicekit.totp_wallet import WALLET

CHROMIUM = Path("/usr/bin/chromium")


@contextmanager
def chromium() -> Iterator:
    """Debian's Chromium driven by Playwright, headless."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: apt-get install chromium "
                    "(.ci/run does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            # Root in a container has no user namespaces for Chromium's sandbox.
            args=["--no-sandbox"] if sys.platform == "linux" else [])
        try:
            yield browser
        finally:
            browser.close()


def sign_in_page(page, email: str, password: str = PASSWORD, *, then: str = "/app/home") -> None:
    """Sign in on the staff sign-in page and wait until ``then`` is shown."""
    page.goto(f"{GATEWAY}/app/login?next={then}")
    page.fill("#sign-in-email", email)
    page.fill("#sign-in-password", password)
    page.click("#sign-in-submit")
    page.wait_for_load_state()
    if page.locator("#sign-in-otp").count():  # a second factor: the app's code
        page.fill("#sign-in-password", password)
        page.fill("#sign-in-otp", WALLET.code_for(email))
        page.click("#sign-in-submit")
    elif page.locator("#enrol-secret").count():  # a User Manager's first sign-in
        secret = page.inner_text("#enrol-secret").strip()
        WALLET.remember(email, secret, [])
        page.fill("#enrol-code", WALLET.code_for(email))
        page.click("#enrol-submit")
        page.wait_for_selector("#recovery-codes")
        WALLET.remember(email, secret, [c.strip() for c in
                                        page.locator("#recovery-codes code").all_inner_texts()])
        page.click("#continue-link")
    page.wait_for_url(f"{GATEWAY}{then}")
