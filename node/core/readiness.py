"""The readiness check (docs/protocol.md §9.5; docs/local-api.md, POST /v1/check): what a
practice runs once a month to know it is ready for the next outage. A content-free probe goes to
every paired contact, whose node answers it at once; the report says who answered, by which path
(direct or which relay, each way) and how fast, and who did not (with the phone number to call).

Neither the probe nor its answer is a message: they take no sequence number, only the ratchet's
state is saved (a spent message key must stay spent), and nothing reaches the inbox, the unread
count, a conversation, an export, the audit log or a notification. They do not go through the
durable outbox either: a probe that does not arrive within the bound is the answer.

Bounds (invariant 5): one check at a time on the prober; on the answering node, a token bucket
per contact (:data:`ANSWER_BURST`, then one every :data:`ANSWER_INTERVAL_SECONDS`) and one for
all contacts together, so that a contact cannot make a node answer a flood; a probe beyond them
still spends its key (the session is saved) but is not answered. The probes seen are kept (at
most :data:`MAX_SEEN` per node, in memory) only so that the same packet deposited on two relays
is recognised as a duplicate, not refused as undecryptable.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Final

from node.core.contacts import Contact
from node.core.context import NodeContext
from node.core.errors import Conflict, PeerRefused, Verdict
from node.core.ports import Outcome, Transport
from node.protocol import Payload, PayloadKind, Session
from node.protocol.admission import RateLimiter
from node.protocol.identity import format_node_id
from node.protocol.readiness import Arrival, Probe, ProbeAnswer

log = logging.getLogger(__name__)

PROBE_KINDS: Final = frozenset({PayloadKind.PROBE, PayloadKind.PROBE_ANSWER})
DEFAULT_TIMEOUT_SECONDS: Final = 30.0
MAX_TIMEOUT_SECONDS: Final = 120.0
MIN_TIMEOUT_SECONDS: Final = 0.1
ANSWER_BURST: Final = 3
ANSWER_INTERVAL_SECONDS: Final = 20.0
ALL_ANSWERS_BURST: Final = 60
ALL_ANSWERS_PER_SECOND: Final = 1.0
MAX_SEEN: Final = 1024

# A contact's line in the report.
ANSWERED: Final = "answered"
NO_ANSWER: Final = "no_answer"  # the probe left, no answer within the bound
UNREACHABLE: Final = "unreachable"  # no path took the probe (direct or relay)
NOT_READY: Final = "not_ready"  # the pairing is not finished: nothing can be sent yet


@dataclass
class ContactCheck:
    contact_id: bytes
    name: str
    phone: str | None
    state: str = NO_ANSWER
    sent: str | None = None  # what our transport said: "direct" or "relay"
    outbound: str | None = None  # how the probe arrived: "direct" or the relay's URL
    inbound: str | None = None  # how the answer came back: "direct" or our relay's URL
    round_trip_ms: int | None = None
    probe_id: bytes = b""
    sent_at: float = 0.0
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    def as_json(self) -> dict[str, Any]:
        return {
            "contact_id": self.contact_id.hex(),
            "name": self.name,
            "phone": self.phone,
            "state": self.state,
            "sent": self.sent,
            "outbound": self.outbound,
            "inbound": self.inbound,
            "round_trip_ms": self.round_trip_ms,
        }


@dataclass
class CheckReport:
    started_at: float
    timeout: float
    contacts: list[ContactCheck]
    finished_at: float | None = None

    @property
    def running(self) -> bool:
        return self.finished_at is None

    def as_json(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "timeout_seconds": self.timeout,
            "running": self.running,
            "answered": sum(1 for c in self.contacts if c.state == ANSWERED),
            "contacts": [c.as_json() for c in self.contacts],
        }


def path_name(via: str | None) -> str:
    return "direct" if via is None else via


class Readiness:
    def __init__(self, ctx: NodeContext, transport: Transport) -> None:
        self._ctx = ctx
        self._transport = transport
        self._lock = asyncio.Lock()
        self._pending: dict[bytes, ContactCheck] = {}  # probe id -> its line, while running
        self.last: CheckReport | None = None
        self._per_contact = RateLimiter(1 / ANSWER_INTERVAL_SECONDS, ANSWER_BURST, ctx.clock)
        self._all = RateLimiter(ALL_ANSWERS_PER_SECOND, ALL_ANSWERS_BURST, ctx.clock)
        self._seen: OrderedDict[tuple[bytes, bytes], None] = OrderedDict()
        self.unanswered = 0  # probes we did not answer (rate limits), since start

    @property
    def running(self) -> bool:
        return self._lock.locked()

    # --- the prober ---------------------------------------------------------------------

    async def check(self, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> CheckReport:
        """Probes every paired contact and waits, at most ``timeout`` seconds, for their
        answers; :class:`Conflict` when a check is already running."""
        if self._lock.locked():
            raise Conflict("check_running", "a readiness check is already running")
        timeout = min(max(timeout, MIN_TIMEOUT_SECONDS), MAX_TIMEOUT_SECONDS)
        async with self._lock:
            ctx = self._ctx
            lines = [
                ContactCheck(c.contact_id, c.name, c.row.card.profile.phone)
                for c in sorted(ctx.contacts.values(), key=lambda c: c.name.casefold())
                if c.active
            ]
            report = CheckReport(ctx.clock(), timeout, lines)
            self.last = report
            try:
                await self._probe_all(report)
            finally:
                for line in lines:
                    self._pending.pop(line.probe_id, None)
                report.finished_at = ctx.clock()
            return report

    async def _probe_all(self, report: CheckReport) -> None:
        ctx = self._ctx
        packets: dict[bytes, bytes] = {}
        for line in report.contacts:
            contact = ctx.contacts.get(line.contact_id)
            if contact is None:
                line.state = NOT_READY
                continue
            async with contact.lock:
                session = await ctx.session_of(contact)
                if not session.can_send:
                    line.state = NOT_READY
                    continue
                payload, packet = session.seal(
                    PayloadKind.PROBE, Probe().encode(), ctx.clock(), ctx.rand
                )
                saved = ctx.submit([ctx.repo.update_session(contact.contact_id, session)])
            await ctx.await_commit(saved)  # the spent key stays spent before anything leaves
            line.probe_id = payload.message_id
            packets[line.contact_id] = packet
        sends = [
            asyncio.create_task(self._send(line, packets[line.contact_id]))
            for line in report.contacts
            if line.contact_id in packets
        ]
        waits = [
            asyncio.create_task(line.answered.wait()) for line in report.contacts if line.probe_id
        ]
        try:
            async with asyncio.timeout(report.timeout):
                await asyncio.gather(*sends)
                await asyncio.gather(*waits)
        except TimeoutError:
            pass
        finally:
            for task in (*sends, *waits):
                task.cancel()
            await asyncio.gather(*sends, *waits, return_exceptions=True)

    async def _send(self, line: ContactCheck, packet: bytes) -> None:
        contact = self._ctx.contacts.get(line.contact_id)
        if contact is None:
            return
        line.sent_at = self._ctx.clock()
        self._pending[line.probe_id] = line
        try:
            outcomes = await self._transport.send(line.contact_id, contact.row.card, [packet])
        except Exception:
            log.exception("readiness probe could not be sent")
            outcomes = [Outcome.RETRY]
        outcome = outcomes[0] if outcomes else Outcome.RETRY
        if outcome is Outcome.DELIVERED:
            line.sent = "direct"
        elif outcome is Outcome.RELAYED:
            line.sent = "relay"
        elif line.state != ANSWERED:
            line.state = UNREACHABLE
            line.answered.set()  # nothing took it: no answer will come

    def _answered(self, contact: Contact, answer: ProbeAnswer, via: str | None) -> None:
        line = self._pending.get(answer.probe_id)
        if line is None or line.contact_id != contact.contact_id:
            return  # a late answer (the check is over), or not ours to claim
        line.state = ANSWERED
        line.outbound = answer.relay if answer.arrival is Arrival.RELAY else "direct"
        line.inbound = path_name(via)
        line.round_trip_ms = max(0, round((self._ctx.clock() - line.sent_at) * 1000))
        line.answered.set()

    # --- the answering node (called by the receiver) ----------------------------------------

    def seen(self, contact_id: bytes, position: bytes) -> bool:
        """Whether this ratchet position was a probe or an answer we opened (a duplicate)."""
        return (contact_id, position) in self._seen

    async def take(
        self,
        contact: Contact,
        session: Session,
        payload: Payload,
        position: bytes,
        via: str | None,
    ) -> str:
        """A probe or an answer just opened (the caller holds the contact's lock): the session
        is saved; a probe is answered (within the rate limits) once that is committed."""
        ctx = self._ctx
        answer = None
        if payload.kind is PayloadKind.PROBE_ANSWER:
            answer = ProbeAnswer.decode(payload.body)  # checked by Payload.decode already
        packet = None
        if payload.kind is PayloadKind.PROBE and self._may_answer(contact):
            arrival = Arrival.DIRECT if via is None else Arrival.RELAY
            body = ProbeAnswer(payload.message_id, arrival, via or "").encode()
            packet = session.seal(PayloadKind.PROBE_ANSWER, body, ctx.clock(), ctx.rand)[1]
        self._seen[(contact.contact_id, position)] = None
        while len(self._seen) > MAX_SEEN:
            self._seen.popitem(last=False)
        try:
            await ctx.submit([ctx.repo.update_session(contact.contact_id, session)])
        except Exception:
            self._seen.pop((contact.contact_id, position), None)
            raise PeerRefused(Verdict.BUSY, "store unavailable") from None
        if answer is not None:
            self._answered(contact, answer, via)
        if packet is not None:
            ctx.background(self._send_answer(contact, packet))
        return "stored"

    def _may_answer(self, contact: Contact) -> bool:
        key = contact.contact_id.hex()
        if self._per_contact.allow(key) and self._all.allow("all"):
            return True
        self.unanswered += 1
        if self.unanswered in (1, 10, 100) or self.unanswered % 1000 == 0:
            log.warning(
                "readiness probes not answered (rate limit): %d so far, latest from %s",
                self.unanswered,
                format_node_id(contact.contact_id),
            )
        return False

    async def _send_answer(self, contact: Contact, packet: bytes) -> None:
        try:
            await self._transport.send(contact.contact_id, contact.row.card, [packet])
        except Exception:
            log.warning("readiness answer to %s not sent", format_node_id(contact.contact_id))
