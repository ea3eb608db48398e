"""Errors of the node outside the protocol core (which has its own tree, node.protocol.errors).

NodeError                    a stable ``code`` that clients translate; never a patient field
├── SetupError               init and unlocking: home exists or is missing, wrong passphrase...
├── StoreError               the database: newer than the code, corrupt, cannot be opened
├── RequestError             something a person or a script asked for cannot be done
│   ├── Invalid              the request itself is wrong (``details``: the field and reason of
│   │                        a refused clinical form)
│   ├── NotFound             what it names does not exist
│   ├── Conflict             not in the state it needs (already paired, not urgent...)
│   ├── Unavailable          not now: the store cannot save, a relay cannot be reached...
│   └── PhoneFailed          a pairing by phone stopped (node.edges.phone_pairing)
└── PeerRefused              a peer's packet is refused; its ``verdict`` tells the sender
                             whether to retry, and the reason is logged (never content)

The core says *what* went wrong; only the edges say it in HTTP (node.edges.api.errors holds the
one code -> status table).
"""

from __future__ import annotations

from enum import Enum


class NodeError(Exception):
    code = "node_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class SetupError(NodeError):
    code = "setup_error"


class StoreError(NodeError):
    code = "store_error"


class RequestError(NodeError):
    code = "bad_request"

    def __init__(self, code: str, message: str, details: dict[str, str] | None = None) -> None:
        super().__init__(message, code)
        self.details = details or {}


class Invalid(RequestError):
    pass


class NotFound(RequestError):
    pass


class Conflict(RequestError):
    pass


class Unavailable(RequestError):
    pass


class PhoneFailed(RequestError):
    """A phone pairing stops; the code names why (docs/local-api.md, "Errors")."""


def store_unavailable(exc: BaseException) -> Unavailable:
    return Unavailable("store_unavailable", f"could not save: {exc}")


class Verdict(Enum):
    """What a refused packet means for its sender (docs/protocol.md §17)."""

    MALFORMED = "malformed"  # undecodable or not decryptable: sending it again will not help
    UNKNOWN_SENDER = "unknown_sender"  # not a paired contact
    GONE = "gone"  # final: no longer paired, invitation used, message key gone
    BUSY = "busy"  # could not be saved now: try again


class PeerRefused(NodeError):
    code = "peer_refused"

    def __init__(self, verdict: Verdict, reason: str, refusal: str | None = None) -> None:
        super().__init__(reason)
        self.verdict = verdict
        self.reason = reason
        # A clinical payload refused for good: the stable code shown to our user
        # (node.core.refusals), e.g. "bad_signature".
        self.refusal = refusal
