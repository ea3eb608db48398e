"""Our own contact card (name, role, phone, how to reach us): contacts are told when it
changes (docs/protocol.md §9.4)."""

from __future__ import annotations

from typing import Final

from node.core.context import NodeContext
from node.core.ports import Change
from node.protocol import PayloadKind

_CARD_SETTING: Final = "own_card"


async def announce_if_changed(ctx: NodeContext) -> None:
    """Tells every contact our name, role and addresses when they changed."""
    card = ctx.card.encode()
    if await ctx.repo.get_setting(_CARD_SETTING) == card:
        return
    changes: list[Change] = [ctx.repo.put_setting(_CARD_SETTING, card)]
    for contact in ctx.contacts.values():
        async with contact.lock:
            if not (await ctx.session_of(contact)).can_send:
                continue  # renewing after a restore (§20): the card follows the new session
            changes += await ctx.seal_for(contact, PayloadKind.CONTACT_CARD, card)
            changes.append(await ctx.save_session(contact))
    await ctx.commit(changes)
    ctx.wake_outbox()
