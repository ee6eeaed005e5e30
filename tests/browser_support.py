"""Real headless Chromium for the browser tests: Debian's package (/usr/bin/chromium) driven by Playwright, never a
browser download.

A browser module calls `require_chromium()` at its top, before importing Playwright: without Chromium the module is
skipped, except under CI (env CI set), where a missing browser is an error, not a quiet skip. The `browser` fixture
(registered in tests/conftest.py) launches one Chromium per module and checks the same first, so a single browser
test in a module of other tests (tests/test_timeline_order.py) is skipped or fails the same way. `page_at` opens a
page in a fresh context of its own at a given viewport.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # Playwright is imported only once Chromium is known to be there
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 15_000


def require_chromium() -> None:
    """Skip the calling module (or test, or fixture) when Chromium is missing; under CI, fail instead."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            raise RuntimeError(f"{CHROMIUM} is missing and CI is set: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); browser tests skipped",
                    allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module's tests."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@contextmanager
def page_at(browser: Browser, width: int, height: int = 900, javascript: bool = True) -> Iterator[Page]:
    """A page in a context of its own (no cookies or storage shared with other tests) at `width` x `height`,
    with or without JavaScript; the context is closed afterwards, whether the test passed or not."""
    context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=javascript)
    try:
        opened = context.new_page()
        opened.set_default_timeout(TIMEOUT_MS)
        yield opened
    finally:
        context.close()
