"""How the relay says no: error codes as HTTP answers, logged through the protocol core's
bounded refusal log (node.protocol.admission.RefusalLog).

Error bodies are ``{"error": {"code": "<ErrorCode name, lower case>", "message": "..."}}``
(docs/relay-protocol.md, "Errors"). The log names the reason and the source address, never a
mailbox id, blob id or key.
"""

from __future__ import annotations

from typing import Final

from aiohttp import HttpVersion11, web

from node.protocol.admission import RateLimiter, RefusalLog
from node.protocol.relay_wire import ErrorCode

HTTP_STATUS: Final = {
    ErrorCode.MALFORMED: 400,
    ErrorCode.UNSUPPORTED_VERSION: 400,
    ErrorCode.AUTH_FAILED: 403,
    ErrorCode.TOO_LARGE: 413,
    ErrorCode.MAILBOX_FULL: 507,
    ErrorCode.RELAY_FULL: 507,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.TOO_MANY_CONNECTIONS: 503,
    ErrorCode.IDLE_TIMEOUT: 408,
    ErrorCode.REPLACED: 409,
    ErrorCode.SHUTTING_DOWN: 503,
    ErrorCode.NAMEPLATE_UNKNOWN: 404,
    ErrorCode.NAMEPLATE_USED: 409,
    ErrorCode.NAMEPLATE_EXPIRED: 410,
    ErrorCode.PEER_LEFT: 409,
    ErrorCode.TOO_MANY_NAMEPLATES: 503,
    ErrorCode.MAILBOX_UNKNOWN: 404,
    ErrorCode.CAPABILITY_REQUIRED: 403,
    ErrorCode.CAPABILITY_REFUSED: 403,
    ErrorCode.SOURCE_FULL: 507,
}
RETRYABLE: Final = frozenset(
    {
        ErrorCode.MAILBOX_FULL,
        ErrorCode.RELAY_FULL,
        ErrorCode.RATE_LIMITED,
        ErrorCode.TOO_MANY_CONNECTIONS,
        ErrorCode.SHUTTING_DOWN,
        ErrorCode.MAILBOX_UNKNOWN,  # until the owner subscribes again (a restarted relay)
        ErrorCode.SOURCE_FULL,
    }
)


def code_name(code: ErrorCode) -> str:
    return code.name.lower()


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def error_response(code: ErrorCode, message: str, retry_after: int | None = None) -> web.Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return web.json_response(
        error_body(code_name(code), message), status=HTTP_STATUS[code], headers=headers
    )


def rate_limited(
    log: RefusalLog, limiter: RateLimiter, what: str, source: str, message: str
) -> web.Response:
    """A 429 for ``source``, logged (rate-limited itself), with when to come back."""
    log.refused(what, code_name(ErrorCode.RATE_LIMITED), source)
    return error_response(ErrorCode.RATE_LIMITED, message, limiter.retry_after(source))


async def expect_continue(request: web.Request) -> None:
    """Only ``Expect: 100-continue`` is understood. aiohttp's default handler echoes the
    header in its 417 answer and fails (a 500 and a traceback) on a value that is not
    UTF-8."""
    if request.headers.get("Expect", "").lower() != "100-continue":
        raise web.HTTPExpectationFailed(text="only Expect: 100-continue is understood")
    if request.version == HttpVersion11:
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        request.writer.output_size = 0
