"""Direct delivery: POST a sealed packet to a contact's peer endpoint on the LAN."""

from __future__ import annotations

import logging
from typing import Final

import aiohttp

from node.protocol import Endpoint, format_node_id
from node.service import NodeService

log = logging.getLogger(__name__)

PACKET_PATH: Final = "/v1/packet"
TIMEOUT_SECONDS: Final = 15.0


class DirectTransport:
    def __init__(self, service: NodeService) -> None:
        self._service = service
        self._session: aiohttp.ClientSession | None = None
        self._preferred: dict[bytes, Endpoint] = {}

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
            connector=aiohttp.TCPConnector(limit=256, limit_per_host=32),
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def send(self, contact_id: bytes, packet: bytes) -> bool:
        """True once one of the contact's endpoints answered that it committed the packet."""
        contact = self._service.contacts.get(contact_id)
        if contact is None or self._session is None:
            return False
        endpoints = list(contact.row.card.reachability.direct)
        preferred = self._preferred.get(contact_id)
        if preferred in endpoints:
            endpoints.remove(preferred)
            endpoints.insert(0, preferred)
        for endpoint in endpoints:
            if await self._post(endpoint, packet, contact_id):
                self._preferred[contact_id] = endpoint
                return True
        return False

    async def _post(self, endpoint: Endpoint, packet: bytes, contact_id: bytes) -> bool:
        assert self._session is not None
        try:
            async with self._session.post(
                endpoint.url + PACKET_PATH,
                data=packet,
                headers={"Content-Type": "application/octet-stream"},
            ) as response:
                await response.read()
                if response.status == 200:
                    return True
                log.info(
                    "contact %s refused a packet: HTTP %d",
                    format_node_id(contact_id),
                    response.status,
                )
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            log.debug(
                "contact %s unreachable at %s: %s",
                format_node_id(contact_id),
                endpoint.url,
                type(exc).__name__,
            )
        return False
