"""A command of `releve`, declared in one place: its name, its arguments and what it does.

Each module of :mod:`clients.cli.commands` declares its :class:`Command` values next to their
handlers; :mod:`clients.cli.commands` lists them in the order of the help, and
:mod:`clients.cli.command_line` builds the parser from that list. A handler gets the parsed
arguments and the :class:`Context` of the invocation (the node's home, the user's language).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from .i18n import Translator

if TYPE_CHECKING:
    from node.paths import HomeLayout

# NamedTuples rather than dataclasses: every command module declares some, and a dataclass
# costs about ten times more to define, at every start of the CLI.


class Context(NamedTuple):
    """What one invocation gives its command."""

    layout: HomeLayout
    tr: Translator


Handler = Callable[[argparse.Namespace, Context], int]
# Adds a command's own arguments to its parser; help texts and metavariables are worded by ``tr``.
Arguments = Callable[[argparse.ArgumentParser, Translator], None]


def no_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    del parser, tr


class Command(NamedTuple):
    """``help`` is the catalog key of its one-line description (help list and --help)."""

    name: str
    help: str
    run: Handler
    arguments: Arguments = no_arguments


class Group(NamedTuple):
    """Commands under a common word: `releve pair invite`, `releve audit verify`."""

    name: str
    help: str
    commands: tuple[Command, ...]


Entry = Command | Group
