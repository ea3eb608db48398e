"""``releve init``: a new home folder with an identity, a keyring, a config and a database."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import nacl.utils

from node import system
from node.config import initial_toml
from node.core.context import ROLE_CODES
from node.core.errors import SetupError
from node.paths import HomeLayout, write_private
from node.protocol import Identity, LocalProtocolError, Profile, format_node_id, system_random
from node.protocol.errors import ClinicalError
from node.protocol.identifiers import check_email, check_phone, check_rpps
from node.protocol.prescription import MAX_ADDRESS_CHARS, MAX_SPECIALTY_CHARS
from node.protocol.profile import MAX_PRESCRIBER_NAME_CHARS, PRESCRIBER_ROLES
from node.protocol.validation import check_line, check_paragraphs
from node.storage import keystore
from node.storage.store import Store


@dataclass(frozen=True)
class InitResult:
    node_id: str
    unattended: bool


def new_api_token() -> str:
    return base64.urlsafe_b64encode(nacl.utils.random(32)).decode("ascii").rstrip("=")


PRESCRIBER_KEYS: Final = ("name", "rpps", "specialty", "address", "email")


def init_home(
    layout: HomeLayout,
    name: str,
    role: str,
    passphrase: bytes | None,
    phone: str = "",
    prescriber: Mapping[str, str] | None = None,
) -> InitResult:
    """Creates the home; refuses to touch an existing one. ``phone`` (optional) goes into the
    contact card, for contacts to call when an urgent message waits for us. ``prescriber``:
    the prescriber's profile (name, rpps, specialty, address, email; gp and specialist
    roles), written to ``[prescriber]``; each given value is checked here."""
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
    given = {key: value.strip() for key, value in (prescriber or {}).items() if value.strip()}
    if given:
        _check_prescriber(role, given)
    layout.root.mkdir(mode=0o700, parents=True, exist_ok=True)
    # 0700; on Windows an access list for the owner alone, inherited by every file made in it.
    system.make_private(layout.root, directory=True)
    identity = Identity.generate(system_random)
    unlocked = keystore.create(layout, identity, passphrase)
    config = initial_toml(name.strip(), role, phone.strip(), given)
    write_private(layout.config, config.encode("utf-8"))
    write_private(layout.api_token, new_api_token().encode("ascii"))

    async def create_database() -> None:
        store = await Store.open(layout, unlocked.cipher)
        await store.close()

    asyncio.run(create_database())
    return InitResult(format_node_id(identity.public.node_id), passphrase is None)


def _check_prescriber(role: str, given: Mapping[str, str]) -> None:
    if ROLE_CODES[role] not in PRESCRIBER_ROLES:
        raise SetupError("only a gp or specialist node has a prescriber profile", "not_prescriber")
    unknown = set(given) - set(PRESCRIBER_KEYS)
    if unknown:
        raise SetupError(f"unknown prescriber keys {sorted(unknown)}", "invalid_config")
    try:
        if "rpps" in given:
            check_rpps(given["rpps"])
        if "email" in given:
            check_email(given["email"])
        if "name" in given:
            check_line(given["name"], "name", MAX_PRESCRIBER_NAME_CHARS)
        if "specialty" in given:
            check_line(given["specialty"], "specialty", MAX_SPECIALTY_CHARS)
        if "address" in given:
            check_paragraphs(given["address"], "address", MAX_ADDRESS_CHARS)
    except ClinicalError as exc:
        raise SetupError(f"prescriber {exc}", f"invalid_{exc.field}") from None
