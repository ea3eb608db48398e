"""The browser tier: two real `releve node` processes, each with its web client driven in a
real Chromium (Debian's, through Playwright; `playwright install` cannot download here).

In CI (CI=true) a missing browser fails the tier; elsewhere the tier is skipped, saying why.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.integration.nodes import Node, running_pair

CHROMIUM: Final = os.environ.get("RELEVE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS: Final = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# A peer controls its own name: this one would run script if it were not escaped.
PHARMACY_NAME: Final = "Pharmacie <img src=x onerror=window.__xss=1>"
GP_NAME: Final = "Dr Camille Martin"


def _missing_browser() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    """A GP and a pharmacy, paired; one pair for a module (tests use their own texts)."""
    root = tmp_path_factory.mktemp("browser")
    gp = Node(root / "gp", GP_NAME, "gp")
    pharmacy = Node(root / "pharmacy", PHARMACY_NAME, "pharmacist")
    with running_pair(gp, pharmacy) as pair_:
        yield pair_


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    reason = _missing_browser()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tier: {reason} (in CI a missing browser is a failure)")
        pytest.skip(f"browser tier skipped: {reason}")
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
