"""What the node refuses: wrong passphrases, strangers, garbage, requests without a token."""

from __future__ import annotations

import os
import signal
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from node.protocol import Invitation, RatchetMessage, seal_packet, system_random
from node.protocol.ratchet import Header
from tests.integration.nodes import ApiFailure, Node, cli, pair, wait_for

pytestmark = pytest.mark.integration


def post(url: str, data: bytes, method: str = "POST") -> int:
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_wrong_passphrase_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.write_text("correct horse battery staple\n")
    bad.write_text("wrong passphrase\n")
    node = Node(tmp_path / "home", "Dr Martin", "gp")
    node.init(passphrase_file=good)
    keyring = (node.home / "keyring.json").read_bytes()
    assert (node.home / "keyring.json").stat().st_mode & 0o777 == 0o600
    assert not (node.home / "node.key").exists()

    result = cli(
        node.home, "node", "--listen", "127.0.0.1:0", "--passphrase-file", str(bad), check=False
    )
    assert result.returncode == 1
    assert "passphrase" in result.stderr.lower()
    assert (node.home / "keyring.json").read_bytes() == keyring
    assert not node.api_info.exists()

    node.start("--passphrase-file", str(good))
    try:
        assert node.status()["name"] == "Dr Martin"
    finally:
        assert node.stop() == 0


def test_peer_endpoint_refuses_bad_input_and_keeps_working(nodes: list[Node]) -> None:
    gp, pharmacy = nodes
    url = pharmacy.peer_url + "/v1/packet"
    assert post(url, os.urandom(256)) == 400  # garbage of a bucket size
    assert post(url, os.urandom(300)) == 400  # not a bucket size
    assert post(url, b"") == 400
    assert post(url, os.urandom(70_000)) == 413  # oversized
    assert post(pharmacy.peer_url + "/v1/other", b"x") == 404
    assert post(url, b"", method="GET") == 405

    # A well-formed packet from a node that never paired: sealed to the pharmacy's key.
    text = pharmacy.request("POST", "/v1/invitations", {})["text"]
    keys = Invitation.from_text(text).inviter
    stranger = RatchetMessage(os.urandom(16), Header(os.urandom(32), 0, 0), os.urandom(64))
    assert post(url, seal_packet(stranger, keys.dh_key, system_random)) == 403

    log = (pharmacy.home / "node.log").read_text()
    assert "unknown sender" in log
    assert "undecodable packet" in log

    message = gp.send("Pharmacie du Port", "still there?")
    wait_for(lambda: gp.message(message["message_id"])["status"] == "delivered", 30, "delivery")
    assert pharmacy.process is not None
    assert pharmacy.process.poll() is None


def test_local_api_needs_the_token(nodes: list[Node]) -> None:
    gp, _ = nodes
    for token in ("", "not-the-token"):
        with pytest.raises(ApiFailure) as failure:
            gp.request("GET", "/v1/status", token=token)
        assert failure.value.status == 401
        assert failure.value.body["error"]["code"] == "unauthorized"
    for name in ("api-token", "keyring.json", "node.key", "api.json", "releve.db"):
        assert (gp.home / name).stat().st_mode & 0o777 == 0o600, name


def test_ctrl_c_right_after_pairing_stops_the_node_promptly(tmp_path: Path) -> None:
    """Regression: a stop request landing while the outbox was being woken used to be lost
    (Python 3.11's wait_for), and the node never finished stopping."""
    gp = Node(tmp_path / "gp", "Dr Martin", "gp")
    gp.init()
    gp.start()
    try:
        for round_ in range(5):
            other = Node(tmp_path / f"other{round_}", f"Pharmacie {round_}", "pharmacist")
            other.init()
            other.start()
            pair(gp, other)
            assert other.process is not None
            other.process.send_signal(signal.SIGINT)
            assert other.process.wait(timeout=15) == 0
            other.process = None
    finally:
        gp.kill()
