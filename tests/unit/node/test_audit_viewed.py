"""A message shown in full is recorded "viewed" in the audit log (issue #16; docs/audit.md):
once per message per UTC day, whoever asks how often, and again the next day; the entry
names the message and its contact, never its content."""

from __future__ import annotations

import asyncio
from pathlib import Path

from node.core.records import MessageRow
from tests.unit.node.node_support import (
    ManualClock,
    MemoryNetwork,
    audit_events,
    deliver,
    paired,
    settle,
    text,
)

NOON = 1_795_000_000.0 - 1_795_000_000.0 % 86_400 + 43_200  # 12:00 UTC on some day


async def test_viewed_once_a_day_per_message(tmp_path: Path) -> None:
    clock = ManualClock(NOON)
    gp, pharmacy = await paired(tmp_path, MemoryNetwork(), clock)
    try:
        row: MessageRow = await gp.core.sending.send("Pharmacie du Port", *text("Bonjour"))
        await deliver(gp, pharmacy)
        await settle(gp, pharmacy)
        received = await pharmacy.core.reading.message(row.message_id)
        # Many views at once and later that day: one entry.
        await asyncio.gather(*(pharmacy.core.reading.viewed(received) for _ in range(5)))
        clock.advance(11 * 3600)  # 23:00 UTC
        await pharmacy.core.reading.viewed(received)
        assert (await audit_events(pharmacy, row.message_id)).count("viewed") == 1
        # A node restarted the same day finds the entry in the log.
        pharmacy.core.reading._viewed.clear()
        await pharmacy.core.reading.viewed(received)
        assert (await audit_events(pharmacy, row.message_id)).count("viewed") == 1
        clock.advance(2 * 3600)  # 01:00 UTC the next day
        await pharmacy.core.reading.viewed(received)
        assert (await audit_events(pharmacy, row.message_id)).count("viewed") == 2
        # The sender viewing its own message is recorded on its own node.
        await gp.core.reading.viewed(row)
        assert "viewed" in await audit_events(gp, row.message_id)
        assert (await pharmacy.store.verify_audit()).ok
    finally:
        await gp.close()
        await pharmacy.close()
