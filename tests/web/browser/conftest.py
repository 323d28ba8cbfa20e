"""Browser tests: the dashboard in Debian's Chromium (/usr/bin/chromium) through Playwright.

Marked ``browser``. Skipped with the reason when Chromium or the playwright package is
missing; with ``OPGAVE_REQUIRE_BROWSER=1`` (as in CI) a missing browser fails the run
instead. Never downloads a browser (no ``playwright install``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_pages import CHROMIUM, CHROMIUM_ARGS

REQUIRE_ENV = "OPGAVE_REQUIRE_BROWSER"


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless Chromium (Debian's), or a skip / failure when it is missing."""
    reason = _missing()
    if reason:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
