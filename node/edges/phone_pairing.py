"""Pairing by phone, the node's side (docs/protocol.md §16, docs/local-api.md).

The caller (``POST /v1/pairings/call``) allocates a nameplate on a relay, makes the code,
connects to the nameplate's rendezvous and answers at once; a background task then waits for
the other side and runs the exchange. The joiner (``POST /v1/pairings/join``) connects with the
code it was read and runs its side to the end. node.protocol.phone is the state machine; this
module moves its frames over the relay's WebSocket and does the pairing itself exactly as for
a QR code, through node.core.pairing (invite, accept) and node.core.receiving (the answer).

Both sides must use the same relay: the caller's first configured relay, the joiner's first
configured relay, unless ``relay`` is given. Nothing of the code, the keys or the invitation is
logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from dataclasses import dataclass, field
from typing import Final

import aiohttp

from node.core.contacts import Contact
from node.core.context import NodeContext
from node.core.errors import PeerRefused, PhoneFailed, RequestError, Verdict
from node.core.pairing import Pairing
from node.core.receiving import Receiver
from node.protocol import (
    Endpoint,
    Invitation,
    LocalProtocolError,
    MalformedInput,
    RemoteProtocolError,
    SealedAnswer,
    open_packet,
)
from node.protocol.phone import (
    AbortRecord,
    AnswerRecord,
    Authenticated,
    Code,
    DoneRecord,
    InvitationRecord,
    PhoneExchange,
    PhoneRole,
    WrongCode,
)
from node.protocol.relay_wire import (
    MAX_RENDEZVOUS_FRAME,
    RENDEZVOUS_PATH,
    ErrorCode,
    RelayProtocolError,
    parse_nameplate,
    rendezvous_path,
)

log = logging.getLogger(__name__)

CONNECT_SECONDS: Final = 15.0  # to allocate a nameplate or open its WebSocket
JOIN_SECONDS: Final = 60.0  # the joiner's whole exchange, once connected
EXCHANGE_SECONDS: Final = 60.0  # the caller's exchange, once the other side has come
INVITATION_TTL_SECONDS: Final = 600  # the invitation sent inside the channel (§16.6)
HEARTBEAT_SECONDS: Final = 30.0
MAX_EXPIRES_IN: Final = 3600  # a relay's "expires_in" beyond this is not believed
MAX_WAITING_CALLS: Final = 8
KEEP_FINISHED_SECONDS: Final = 600.0  # a finished call can still be asked about this long
MAX_KEPT_CALLS: Final = 32

# Every failure of a phone pairing: the local API's error code and the English text for logs
# (docs/local-api.md, "Errors"; node.edges.api.errors gives each its HTTP status). A failed
# call's ``reason`` is one of these codes too, or an error the other node reported.
ERRORS: Final[dict[str, str]] = {
    "no_relay": "this node uses no relay: give one (both sides must use the same relay)",
    "relay_invalid": "a relay must be written http://host:port or https://host[:port]",
    "code_invalid": "not a code: a number and three words of the list",
    "wrong_code": "the other side used another code; nothing was paired",
    "code_unknown": (
        "the relay knows no such code: mistyped, expired, or the two sides use different relays"
    ),
    "call_not_found": "no phone pairing with that id",
    "code_used": "this code was already used (a code works once): ask for a new one",
    "peer_left": "the other side went away before the pairing was done",
    "cancelled": "the phone pairing was cancelled on this node",
    "code_expired": "the code expired before the other side joined",
    "too_many_calls": "too many phone pairings are waiting on this node",
    "pairing_failed": "the other node or the relay broke the phone pairing protocol",
    "relay_unreachable": "the relay cannot be reached",
    "relay_busy": "the relay is busy or restarting: try again in a minute",
    "pairing_timeout": "the phone pairing did not finish in time",
}
# What the other node may report in an ABORT record, besides the codes above: the refusals of
# an ordinary pairing (docs/local-api.md).
ERRORS_FROM_PEER: Final[dict[str, str]] = {
    "already_paired": "the two nodes are already paired",
    "invitation_own": "both sides are the same node",
    "invitation_expired": "the invitation inside the channel expired",
    "invitation_invalid": "the other node refused the invitation",
    "store_unavailable": "the other node could not save",
    "internal": "the other node failed; see its log",
}
# The relay's close codes (4000 + ErrorCode) during an exchange, as failures.
_CLOSE_REASONS: Final = {
    4000 + ErrorCode.NAMEPLATE_EXPIRED: "code_expired",
    4000 + ErrorCode.PEER_LEFT: "peer_left",
    4000 + ErrorCode.IDLE_TIMEOUT: "pairing_timeout",
    4000 + ErrorCode.SHUTTING_DOWN: "relay_busy",
    4000 + ErrorCode.MALFORMED: "pairing_failed",
    4000 + ErrorCode.TOO_LARGE: "pairing_failed",
}
_HANDSHAKE_REASONS: Final = {
    404: "code_unknown",
    409: "code_used",
    429: "relay_busy",
    503: "relay_busy",
}


class PhoneStop(Exception):
    """A phone pairing stops; ``code`` is a key of ERRORS or ERRORS_FROM_PEER."""

    def __init__(self, code: str, detail: str | None = None) -> None:
        super().__init__(detail or _describe(code))
        self.code = code if code in ERRORS or code in ERRORS_FROM_PEER else "pairing_failed"

    def api_error(self) -> PhoneFailed:
        return PhoneFailed(self.code, str(self))


def _describe(code: str) -> str:
    return ERRORS.get(code) or ERRORS_FROM_PEER.get(code) or ERRORS["pairing_failed"]


@dataclass(eq=False)
class Call:
    """One ``pair call`` of this node, waiting or finished."""

    call_id: str
    code: Code
    relay: str
    expires_at: float
    state: str = "waiting"  # then "paired" or "failed"
    peer_joined: bool = False
    contact: Contact | None = None
    reason: str | None = None
    finished_at: float | None = None
    version: int = 0  # changes whenever something a client may wait for changes
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    task: asyncio.Task[None] | None = None

    async def touch(self) -> None:
        self.version += 1
        async with self.changed:
            self.changed.notify_all()


def websocket_url(relay_url: str, nameplate: int) -> str:
    """``http://host:port`` -> ``ws://host:port/v1/rendezvous/N`` (``https`` -> ``wss``)."""
    scheme, rest = relay_url.split("://", 1)
    return (
        f"{'wss' if scheme == 'https' else 'ws'}://{rest.rstrip('/')}{rendezvous_path(nameplate)}"
    )


class PhonePairing:
    def __init__(
        self,
        ctx: NodeContext,
        pairing: Pairing,
        receiver: Receiver,
        http: aiohttp.ClientSession,
    ) -> None:
        self._ctx = ctx
        self._pairing = pairing
        self._receiver = receiver
        self.http = http
        self.calls: dict[str, Call] = {}

    # --- which relay ----------------------------------------------------------------------

    def relay_for(self, given: object) -> str:
        """The relay URL given in the request, else this node's first relay."""
        if given is None:
            if not self._ctx.config.relays:
                raise PhoneStop("no_relay").api_error()
            given = self._ctx.config.relays[0]
        if not isinstance(given, str):
            raise PhoneStop("relay_invalid").api_error()
        try:
            return Endpoint.relay(given.strip()).url
        except LocalProtocolError:
            raise PhoneStop("relay_invalid").api_error() from None

    # --- the caller -----------------------------------------------------------------------

    async def call(self, relay: object) -> Call:
        """Allocates a nameplate, connects to it and leaves a task waiting for the other side;
        raises node.core.errors.PhoneStop when any of that fails."""
        url = self.relay_for(relay)
        self._forget_finished()
        if sum(c.state == "waiting" for c in self.calls.values()) >= MAX_WAITING_CALLS:
            raise PhoneStop("too_many_calls").api_error()
        try:
            nameplate, expires_in = await self._allocate(url)
            code = Code.generate(nameplate, self._ctx.rand)
            ws = await self._connect(url, nameplate)
        except PhoneStop as failure:
            raise failure.api_error() from None
        exchange = PhoneExchange(PhoneRole.CALLER, code, self._ctx.rand)
        call = Call(secrets.token_hex(16), code, url, self._ctx.clock() + expires_in)
        try:
            await ws.send_bytes(exchange.start())
        except BaseException as exc:  # the request went away, or the relay did
            await ws.close()
            if isinstance(exc, ConnectionError | aiohttp.ClientError):
                raise PhoneStop("relay_unreachable").api_error() from None
            raise
        self.calls[call.call_id] = call
        call.task = asyncio.get_running_loop().create_task(
            self._run_call(call, ws, exchange, expires_in), name="phone call"
        )
        log.info("phone pairing: waiting for the other side (call %s)", call.call_id[:8])
        return call

    async def _run_call(
        self,
        call: Call,
        ws: aiohttp.ClientWebSocketResponse,
        exchange: PhoneExchange,
        expires_in: int,
    ) -> None:
        reason = "internal"
        try:
            # The relay closes an unanswered nameplate at expiry; this bound is in case it
            # does not.
            async with asyncio.timeout(expires_in + EXCHANGE_SECONDS):
                contact = await self._caller(call, ws, exchange)
            call.state, call.contact = "paired", contact
            log.info("phone pairing: paired (call %s)", call.call_id[:8])
        except PhoneStop as failure:
            reason = failure.code
        except TimeoutError:
            reason = "pairing_timeout"
        except asyncio.CancelledError:
            reason = "cancelled"
        except Exception:
            log.exception("phone pairing failed (call %s)", call.call_id[:8])
        finally:
            with contextlib.suppress(Exception):
                await ws.close()
            if call.state != "paired":
                call.state, call.reason = "failed", reason
                log.info("phone pairing failed: %s (call %s)", reason, call.call_id[:8])
            call.finished_at = self._ctx.clock()
            await call.touch()

    async def _caller(
        self, call: Call, ws: aiohttp.ClientWebSocketResponse, exchange: PhoneExchange
    ) -> Contact:
        invitation: Invitation | None = None
        while True:
            data = await _next_frame(ws)
            if not call.peer_joined:
                call.peer_joined = True
                await call.touch()
            event = await self._receive(ws, exchange, data)
            if isinstance(event, Authenticated):
                try:
                    invitation = await self._pairing.invite(INVITATION_TTL_SECONDS)
                except RequestError as exc:
                    await self._abort(ws, exchange, exc.code)
                    raise PhoneStop(exc.code) from None
                await ws.send_bytes(exchange.send_invitation(invitation.to_text()))
            elif isinstance(event, AnswerRecord):
                assert invitation is not None  # the state machine allows an answer only now
                contact = await self._complete(ws, exchange, invitation, event.packet)
                await ws.send_bytes(exchange.send_done())
                return contact
            elif isinstance(event, AbortRecord):
                raise PhoneStop(event.reason)

    async def _complete(
        self,
        ws: aiohttp.ClientWebSocketResponse,
        exchange: PhoneExchange,
        invitation: Invitation,
        packet: bytes,
    ) -> Contact:
        """Completes the pairing with the joiner's answer, exactly as if it had come through
        the peer endpoint or a relay (the same answer may also arrive that way first)."""
        identity = self._ctx.identity
        try:
            inner = open_packet(packet, identity.public.dh_key, identity.dh_private)
        except RemoteProtocolError:
            inner = None
        if not isinstance(inner, SealedAnswer) or inner.tag != invitation.tag:
            await self._abort(ws, exchange, "pairing_failed")
            raise PhoneStop("pairing_failed", "the answer is not for our invitation")
        try:
            await self._receiver.receive(packet)
        except PeerRefused as exc:
            code = "store_unavailable" if exc.verdict is Verdict.BUSY else "pairing_failed"
            await self._abort(ws, exchange, code)
            raise PhoneStop(code, exc.reason) from None
        contact = await self._pairing.contact_of(invitation)
        if contact is None:  # pragma: no cover - the receiver stored it
            await self._abort(ws, exchange, "internal")
            raise PhoneStop("internal")
        return contact

    # --- the joiner -----------------------------------------------------------------------

    async def join(self, text: object, relay: object) -> tuple[Contact, bool]:
        """Runs the joiner's side; returns the contact and whether the caller confirmed.
        Raises node.core.errors.PhoneStop."""
        if not isinstance(text, str):
            raise PhoneStop("code_invalid", "no code given").api_error()
        try:
            code = Code.parse(text)
        except MalformedInput as exc:
            raise PhoneStop("code_invalid", str(exc)).api_error() from None
        url = self.relay_for(relay)
        try:
            ws = await self._connect(url, code.nameplate)
        except PhoneStop as failure:
            raise failure.api_error() from None
        exchange = PhoneExchange(PhoneRole.JOINER, code, self._ctx.rand)
        joined: list[Contact] = []  # the contact once the invitation is accepted
        try:
            async with asyncio.timeout(JOIN_SECONDS):
                contact = await self._joiner(ws, exchange, joined)
            log.info("phone pairing: paired (joined)")
            return contact, True
        except (PhoneStop, TimeoutError) as error:
            stop = error if isinstance(error, PhoneStop) else PhoneStop("pairing_timeout")
            if joined and stop.code in ("peer_left", "relay_unreachable", "pairing_timeout"):
                # Our answer went; the outbox keeps sending it too, so the caller's node
                # completes the pairing even if its DONE was lost on the way.
                log.info("phone pairing: answer sent, no confirmation (%s)", stop.code)
                return joined[0], False
            if joined:
                await self._pairing.abandon(joined[0])
            log.info("phone pairing failed: %s", stop.code)
            raise stop.api_error() from None
        finally:
            with contextlib.suppress(Exception):
                await ws.close()

    async def _joiner(
        self,
        ws: aiohttp.ClientWebSocketResponse,
        exchange: PhoneExchange,
        joined: list[Contact],
    ) -> Contact:
        await ws.send_bytes(exchange.start())
        while True:
            event = await self._receive(ws, exchange, await _next_frame(ws))
            if isinstance(event, InvitationRecord):
                try:
                    contact, packet = await self._pairing.accept(event.text)
                except RequestError as exc:
                    await self._abort(ws, exchange, exc.code)
                    raise
                joined.append(contact)
                try:
                    frame = exchange.send_answer(packet)
                except LocalProtocolError:  # pragma: no cover - a card always fits (tested)
                    await self._abort(ws, exchange, "internal")
                    raise PhoneStop("internal") from None
                await ws.send_bytes(frame)
            elif isinstance(event, DoneRecord):
                assert joined  # the state machine allows DONE only after our answer
                return joined[0]
            elif isinstance(event, AbortRecord):
                raise PhoneStop(event.reason)

    # --- shared ---------------------------------------------------------------------------

    async def _receive(
        self, ws: aiohttp.ClientWebSocketResponse, exchange: PhoneExchange, data: bytes
    ) -> object:
        """One frame through the state machine; sends its reply; returns its event."""
        try:
            reply, event = exchange.receive(data)
        except WrongCode:
            raise PhoneStop("wrong_code") from None
        except RemoteProtocolError as exc:
            raise PhoneStop("pairing_failed", f"phone frame refused ({exc.code})") from None
        if reply is not None:
            await ws.send_bytes(reply)
        return event

    @staticmethod
    async def _abort(
        ws: aiohttp.ClientWebSocketResponse, exchange: PhoneExchange, reason: str
    ) -> None:
        """Tells the other side why we stop (when the channel is authenticated)."""
        if reason not in ERRORS and reason not in ERRORS_FROM_PEER:
            reason = "pairing_failed"
        frame = exchange.abort(reason)
        if frame is not None:
            with contextlib.suppress(ConnectionError, aiohttp.ClientError):
                await ws.send_bytes(frame)

    async def _allocate(self, url: str) -> tuple[int, int]:
        """``POST /v1/rendezvous``: (nameplate, seconds until it expires)."""
        try:
            async with (
                asyncio.timeout(CONNECT_SECONDS),
                self.http.post(url + RENDEZVOUS_PATH) as response,
            ):
                if response.status in (429, 503):
                    raise PhoneStop("relay_busy")
                if response.status != 201:
                    raise PhoneStop("relay_unreachable", f"the relay answered {response.status}")
                body = await response.json()
            nameplate = parse_nameplate(body["nameplate"])
            expires_in = int(body["expires_in"])
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise PhoneStop("relay_unreachable", f"{type(exc).__name__}") from None
        except (ValueError, KeyError, TypeError, RelayProtocolError):
            raise PhoneStop("relay_unreachable", "the relay's answer is not understood") from None
        if not 0 < expires_in <= MAX_EXPIRES_IN:
            raise PhoneStop("relay_unreachable", "the relay's answer is not understood")
        return nameplate, expires_in

    async def _connect(self, url: str, nameplate: int) -> aiohttp.ClientWebSocketResponse:
        """The nameplate's WebSocket; the relay's refusals become PhoneStop."""
        try:
            async with asyncio.timeout(CONNECT_SECONDS):
                return await self.http.ws_connect(
                    websocket_url(url, nameplate),
                    heartbeat=HEARTBEAT_SECONDS,
                    max_msg_size=MAX_RENDEZVOUS_FRAME + 1,  # aiohttp: "< max", not "<="
                    timeout=aiohttp.ClientWSTimeout(ws_close=5),
                )
        except aiohttp.WSServerHandshakeError as exc:
            raise PhoneStop(_HANDSHAKE_REASONS.get(exc.status, "relay_unreachable")) from None
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise PhoneStop("relay_unreachable", f"{type(exc).__name__}") from None

    # --- the calls a client asks about ----------------------------------------------------

    def get(self, call_id: str) -> Call:
        call = self.calls.get(call_id)
        if call is None:
            raise PhoneStop("call_not_found").api_error()
        return call

    async def wait(self, call_id: str, timeout: float) -> Call:
        """The call once it finished or something changed (the other side came), or when
        ``timeout`` seconds are over."""
        call = self.get(call_id)
        if call.state != "waiting" or timeout <= 0:
            return call
        seen = call.version
        # asyncio.timeout rather than wait_for: on Python 3.11, wait_for can lose a
        # cancellation (the node's shutdown) that arrives as the wait completes.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout), call.changed:
                await call.changed.wait_for(lambda: call.version != seen)
        return call

    async def cancel(self, call_id: str) -> Call:
        call = self.get(call_id)
        if call.task is not None and not call.task.done():
            call.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await call.task
        return call

    def _forget_finished(self) -> None:
        now = self._ctx.clock()
        finished = sorted(
            (c for c in self.calls.values() if c.finished_at is not None),
            key=lambda c: c.finished_at or 0.0,
        )
        for index, call in enumerate(finished):
            old = now - (call.finished_at or now) > KEEP_FINISHED_SECONDS
            if old or len(finished) - index > MAX_KEPT_CALLS:
                del self.calls[call.call_id]

    async def close(self) -> None:
        """The node stops: every waiting call is cancelled."""
        tasks = [c.task for c in self.calls.values() if c.task is not None and not c.task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5)


async def _next_frame(ws: aiohttp.ClientWebSocketResponse) -> bytes:
    """The next binary frame from the other side; the channel's end raises PhoneStop."""
    message = await ws.receive()
    if message.type is aiohttp.WSMsgType.BINARY:
        return bytes(message.data)
    if message.type is aiohttp.WSMsgType.TEXT:
        raise PhoneStop("pairing_failed", "the relay sent text")
    close_code = message.data if message.type is aiohttp.WSMsgType.CLOSE else ws.close_code
    reason = _CLOSE_REASONS.get(close_code if isinstance(close_code, int) else 0)
    raise PhoneStop(reason or "relay_unreachable")
