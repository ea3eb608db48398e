"""Errors the command-line client shows to the user.

    CliError              a catalog key and its values; exit code 1 (the user can act on it)
    ├── UsageError        options that do not go together; exit code 2
    ├── NoNodeRunning     no node answers for this home; exit code 3
    └── ApiFailure        the node answered with an error body (docs/local-api.md, "Errors")

Each carries a key of :mod:`clients.cli.catalog` and its values (some of them
:class:`~clients.cli.i18n.Localized`), so the text is translated where it is printed, in the
language of that invocation.
"""

from __future__ import annotations

from pathlib import Path

from .fields import FieldLabel, ReasonText
from .i18n import has_key

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NO_NODE = 3
EXIT_INTERRUPTED = 130


class CliError(Exception):
    exit_code = EXIT_ERROR

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class UsageError(CliError):
    """Options that do not go together, found after parsing; exit code 2 as argparse's."""

    exit_code = EXIT_USAGE


class NoNodeRunning(CliError):
    exit_code = EXIT_NO_NODE

    def __init__(self, home: Path, *, initialised: bool) -> None:
        super().__init__("error.no_node" if initialised else "error.no_node_no_home", home=home)
        self.home = home


class ApiFailure(CliError):
    """``field`` and ``reason`` come with the code invalid_field (a form the node refused)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        reason: str | None = None,
    ) -> None:
        key = f"api.{code}" if has_key(f"api.{code}") else "api.unknown"
        super().__init__(
            key,
            code=code,
            detail=message,
            status=status,
            field=FieldLabel(field or ""),
            reason=ReasonText(reason or ""),
        )
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.reason = reason
