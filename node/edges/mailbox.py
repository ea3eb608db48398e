"""This node's relay mailbox: an Ed25519 key of its own (never the identity key), kept
encrypted in the store; the mailbox id that contacts deposit to, and the deposit capability
they deposit with, are derived from its seed (node/protocol/relay_wire.py,
docs/relay-protocol.md §3). Relays hold only the capability's hash, registered at AUTH."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import nacl.bindings as sodium

from node.core.context import NodeContext
from node.protocol.relay_wire import (
    Auth,
    deposit_capability_for,
    deposit_hash_for,
    mailbox_id_for,
)

_SETTING: Final = "mailbox_seed"
SEED_SIZE: Final = 32


@dataclass(frozen=True)
class MailboxKey:
    seed: bytes

    def __repr__(self) -> str:  # never print the seed
        return f"MailboxKey(id={self.mailbox_id.hex()[:8]}…)"

    @property
    def public_key(self) -> bytes:
        return bytes(sodium.crypto_sign_seed_keypair(self.seed)[0])

    @property
    def mailbox_id(self) -> bytes:
        return mailbox_id_for(self.public_key)

    @property
    def deposit_capability(self) -> bytes:
        """Given to every contact (our reachability); a secret: never logged."""
        return deposit_capability_for(self.seed)

    @property
    def deposit_hash(self) -> bytes:
        """What relays keep to check deposits: they never see the capability itself."""
        return deposit_hash_for(self.deposit_capability)

    def authenticate(self, nonce: bytes) -> Auth:
        """AUTH for this connection's nonce, registering our deposit hash with the relay."""
        public, secret = sodium.crypto_sign_seed_keypair(self.seed)
        return Auth.sign(nonce, bytes(public), bytes(secret), self.deposit_hash)


async def load_or_create(ctx: NodeContext) -> MailboxKey:
    """The stored mailbox key, or a new one, saved at once."""
    seed = await ctx.repo.get_setting(_SETTING)
    if seed is None:
        seed = ctx.rand(SEED_SIZE)
        await ctx.commit([ctx.repo.put_setting(_SETTING, seed)])
    return MailboxKey(seed)
