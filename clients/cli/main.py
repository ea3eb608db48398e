"""`releve`: the command-line client of a Relève node.

Global options come before the command. Exit codes: 0 success, 1 an error the user can act on
(printed translated on stderr; also a tampered audit log), 2 a command-line usage error, 3 no node
running, 130 interrupted (Ctrl-C; a file transfer continues in the node).
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Sequence

from .argparse_language import speaking
from .command import Command, Context
from .command_line import build_parser
from .commands import TABLE
from .errors import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE, CliError, UsageError
from .i18n import Translator, choose_language
from .os_errors import os_reason


def _early_language(argv: Sequence[str]) -> str | None:
    """--lang among the global options, read before the parser is built (its help is translated)."""
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--lang":
            return argv[index + 1] if index + 1 < len(argv) else None
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
        if arg == "--home":
            index += 2
            continue
        if not arg.startswith("-"):
            return None  # the command: options after it are the command's own
        index += 1
    return None


def _tolerant_output() -> None:
    """Prints with replacement characters rather than failing on a non-UTF-8 console."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    _tolerant_output()
    tr = Translator(choose_language(_early_language(arguments), os.environ))
    with speaking(tr):
        parser = build_parser(TABLE, tr)
        try:
            args = parser.parse_args(arguments)
        except SystemExit as exc:  # --help, or a usage error already printed
            return exc.code if isinstance(exc.code, int) else EXIT_USAGE
        if args.command is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
    # Only now: node.paths loads dataclasses (and inspect, ast...), which neither --help nor a
    # usage error needs.
    from node.paths import HomeLayout, resolve_home

    command: Command = args.chosen
    context = Context(HomeLayout(resolve_home(args.home)), tr)
    try:
        return command.run(args, context)
    except UsageError as exc:
        # Worded as argparse's own usage errors: the command, then what is wrong.
        message = tr(exc.key, **exc.values)
        print(tr("help.usage_error", prog=args.chosen_prog, message=message), file=sys.stderr)
        return exc.exit_code
    except CliError as exc:
        print(tr("error.prefix", message=tr(exc.key, **exc.values)), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`releve inbox | head`): nothing more to say, to anyone.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except OSError as exc:
        # One the command did not expect: still said in the user's words, without a traceback.
        where = "" if exc.filename is None else str(exc.filename)
        message = tr("error.system", reason=os_reason(exc), path=where)
        print(tr("error.prefix", message=message), file=sys.stderr)
        return EXIT_ERROR
