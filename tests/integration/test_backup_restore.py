"""Backup while the node runs, restore on a new home, and the conversation goes on (issue #17,
docs/protocol.md §20), with real `releve` processes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.integration.nodes import Node, Relay, cli, pair, wait_for

pytestmark = pytest.mark.integration

PASSPHRASE = "cheval agrafe batterie correcte"


def _texts(node: Node, words: str) -> list[dict[str, object]]:
    return [m for m in node.received() if words in str(m.get("text", ""))]


def test_backup_restore_and_the_conversation_goes_on(nodes: list[Node], tmp_path: Path) -> None:
    gp, pharmacy = nodes
    secret = tmp_path / "backup-passphrase"
    secret.write_text(PASSPHRASE + "\n")
    archive = tmp_path / "cabinet.releve-backup"

    gp.send("Pharmacie du Port", "avant la sauvegarde")
    for n in range(3):  # messages flowing while the backup is made
        pharmacy.send("Dr Camille Martin", f"flux {n}")
    done = cli(gp.home, "backup", "--out", str(archive), "--passphrase-file", str(secret))
    assert "Backup written" in done.stdout
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert PASSPHRASE.encode() not in archive.read_bytes()
    wait_for(lambda: len(_texts(gp, "flux")) == 3, 30, "the messages sent around the backup")

    pharmacy.send("Dr Camille Martin", "après la sauvegarde")
    wait_for(lambda: _texts(gp, "après la sauvegarde"), 30, "a message after the backup")
    gp.stop()  # the old machine is gone

    new_home = tmp_path / "nouveau-poste"
    # A wrong passphrase, a file cut short, a changed byte: refused clearly, nothing written.
    wrong = tmp_path / "wrong"
    wrong.write_text("pas la bonne phrase secrète\n")
    refused = cli(new_home, "restore", str(archive), "--passphrase-file", str(wrong), check=False)
    assert refused.returncode != 0
    assert "wrong passphrase" in refused.stderr
    assert "Traceback" not in refused.stderr
    data = archive.read_bytes()
    cut = tmp_path / "cut"
    cut.write_bytes(data[: len(data) // 2])
    refused = cli(new_home, "restore", str(cut), "--passphrase-file", str(secret), check=False)
    assert refused.returncode != 0
    assert "cut short" in refused.stderr
    altered = tmp_path / "altered"
    altered.write_bytes(data[:-100] + bytes([data[-100] ^ 1]) + data[-99:])
    refused = cli(new_home, "restore", str(altered), "--passphrase-file", str(secret), check=False)
    assert refused.returncode != 0
    assert "altered" in refused.stderr
    assert not new_home.exists() or not any(new_home.iterdir())
    # A home that holds a node is not overwritten.
    taken = cli(gp.home, "restore", str(archive), "--passphrase-file", str(secret), check=False)
    assert taken.returncode != 0
    assert "already exists" in taken.stderr

    cli(new_home, "restore", str(archive), "--passphrase-file", str(secret))
    restored = Node(new_home, gp.name, gp.role)
    restored.start()
    try:
        _goes_on(restored, pharmacy, new_home, gp)
    finally:
        if restored.process is not None:
            restored.kill()


def _goes_on(restored: Node, pharmacy: Node, new_home: Path, gp: Node) -> None:
    # What the pharmacy sent since the backup is sent again: there exactly once.
    wait_for(lambda: _texts(restored, "après la sauvegarde"), 60, "the message sent again")
    wait_for(lambda: len(_texts(restored, "flux")) == 3, 30, "the messages around the backup")
    assert len(_texts(restored, "après la sauvegarde")) == 1
    assert len(_texts(restored, "flux")) == 3

    # The conversation goes on, both ways.
    restored.send("Pharmacie du Port", "de retour sur le nouveau poste")
    wait_for(lambda: _texts(pharmacy, "de retour sur le nouveau poste"), 30, "the GP's message")
    pharmacy.send("Dr Camille Martin", "bien reçu")
    wait_for(lambda: _texts(restored, "bien reçu"), 30, "the pharmacy's answer")
    assert len(_texts(pharmacy, "avant la sauvegarde")) == 1

    # The audit chain goes on and verifies; the passphrase is in no log.
    assert cli(new_home, "audit", "verify").returncode == 0
    for log in (*new_home.glob("*.log"), restored.stderr_path, gp.stderr_path):
        assert PASSPHRASE not in log.read_text(errors="replace")


def test_restore_behind_a_relay(tmp_path: Path) -> None:
    """Both nodes reachable through a relay only: the restored node keeps its mailbox (its key
    is in the backup), and the renewal, the messages sent again and the new ones all go
    through the relay."""
    relay = Relay(tmp_path / "relay.log")
    relay.start()
    gp = Node(tmp_path / "gp", "Dr Camille Martin", "gp")
    pharmacy = Node(tmp_path / "pharmacy", "Pharmacie du Port", "pharmacist")
    restored = Node(tmp_path / "nouveau", gp.name, gp.role)
    secret = tmp_path / "secret"
    secret.write_text(PASSPHRASE)
    archive = tmp_path / "cabinet.releve-backup"
    try:
        for node in (gp, pharmacy):
            node.init()
            node.start("--relay", relay.url, listen=False)
        pair(gp, pharmacy)
        gp.send("Pharmacie du Port", "avant")
        wait_for(lambda: _texts(pharmacy, "avant"), 60, "a first message")
        cli(gp.home, "sauvegarder", "--out", str(archive), "--passphrase-file", str(secret))
        pharmacy.send("Dr Camille Martin", "après, par le relais")
        wait_for(lambda: _texts(gp, "après, par le relais"), 60, "a message after the backup")
        gp.stop()
        cli(restored.home, "restaurer", str(archive), "--passphrase-file", str(secret))
        restored.start("--relay", relay.url, listen=False)
        wait_for(lambda: _texts(restored, "après, par le relais"), 90, "the message sent again")
        restored.send("Pharmacie du Port", "de retour")
        wait_for(lambda: _texts(pharmacy, "de retour"), 60, "the restored node's message")
        pharmacy.send("Dr Camille Martin", "bien reçu")
        wait_for(lambda: _texts(restored, "bien reçu"), 60, "the answer")
        assert len(_texts(restored, "après, par le relais")) == 1
    finally:
        for node in (gp, pharmacy, restored):
            if node.process is not None:
                node.kill()
        relay.kill()
