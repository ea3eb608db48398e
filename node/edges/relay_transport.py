"""Deposits on relays: packets for a contact go to every relay the contact listed, in one
batch request per relay (POST /v2/deposits, docs/relay-protocol.md §4.2), each with the
deposit capability the contact gave us in its reachability (docs/protocol.md §6.3).

A contact whose card has a mailbox but no capability runs a Relève older than deposit
capabilities: relays refuse deposits for it, so none is attempted; its packets stay in the
outbox (direct delivery still works) and this is logged once per contact and run."""

from __future__ import annotations

import asyncio
import logging
from typing import Final

import aiohttp

from node.core.ports import Outcome
from node.protocol import Endpoint, Reachability, format_node_id
from node.protocol.relay_wire import DEPOSIT_PATH, MAX_DEPOSIT_BATCH, encode_deposits

log = logging.getLogger(__name__)

TIMEOUT: Final = aiohttp.ClientTimeout(total=20, sock_connect=5)


class RelayTransport:
    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session
        self._told_no_capability: set[bytes] = set()  # contacts already logged (bounded by them)
        self._told_old_relay: set[str] = set()

    async def send(
        self, contact_id: bytes, reachability: Reachability, packets: list[bytes]
    ) -> list[Outcome]:
        """RELAYED for each packet stored on at least one of the contact's relays."""
        if not reachability.relays or not reachability.mailbox_id:
            return [Outcome.RETRY] * len(packets)
        if not reachability.can_deposit:
            if contact_id not in self._told_no_capability:
                self._told_no_capability.add(contact_id)
                log.warning(
                    "contact %s runs an older Relève (no deposit capability in its card):"
                    " relays refuse deposits for it; its messages wait in the outbox until"
                    " it updates Relève or is reachable directly",
                    format_node_id(contact_id),
                )
            return [Outcome.RETRY] * len(packets)
        mailbox_id, capability = reachability.mailbox_id, reachability.deposit_capability
        per_relay = await asyncio.gather(
            *(
                self._deposit(relay, mailbox_id, capability, packets)
                for relay in reachability.relays
            )
        )
        stored = [any(results[i] for results in per_relay) for i in range(len(packets))]
        if not any(stored):
            log.info("no relay of contact %s took its packets", format_node_id(contact_id))
        return [Outcome.RELAYED if ok else Outcome.RETRY for ok in stored]

    async def _deposit(
        self, relay: Endpoint, mailbox_id: bytes, capability: bytes, packets: list[bytes]
    ) -> list[bool]:
        results: list[bool] = []
        for start in range(0, len(packets), MAX_DEPOSIT_BATCH):
            chunk = packets[start : start + MAX_DEPOSIT_BATCH]
            results += await self._post(relay, mailbox_id, capability, chunk)
        return results

    async def _post(
        self, relay: Endpoint, mailbox_id: bytes, capability: bytes, packets: list[bytes]
    ) -> list[bool]:
        body = encode_deposits([(mailbox_id, capability, packet) for packet in packets])
        try:
            async with self._session.post(
                relay.url + DEPOSIT_PATH,
                data=body,
                headers={"Content-Type": "application/octet-stream"},
                timeout=TIMEOUT,
            ) as response:
                if response.status != 200:
                    await response.read()
                    if response.status in (404, 405) and relay.url not in self._told_old_relay:
                        self._told_old_relay.add(relay.url)
                        log.warning(
                            "relay %s does not know relay protocol version 2 (HTTP %d):"
                            " it runs an older Relève and must be updated",
                            relay.url,
                            response.status,
                        )
                    else:
                        log.info("relay %s refused deposits: HTTP %d", relay.url, response.status)
                    return [False] * len(packets)
                answer = await response.json()
        except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as exc:
            log.info("relay %s unreachable: %s", relay.url, type(exc).__name__)
            return [False] * len(packets)
        results = answer.get("results") if isinstance(answer, dict) else None
        if not isinstance(results, list) or len(results) != len(packets):
            log.info("relay %s answered deposits incoherently", relay.url)
            return [False] * len(packets)
        taken = [result in ("stored", "duplicate") for result in results]
        if not all(taken):
            # A full mailbox or relay (507) refuses some, or a relay that restarted and does
            # not know the mailbox until its owner subscribes again (mailbox_unknown), or one
            # holding another capability (the contact's card is about to change): they stay
            # in the outbox and are offered again after the backoff.
            reasons = sorted(
                {_reason(result) for result, ok in zip(results, taken, strict=True) if not ok}
            )
            log.warning(
                "relay %s refused %d of %d deposits (%s); kept in the outbox",
                relay.url,
                taken.count(False),
                len(taken),
                ", ".join(reasons),
            )
        return taken


def _reason(result: object) -> str:
    """The relay's error code for one refused deposit (a short token, never content)."""
    error = result.get("error") if isinstance(result, dict) else None
    if isinstance(error, str) and error.isidentifier() and len(error) <= 32:
        return error
    return "refused"
