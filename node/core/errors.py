"""Errors of the node outside the protocol core.

NodeError                      has a stable ``code`` that clients translate
├── SetupError                 init and unlocking: home exists/missing, wrong passphrase...
├── StoreError                 the database: newer than the code, corrupt, disk full
└── ApiError                   a local API request that cannot be served (with HTTP status)
"""

from __future__ import annotations


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


class ApiError(NodeError):
    code = "bad_request"

    def __init__(
        self, status: int, code: str, message: str, details: dict[str, str] | None = None
    ) -> None:
        super().__init__(message, code)
        self.status = status
        self.details = details or {}  # e.g. the field and reason of a refused clinical form
