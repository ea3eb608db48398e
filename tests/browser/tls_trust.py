"""A clinic server over TLS for the browser tests (issue #15): the node listening on an address
of its own (127.0.0.2, as a LAN address would be) with the practice CA, and a Chromium that
trusts that CA the way a Linux workstation does, through an NSS database (certutil, Debian's
libnss3-tools) in the HOME it is started with, its resolver mapping names to addresses.

    clinic.start(*over_tls())                          # https://cabinet.test:PORT
    browser = trusting_chromium(playwright, clinic, tmp_path / "workstation")
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import pytest
from playwright.sync_api import Browser, Playwright

from node.edges.tls import TlsFiles
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _missing_browser
from tests.integration.nodes import Node

SERVER_ADDRESS: Final = "127.0.0.2"
SERVER_NAME: Final = "cabinet.test"
CA_NICKNAME: Final = "Relève AC du cabinet"


def over_tls(address: str = SERVER_ADDRESS, name: str = SERVER_NAME) -> tuple[str, ...]:
    """`releve node` options: the web client on ``address`` over HTTPS, with the practice CA
    (made at start) for ``address`` and ``name``."""
    return ("--web-listen", f"{address}:0", "--web-tls", "ca", "--web-name", name)


def _required(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"TLS browser test: {reason} (in CI a missing tool is a failure)")
    pytest.skip(f"TLS browser test skipped: {reason}")


def trust(ca_pem: Path, home: Path) -> None:
    """An NSS database in ``home``/.pki/nssdb trusting ``ca_pem`` for TLS servers, as
    operations.md tells an IT contractor to make it."""
    certutil = shutil.which("certutil")
    if certutil is None:
        _required("no certutil (apt-get install libnss3-tools)")
        return
    database = home / ".pki" / "nssdb"
    database.mkdir(parents=True, exist_ok=True)
    for command in (
        [certutil, "-N", "-d", f"sql:{database}", "--empty-password"],
        [
            certutil,
            "-A",
            "-d",
            f"sql:{database}",
            "-n",
            CA_NICKNAME,
            "-t",
            "C,,",
            "-i",
            str(ca_pem),
        ],
    ):
        subprocess.run(command, check=True, capture_output=True, timeout=60)


def trusting_chromium(
    playwright: Playwright,
    clinic: Node,
    home: Path,
    names: Mapping[str, str] | None = None,
) -> Browser:
    """Chromium trusting ``clinic``'s practice CA; ``names``: host name -> address for its
    resolver (by default the server's name to its address). Close it after use."""
    reason = _missing_browser()
    if reason is not None:
        _required(reason)
    trust(TlsFiles(clinic.home / "tls").ca, home)
    mapped = names if names is not None else {SERVER_NAME: SERVER_ADDRESS}
    rules = ", ".join(f"MAP {name} {address}" for name, address in mapped.items())
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, f"--host-resolver-rules={rules}"],
        env={**os.environ, "HOME": str(home)},
    )
