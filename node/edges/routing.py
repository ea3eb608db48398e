"""The node's transport (node.core.ports.Transport): per packet, direct to the contact's node
when it answers, else deposits on the contact's relays. A contact with relays whose direct
endpoints failed is not tried directly again for a while, so that an unreachable LAN address
does not delay its relay deliveries."""

from __future__ import annotations

from typing import Final

from node.core.ports import Clock, Outcome
from node.edges.direct import DirectTransport
from node.edges.relay_transport import RelayTransport
from node.protocol import ContactCard

DIRECT_PAUSE_SECONDS: Final = 30.0


class Routing:
    def __init__(self, direct: DirectTransport, relay: RelayTransport, clock: Clock) -> None:
        self._direct = direct
        self._relay = relay
        self._clock = clock
        self._direct_paused_until: dict[bytes, float] = {}

    async def send(
        self, contact_id: bytes, card: ContactCard, packets: list[bytes]
    ) -> list[Outcome]:
        reachability = card.reachability
        outcomes = [Outcome.RETRY] * len(packets)
        now = self._clock()
        # Without relays there is no other path: the outbox's backoff paces the retries.
        paused = reachability.relays and now < self._direct_paused_until.get(contact_id, 0.0)
        if reachability.direct and not paused:
            outcomes = await self._direct.send(contact_id, reachability, packets)
            if all(outcome is Outcome.RETRY for outcome in outcomes):
                self._direct_paused_until[contact_id] = now + DIRECT_PAUSE_SECONDS
            else:
                self._direct_paused_until.pop(contact_id, None)
        pending = [i for i, outcome in enumerate(outcomes) if outcome is Outcome.RETRY]
        if pending and reachability.relays:
            relayed = await self._relay.send(
                contact_id, reachability, [packets[i] for i in pending]
            )
            for index, outcome in zip(pending, relayed, strict=True):
                outcomes[index] = outcome
        return outcomes
