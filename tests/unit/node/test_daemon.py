"""The daemon's start-up, in process: what a failed start leaves behind."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from node import daemon
from node.core.errors import SetupError
from node.paths import HomeLayout
from node.setup import init_home


def test_a_start_refused_for_want_of_a_passphrase_leaves_no_log_handler(tmp_path: Path) -> None:
    """The CLI starts the node once, learns that the home needs its passphrase, asks for it
    and starts again in the same process: each log line must then be written once."""
    layout = HomeLayout(tmp_path / "home")
    init_home(layout, "Dr Martin", "gp", b"correct horse battery staple")
    root = logging.getLogger()
    before = list(root.handlers)
    with pytest.raises(SetupError) as refused:
        daemon.run(layout, listen=None, no_listen=True, relays=[], passphrase=None)
    assert refused.value.code == "passphrase_required"
    assert root.handlers == before
