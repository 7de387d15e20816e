"""Helpers of the browser tests: where Chromium and the screenshots are, signing in.

The fixtures that serve the app and open pages are in ``tests/dashboard/conftest.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
"""Debian's chromium (Playwright's own browser download is not used)."""

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
"""Screenshots for a person to look at (gitignored)."""


def screenshot(page: Any, name: str, full_page: bool = True) -> None:
    """Save the page as ``test-artifacts/<name>.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def sign_in(page: Any, email: str, password: str) -> None:
    """Sign in through the real form (CSRF on) and wait for the page it leads to."""
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
