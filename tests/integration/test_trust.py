"""Verification, unpairing, revocation and key changes between real nodes (issue 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.nodes import ApiFailure, Node, Relay, cli, pair, wait_for

pytestmark = pytest.mark.integration


def contact(node: Node, name: str) -> dict[str, object]:
    matches = [c for c in node.contacts() if c["name"] == name and c["state"] == "active"]
    assert len(matches) == 1, node.contacts()
    return matches[0]


def contact_state(node: Node, name: str) -> object:
    return next(c["state"] for c in node.contacts() if c["name"] == name)


def state_of(node: Node, contact_id: str) -> object:
    return next(c["state"] for c in node.contacts() if c["contact_id"] == contact_id)


def test_verification_shows_in_contacts_and_on_messages(nodes: list[Node]) -> None:
    gp, pharmacy = nodes
    assert contact(pharmacy, "Dr Camille Martin")["verified"] is False
    gp.send("Pharmacie du Port", "avant vérification")
    wait_for(lambda: pharmacy.request("GET", "/v1/inbox")["messages"], 30, "a message")
    assert pharmacy.request("GET", "/v1/inbox")["messages"][0]["contact_verified"] is False
    both = {
        contact(gp, "Pharmacie du Port")["safety_number"],
        contact(pharmacy, "Dr Camille Martin")["safety_number"],
    }
    assert len(both) == 1  # the two people read the same number
    shown = cli(pharmacy.home, "verify", "Dr Camille")
    assert str(contact(pharmacy, "Dr Camille Martin")["safety_number"]) in shown.stdout
    assert contact(pharmacy, "Dr Camille Martin")["verified"] is False  # showing is not confirming
    cli(pharmacy.home, "verify", "Dr Camille", "--confirm")
    assert contact(pharmacy, "Dr Camille Martin")["verified"] is True
    assert pharmacy.request("GET", "/v1/inbox")["messages"][0]["contact_verified"] is True


def test_unpair_tells_the_contact_and_stops_both_sides(nodes: list[Node]) -> None:
    gp, pharmacy = nodes
    gp_id = contact(pharmacy, "Dr Camille Martin")["contact_id"]
    cli(gp.home, "unpair", "Pharmacie du Port")
    assert contact_state(gp, "Pharmacie du Port") == "unpaired"
    wait_for(lambda: state_of(pharmacy, str(gp_id)) == "unpaired_by_peer", 30, "the notice")
    for sender, name in ((gp, "Pharmacie du Port"), (pharmacy, "Dr Camille Martin")):
        with pytest.raises(ApiFailure) as refused:
            sender.send(name, "encore là ?")
        assert refused.value.body["error"]["code"] == "contact_inactive"


def test_revocation_through_a_relay_and_a_held_key_change(tmp_path: Path) -> None:
    relay = Relay(tmp_path / "relay.log")
    relay.start()
    gp = Node(tmp_path / "gp", "Dr Camille Martin", "gp")
    pharmacy = Node(tmp_path / "pharmacy", "Pharmacie du Port", "pharmacist")
    try:
        for node in (gp, pharmacy):
            node.init()
            node.start("--relay", relay.url, listen=False)
        pair(gp, pharmacy)
        old_id = gp.status()["contact_id"]

        # The practice's machine was stolen: from its restored backup, it revokes.
        refused = cli(gp.home, "revoke", check=False)  # no terminal to confirm on
        assert refused.returncode == 1
        assert gp.status()["contact_id"] == old_id
        revoked = cli(gp.home, "revoke", "--yes")
        assert "1" in revoked.stdout
        assert gp.status()["contact_id"] != old_id
        wait_for(lambda: state_of(pharmacy, old_id) == "revoked_by_peer", 60, "the revocation")
        with pytest.raises(ApiFailure):
            pharmacy.send(str(old_id)[:8], "vers l'ancienne clé")

        # They pair again: the new key is the one the revocation announced, so it is a key
        # change, and what it sends is held until the pharmacist verifies it.
        pair(gp, pharmacy)
        new = contact(pharmacy, "Dr Camille Martin")
        assert new["key_changed"] is True
        assert new["held"] is True
        assert new["replaces"] == "Dr Camille Martin"
        gp.send("Pharmacie du Port", "nouvelle clé")
        wait_for(
            lambda: [m for m in pharmacy.received() if m["status"] == "held"], 60, "held message"
        )
        assert pharmacy.request("GET", "/v1/inbox")["messages"] == []
        pharmacy.request("POST", "/v1/contacts/verify", {"contact": str(new["node_id"])})
        inbox = pharmacy.request("GET", "/v1/inbox")["messages"]
        assert [m["text"] for m in inbox] == ["nouvelle clé"]
    finally:
        for node in (gp, pharmacy):
            if node.process is not None:
                node.kill()
        relay.kill()


def test_an_invitation_already_used_is_refused_plainly(tmp_path: Path, nodes: list[Node]) -> None:
    gp, _ = nodes
    third = Node(tmp_path / "third", "Cabinet des Tilleuls", "practice")
    third.init()
    third.start()
    try:
        first = Node(tmp_path / "first", "Infirmière Durand", "nurse")
        first.init()
        first.start()
        try:
            fresh = gp.request("POST", "/v1/invitations", {})["text"]
            cli(first.home, "pair", "accept", fresh)
            refused = cli(third.home, "pair", "accept", fresh, check=False)
            assert refused.returncode == 1
            assert "invitation" in refused.stderr.lower()
            assert third.contacts() == []  # nothing half-made is kept
        finally:
            first.kill()
    finally:
        third.kill()
