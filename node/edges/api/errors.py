"""How the local API says no: the one table from an error's code to its HTTP status
(docs/local-api.md, "Errors"), and the error document."""

from __future__ import annotations

from typing import Final

from aiohttp import web

from node.core.errors import (
    Conflict,
    Invalid,
    NotFound,
    PhoneFailed,
    RequestError,
    Unavailable,
)

# A code not listed takes its class's status.
STATUS_BY_CODE: Final = {
    "unauthorized": 401,
    "wrong_code": 403,
    "forbidden": 403,  # a mailbox (or one of its messages) the person may not read
    "too_large": 413,
    "code_expired": 410,
    "too_many_calls": 429,
    "internal": 500,
    "pairing_failed": 502,
    "relay_unreachable": 502,
    "relay_busy": 503,
    "pairing_timeout": 504,
    # A pairing by phone also stops for the reasons an ordinary pairing is refused.
    "invitation_expired": 400,
    "invitation_invalid": 400,
    "invitation_own": 400,
    "no_relay": 400,
    "relay_invalid": 400,
    "code_invalid": 400,
    "code_unknown": 404,
    "call_not_found": 404,
    "already_paired": 409,
    "code_used": 409,
    "peer_left": 409,
    "cancelled": 409,
    "store_unavailable": 503,
}
STATUS_BY_CLASS: Final[tuple[tuple[type[RequestError], int], ...]] = (
    (Invalid, 400),
    (NotFound, 404),
    (Conflict, 409),
    (Unavailable, 503),
    (PhoneFailed, 502),
)


def status_of(error: RequestError) -> int:
    status = STATUS_BY_CODE.get(error.code)
    if status is not None:
        return status
    for kind, class_status in STATUS_BY_CLASS:
        if isinstance(error, kind):
            return class_status
    return 400


def error_response(
    status: int, code: str, message: str, details: dict[str, str] | None = None
) -> web.Response:
    error = {"code": code, "message": message, **(details or {})}
    return web.json_response({"error": error}, status=status)


def request_error_response(error: RequestError) -> web.Response:
    return error_response(status_of(error), error.code, str(error), error.details)
