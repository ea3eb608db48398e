"""A clinic server's accounts (node/core/accounts.py) on a real store: the records survive a
restart encrypted, passwords are Argon2id strings chosen with a one-time setup code, logins
are slowed per account and per address and audited without what was typed, and what a
person does is recorded under their account id (docs/audit.md)."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

import nacl.pwhash.argon2id as argon2id
import nacl.utils
import pytest

from clients.cli.audit_file import check_lines
from node.app import Node
from node.core.accounts import (
    Accounts,
    LoginRefused,
    PasswordHasher,
    SetupCode,
    Throttle,
    acting_as,
    actor_for,
)
from node.core.config import NodeConfig
from node.core.errors import Conflict, Invalid, NotFound
from node.paths import HomeLayout
from node.protocol import Identity, system_random
from node.storage.audit import verify_lines
from node.storage.keystore import FieldCipher
from tests.unit.node.node_support import LocalNode, ManualClock, local_node

PASSWORD = "correct horse battery"
RPPS = "10001234565"


def fast_hasher() -> PasswordHasher:
    return PasswordHasher(argon2id.OPSLIMIT_MIN, argon2id.MEMLIMIT_MIN)


def accounts_of(node: LocalNode | Node, clock: ManualClock) -> Accounts:
    return Accounts(node.store, clock, hasher=fast_hasher())


async def audit(node: LocalNode) -> list[dict[str, Any]]:
    return [json.loads(line) async for line in node.store.audit_lines()]


@pytest.fixture
async def node(tmp_path: Path) -> Any:
    local = await local_node(tmp_path / "server", "Cabinet du Parc", "practice")
    yield local
    await local.close()


async def _open(home: Path, key: bytes, identity: Identity, clock: ManualClock) -> Node:
    home.mkdir(parents=True, exist_ok=True)
    config = NodeConfig(name="Cabinet", role="practice", listen=None)
    return await Node.open(HomeLayout(home), config, identity, FieldCipher(key), clock=clock)


async def test_an_account_is_kept_encrypted_and_found_again(tmp_path: Path) -> None:
    clock = ManualClock()
    key, identity = nacl.utils.random(32), Identity.generate(system_random)
    local = await _open(tmp_path / "a", key, identity, clock)
    accounts = accounts_of(local, clock)
    await accounts.load()
    setup = await accounts.add("Dr Camille Martin", "clinician", RPPS)
    account = setup.account
    assert len(account.account_id) == 32
    assert account.rpps == RPPS
    assert account.role == "clinician"
    assert not account.disabled
    await accounts.set_password(setup.code, PASSWORD)
    database = local.store._path
    await local.close()

    wal = database.with_name(database.name + "-wal")
    raw = database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert b"Camille" not in raw
    assert b"argon2id" not in raw
    assert RPPS.encode() not in raw
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT account_id FROM accounts").fetchall() == [(account.account_id,)]

    again = await _open(tmp_path / "a", key, identity, clock)
    try:
        reloaded = accounts_of(again, clock)
        await reloaded.load()
        assert reloaded.get(account.account_id) == account
        assert reloaded.has_password(account.account_id)
        assert await reloaded.log_in("dr camille martin", PASSWORD, "10.0.0.5") == account
    finally:
        await again.close()


async def test_the_operator_s_changes_are_checked(node: LocalNode) -> None:
    clock = ManualClock()
    accounts = accounts_of(node, clock)
    await accounts.add("Secrétariat Anne", "secretary")
    with pytest.raises(Conflict):
        await accounts.add("secrétariat anne", "secretary")
    for name, role, rpps, code in [
        ("", "secretary", None, "name_invalid"),
        ("Two\nlines", "secretary", None, "name_invalid"),
        ("Bob", "boss", None, "role_invalid"),
        ("Bob", "clinician", "12345", "rpps_invalid"),
        ("Bob", "secretary", RPPS, "rpps_invalid"),
    ]:
        with pytest.raises(Invalid) as refused:
            await accounts.add(name, role, rpps)
        assert refused.value.code == code
    with pytest.raises(NotFound):
        accounts.resolve("nobody")


async def test_a_setup_code_is_single_use_and_expires(node: LocalNode) -> None:
    clock = ManualClock()
    accounts = accounts_of(node, clock)
    setup = await accounts.add("Anne", "secretary")
    assert not accounts.has_password(setup.account.account_id)
    with pytest.raises(Invalid):
        await accounts.set_password(setup.code, "short")
    await accounts.set_password(setup.code, PASSWORD)
    with pytest.raises(LoginRefused):
        await accounts.set_password(setup.code, PASSWORD + "!")

    late = await accounts.add("Bruno", "secretary")
    clock.advance(72 * 3600 + 1)
    with pytest.raises(LoginRefused) as refused:
        await accounts.set_password(late.code, PASSWORD)
    assert refused.value.code == "setup_code_invalid"


async def test_passwords_are_argon2id_and_checked_off_the_loop(node: LocalNode) -> None:
    clock = ManualClock()
    accounts = accounts_of(node, clock)
    setup = await accounts.add("Anne", "secretary")
    await accounts.set_password(setup.code, PASSWORD)
    stored = accounts._secrets[setup.account.account_id].password
    assert stored is not None
    assert stored.startswith(b"$argon2id$")
    with pytest.raises(LoginRefused):
        await accounts.log_in("Anne", PASSWORD + "x", "10.0.0.5")
    assert await accounts.log_in("Anne", PASSWORD, "10.0.0.5") == setup.account


async def _ready(accounts: Accounts, name: str) -> SetupCode:
    setup = await accounts.add(name, "secretary")
    await accounts.set_password(setup.code, PASSWORD)
    return setup


async def test_brute_force_is_slowed_logged_and_audited_without_the_password(
    node: LocalNode, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock()
    accounts = accounts_of(node, clock)
    setup = await _ready(accounts, "Anne")
    caplog.set_level(logging.WARNING)
    guesses = [f"guess-number-{n}" for n in range(5)]
    for guess in guesses:
        with pytest.raises(LoginRefused) as refused:
            await accounts.log_in("Anne", guess, "10.0.0.66")
        assert refused.value.code == "login_failed"
    # The sixth attempt is not even checked, even with the right password, until it waited.
    with pytest.raises(LoginRefused) as slowed:
        await accounts.log_in("Anne", PASSWORD, "10.0.0.67")
    assert slowed.value.code == "too_many_attempts"
    assert slowed.value.retry_after > 0
    clock.advance(slowed.value.retry_after)
    assert await accounts.log_in("Anne", PASSWORD, "10.0.0.67") == setup.account

    logged = caplog.text
    assert "failed web login" in logged
    assert setup.account.account_id in logged
    assert not any(guess in logged for guess in guesses)
    assert PASSWORD not in logged
    entries = await audit(node)
    failed = [e for e in entries if e["event"] == "login_failed"]
    assert len(failed) == 5
    assert {e["actor"] for e in failed} == {setup.account.actor}
    assert {e["subject"] for e in failed} == {setup.account.account_id}
    assert entries[-1]["event"] == "login"
    text = json.dumps(entries)
    assert not any(guess in text for guess in guesses)
    assert PASSWORD not in text


async def test_one_address_is_slowed_across_accounts(node: LocalNode) -> None:
    clock = ManualClock()
    accounts = Accounts(node.store, clock, hasher=fast_hasher(), address_throttle=Throttle(3))
    await _ready(accounts, "Anne")
    for name in ["Anne", "Bruno", "Chloé"]:  # spraying names, known or not
        with pytest.raises(LoginRefused):
            await accounts.log_in(name, "not the password", "10.0.0.66")
    with pytest.raises(LoginRefused) as slowed:
        await accounts.log_in("Anne", PASSWORD, "10.0.0.66")
    assert slowed.value.code == "too_many_attempts"
    # Another workstation is not slowed.
    assert (await accounts.log_in("Anne", PASSWORD, "10.0.0.5")).name == "Anne"
    unknown = [e for e in await audit(node) if e["actor"] == "anonymous"]
    assert [e["event"] for e in unknown] == ["login_failed", "login_failed"]
    assert all("subject" not in e for e in unknown)


def test_a_throttle_doubles_caps_forgets_and_is_bounded() -> None:
    throttle = Throttle(2, base_delay=1.0, max_delay=8.0, forget_after=60.0, max_keys=3)
    now = 100.0
    assert throttle.wait("a", now) == 0
    throttle.failed("a", now)
    throttle.failed("a", now)
    assert throttle.wait("a", now) == 1.0
    for _ in range(10):
        throttle.failed("a", now)
    assert throttle.wait("a", now) == 8.0
    assert throttle.wait("a", now + 61) == 0  # forgotten
    for key in "bcde":
        throttle.failed(key, now)
    assert len(throttle._keys) == 3


async def test_a_disabled_account_cannot_log_in_and_its_sessions_end(node: LocalNode) -> None:
    clock = ManualClock()
    accounts = accounts_of(node, clock)
    setup = await _ready(accounts, "Anne")
    ended: list[str] = []
    accounts.on_ended(ended.append)
    await accounts.disable("Anne")
    assert ended == [setup.account.account_id]
    with pytest.raises(LoginRefused) as refused:
        await accounts.log_in("Anne", PASSWORD, "10.0.0.5")
    assert refused.value.code == "login_failed"  # the same answer as a wrong password
    await accounts.enable("anne")
    assert await accounts.log_in("Anne", PASSWORD, "10.0.0.5")


async def test_a_reset_forgets_the_password_and_gives_a_new_code(node: LocalNode) -> None:
    clock = ManualClock()
    accounts = accounts_of(node, clock)
    setup = await _ready(accounts, "Anne")
    ended: list[str] = []
    accounts.on_ended(ended.append)
    again = await accounts.reset(setup.account.account_id)
    assert again.code != setup.code
    assert ended == [setup.account.account_id]
    with pytest.raises(LoginRefused):
        await accounts.log_in("Anne", PASSWORD, "10.0.0.5")
    await accounts.set_password(again.code, "a brand new passphrase")
    assert await accounts.log_in("Anne", "a brand new passphrase", "10.0.0.5")


async def test_what_a_person_does_is_recorded_under_their_account(node: LocalNode) -> None:
    clock = ManualClock()
    accounts = accounts_of(node, clock)
    setup = await _ready(accounts, "Anne")
    assert actor_for("local") == "local"
    with acting_as(setup.account):
        assert actor_for("local") == setup.account.actor
        assert actor_for("contact") == "contact"
        await accounts.disable("Anne")  # an admin's change: the actor is the admin
    assert actor_for("local") == "local"  # reset on leaving
    entries = await audit(node)
    by_event = {e["event"]: e for e in entries}
    assert by_event["user_added"]["actor"] == "local"  # the operator, over the local API
    assert by_event["password_set"]["actor"] == setup.account.actor
    assert by_event["user_disabled"]["actor"] == setup.account.actor
    assert by_event["user_disabled"]["subject"] == setup.account.account_id
    lines = [line async for line in node.store.audit_lines()]
    assert verify_lines(lines).ok
    assert (await node.store.verify_audit()).ok
    # The command line's offline check, written from docs/audit.md, agrees.
    checked = check_lines(lines)
    assert checked.ok
    assert checked.entries == len(lines)
    altered = [line.replace(setup.account.account_id, "0" * 32) for line in lines]
    assert not check_lines(altered).ok
    assert not verify_lines(altered).ok
