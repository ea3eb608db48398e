"""Direct delivery: POST sealed packets to a contact's peer endpoint on the LAN."""

from __future__ import annotations

import logging
from typing import Final

import aiohttp

from node.core.ports import Outcome
from node.edges.peer_wire import BATCH_PATH, GONE_STATUS, encode_batch, split_batches
from node.protocol import Endpoint, Reachability, format_node_id

log = logging.getLogger(__name__)

# A LAN peer answers fast or not at all: do not let a silent address hold a batch long.
TIMEOUT: Final = aiohttp.ClientTimeout(total=15, sock_connect=3)


class DirectTransport:
    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session
        self._preferred: dict[bytes, Endpoint] = {}

    async def send(
        self, contact_id: bytes, reachability: Reachability, packets: list[bytes]
    ) -> list[Outcome]:
        """For each packet: delivered (the contact's node committed it), gone (it can never
        be read there), or retry."""
        endpoints = list(reachability.direct)
        preferred = self._preferred.get(contact_id)
        if preferred in endpoints:
            endpoints.remove(preferred)
            endpoints.insert(0, preferred)
        outcomes: list[Outcome] = []
        for batch in split_batches(packets):
            results = await self._send_batch(endpoints, batch, contact_id)
            if results is None:  # unreachable: the rest waits for the next attempt
                return outcomes + [Outcome.RETRY] * (len(packets) - len(outcomes))
            outcomes += results
        return outcomes

    async def _send_batch(
        self, endpoints: list[Endpoint], packets: list[bytes], contact_id: bytes
    ) -> list[Outcome] | None:
        for endpoint in endpoints:
            results = await self._post(endpoint, packets, contact_id)
            if results is not None:
                self._preferred[contact_id] = endpoint
                return results
        return None

    async def _post(
        self, endpoint: Endpoint, packets: list[bytes], contact_id: bytes
    ) -> list[Outcome] | None:
        """The per-packet outcome, or None when this endpoint did not answer usefully."""
        try:
            async with self._session.post(
                endpoint.url + BATCH_PATH,
                data=encode_batch(packets),
                headers={"Content-Type": "application/octet-stream"},
                timeout=TIMEOUT,
            ) as response:
                if response.status != 200:
                    await response.read()
                    log.info(
                        "contact %s refused a batch: HTTP %d",
                        format_node_id(contact_id),
                        response.status,
                    )
                    return None
                body = await response.json()
        except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as exc:
            log.debug(
                "contact %s unreachable at %s: %s",
                format_node_id(contact_id),
                endpoint.url,
                type(exc).__name__,
            )
            return None
        results = body.get("results") if isinstance(body, dict) else None
        if not isinstance(results, list) or len(results) != len(packets):
            log.info("contact %s answered a batch incoherently", format_node_id(contact_id))
            return None
        return [_outcome(result) for result in results]


def _outcome(result: object) -> Outcome:
    if result in ("stored", "duplicate"):
        return Outcome.DELIVERED
    if isinstance(result, dict) and result.get("status") == GONE_STATUS:
        return Outcome.GONE
    return Outcome.RETRY
