"""Deposits on relays: packets for a contact go to every relay the contact listed, in one
batch request per relay (POST /v1/deposits, docs/relay-protocol.md)."""

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

    async def send(
        self, contact_id: bytes, reachability: Reachability, packets: list[bytes]
    ) -> list[Outcome]:
        """RELAYED for each packet stored on at least one of the contact's relays."""
        if not reachability.relays or not reachability.mailbox_id:
            return [Outcome.RETRY] * len(packets)
        mailbox_id = reachability.mailbox_id
        per_relay = await asyncio.gather(
            *(self._deposit(relay, mailbox_id, packets) for relay in reachability.relays)
        )
        stored = [any(results[i] for results in per_relay) for i in range(len(packets))]
        if not any(stored):
            log.info("no relay of contact %s took its packets", format_node_id(contact_id))
        return [Outcome.RELAYED if ok else Outcome.RETRY for ok in stored]

    async def _deposit(
        self, relay: Endpoint, mailbox_id: bytes, packets: list[bytes]
    ) -> list[bool]:
        results: list[bool] = []
        for start in range(0, len(packets), MAX_DEPOSIT_BATCH):
            chunk = packets[start : start + MAX_DEPOSIT_BATCH]
            results += await self._post(relay, mailbox_id, chunk)
        return results

    async def _post(self, relay: Endpoint, mailbox_id: bytes, packets: list[bytes]) -> list[bool]:
        body = encode_deposits([(mailbox_id, packet) for packet in packets])
        try:
            async with self._session.post(
                relay.url + DEPOSIT_PATH,
                data=body,
                headers={"Content-Type": "application/octet-stream"},
                timeout=TIMEOUT,
            ) as response:
                if response.status != 200:
                    await response.read()
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
            # A full mailbox or relay (507) refuses some: they stay in the outbox and are
            # offered again after the backoff, once the recipient has drained its mailbox.
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
