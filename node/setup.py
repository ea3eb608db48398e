"""``releve init``: a new home folder with an identity, a keyring, a config and a database."""

from __future__ import annotations

import asyncio
import base64
import os
from dataclasses import dataclass

import nacl.utils

from node.config import initial_toml
from node.core.context import ROLE_CODES
from node.core.errors import SetupError
from node.paths import HomeLayout, write_private
from node.protocol import Identity, LocalProtocolError, Profile, format_node_id, system_random
from node.protocol.errors import ClinicalError
from node.protocol.identifiers import check_phone
from node.storage import keystore
from node.storage.store import Store


@dataclass(frozen=True)
class InitResult:
    node_id: str
    unattended: bool


def new_api_token() -> str:
    return base64.urlsafe_b64encode(nacl.utils.random(32)).decode("ascii").rstrip("=")


def init_home(
    layout: HomeLayout, name: str, role: str, passphrase: bytes | None, phone: str = ""
) -> InitResult:
    """Creates the home; refuses to touch an existing one. ``phone`` (optional) goes into the
    contact card, for contacts to call when an urgent message waits for us."""
    if keystore.exists(layout):
        raise SetupError(f"a Relève home already exists at {layout.root}", "home_exists")
    try:
        Profile(name)
    except LocalProtocolError as exc:
        raise SetupError(str(exc), "invalid_name") from None
    if role not in ROLE_CODES:
        raise SetupError(f"unknown role {role!r}", "invalid_role")
    if phone.strip():
        try:
            phone = check_phone(phone)
        except ClinicalError:
            raise SetupError("not a phone number", "invalid_phone") from None
    layout.root.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(layout.root, 0o700)
    identity = Identity.generate(system_random)
    unlocked = keystore.create(layout, identity, passphrase)
    write_private(layout.config, initial_toml(name.strip(), role, phone.strip()).encode("utf-8"))
    write_private(layout.api_token, new_api_token().encode("ascii"))

    async def create_database() -> None:
        store = await Store.open(layout, unlocked.cipher)
        await store.close()

    asyncio.run(create_database())
    return InitResult(format_node_id(identity.public.node_id), passphrase is None)
