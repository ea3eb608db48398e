"""Options for every tier.

``RELEVE_CPU_HOGS=N`` starts N busy processes for the whole run, so that a suite can be shown to
pass on a loaded machine (issue 12: a fault suite that fails under load would be ignored).
Each one also stops by itself after :data:`HOG_SECONDS`, should the run die without cleaning up.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Final

import pytest

HOG_SECONDS: Final = 3 * 3600
_HOG: Final = (
    "import time\n"
    f"end = time.monotonic() + {HOG_SECONDS}\n"
    "while time.monotonic() < end:\n"
    "    sum(range(10_000))\n"
)


def hog_count() -> int:
    text = os.environ.get("RELEVE_CPU_HOGS", "0").strip() or "0"
    if not text.isdigit() or int(text) > 64:
        raise pytest.UsageError("RELEVE_CPU_HOGS is a number of processes, 0 to 64")
    return int(text)


@pytest.fixture(scope="session", autouse=True)
def cpu_hogs() -> Iterator[int]:
    hogs = [
        subprocess.Popen([sys.executable, "-c", _HOG], stdin=subprocess.DEVNULL)
        for _ in range(hog_count())
    ]
    try:
        yield len(hogs)
    finally:
        for hog in hogs:
            hog.kill()
        for hog in hogs:
            hog.wait(timeout=30)
