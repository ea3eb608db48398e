"""The command line, built from the command table in the user's language.

Three things argparse does not do by itself:

- a command's options and its words go in any order (`send X --urgent "text"` as well as
  `send X "text" --urgent`): each command's own parser reads its arguments intermixed. argparse
  cannot do that for a parser that has commands under it, so only the commands' parsers do it;
  the top-level parser hands everything after the command word to the command's parser anyway.
- every message is in the user's language: headings and help from the catalog, argparse's own
  messages through :mod:`clients.cli.argparse_language`.
- a mistyped command or choice gets a suggestion ("did you mean status?").
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Iterable, Sequence
from typing import Any, Final, NoReturn

from .command import Entry, Group
from .errors import EXIT_USAGE
from .i18n import LANGUAGES, Translator
from .suggestions import closest


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog: str, *, tr: Translator) -> None:
        super().__init__(prog)
        self._usage_prefix = tr("help.usage_prefix")

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, self._usage_prefix if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """argparse with the catalog's words, suggestions, and (``intermixed``) free word order."""

    def __init__(self, *, tr: Translator, intermixed: bool = False, **kwargs: Any) -> None:
        super().__init__(
            formatter_class=functools.partial(_Formatter, tr=tr),
            add_help=False,
            allow_abbrev=False,
            **kwargs,
        )
        self.tr = tr
        self.intermixed = intermixed
        self._intermixing = False
        self._commands: argparse.Action | None = None
        self._positionals.title = tr("help.positionals")
        self._optionals.title = tr("help.options")
        self.add_argument("-h", "--help", action="help", help=tr("help.help"))

    def add_commands(self, dest: str) -> argparse._SubParsersAction[Parser]:
        commands = self.add_subparsers(
            dest=dest,
            title=self.tr("help.commands"),
            metavar=self.tr("metavar.command"),
            parser_class=Parser,
        )
        self._commands = commands
        return commands

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, self.tr("help.usage_error", prog=self.prog, message=message) + "\n")

    def parse_known_args(  # type: ignore[override]  # one signature for argparse's overloads
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if not self.intermixed or self._intermixing:
            return super().parse_known_args(args, namespace)
        # parse_known_intermixed_args calls back parse_known_args twice (options, then words).
        self._intermixing = True
        saved_usage = self.usage
        if saved_usage is None:
            # argparse keeps the usage for its messages by cutting its own English "usage: " (7
            # characters) off the formatted usage; ours is translated, so it gets it whole.
            prefix = self.tr("help.usage_prefix")
            self.usage = self.format_usage().removeprefix(prefix).rstrip("\n").replace("%", "%%")
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self.usage = saved_usage
            self._intermixing = False

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # argparse's own check, with the nearest choice suggested.
        if action.choices is None or value in action.choices:
            return
        choices = [str(choice) for choice in action.choices]
        suggestion = closest(str(value), choices)
        if action is self._commands:
            key = "help.unknown_command" if suggestion is None else "help.unknown_command_near"
            message = self.tr(key, command=value, suggestion=suggestion, prog=self.prog)
            # No "argument COMMAND:" in front: the sentence says it is a command.
            raise argparse.ArgumentError(None, message)
        key = "help.invalid_choice" if suggestion is None else "help.invalid_choice_near"
        message = self.tr(key, value=value, suggestion=suggestion, choices=", ".join(choices))
        raise argparse.ArgumentError(action, message)


class _Version(argparse.Action):
    """``releve --version``: the installed version, looked up only when asked for."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("releve")
        except PackageNotFoundError:
            number = "?"
        print(f"releve {number}")
        parser.exit()


# Where a home goes without --home or $RELEVE_HOME, as `releve --help` says it on each system
# (node.system.user_home; platformdirs is not imported at every start to say it). argparse
# reads "%" in a help text as a placeholder: doubled.
_DEFAULT_HOMES: Final = {
    "win32": "%%LOCALAPPDATA%%\\releve",
    "darwin": "~/Library/Application Support/releve",
}


def default_home_shown(platform: str = sys.platform) -> str:
    return _DEFAULT_HOMES.get(platform, "~/.local/share/releve")


def build_parser(table: Sequence[Entry], tr: Translator) -> Parser:
    """The whole command line, with help texts in ``tr``'s language."""
    parser = Parser(
        tr=tr, prog="releve", description=tr("help.description"), epilog=tr("help.epilog")
    )
    home_help = tr("help.home", default=default_home_shown())
    parser.add_argument("--home", metavar=tr("metavar.dir"), help=home_help)
    parser.add_argument("--lang", choices=LANGUAGES, help=tr("help.lang"))
    parser.add_argument("--version", action=_Version, nargs=0, help=tr("help.version"))
    _add_entries(parser.add_commands("command"), table, tr)
    return parser


def _add_entries(
    commands: argparse._SubParsersAction[Parser], entries: Sequence[Entry], tr: Translator
) -> None:
    for entry in entries:
        words = tr(entry.help)
        if isinstance(entry, Group):
            group = commands.add_parser(entry.name, help=words, description=words, tr=tr)
            sub = group.add_commands(f"{entry.name}_command")
            sub.required = True
            _add_entries(sub, entry.commands, tr)
            continue
        parser = commands.add_parser(
            entry.name, help=words, description=words, tr=tr, intermixed=True
        )
        entry.arguments(parser, tr)
        parser.set_defaults(chosen=entry, chosen_prog=parser.prog)
