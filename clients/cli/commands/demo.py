"""``releve demo``: two nodes on this machine pair and exchange fictitious messages, narrated."""

from __future__ import annotations

import argparse

from ..command import Command, Context


def cmd_demo(args: argparse.Namespace, ctx: Context) -> int:
    # The scenario starts processes and threads (subprocess, tempfile, threading): loaded for
    # this command only, so that the others start without them.
    from ..demo import run_demo

    del args  # nothing to choose: the demo is the same every time
    return run_demo(ctx.tr)


DEMO = Command("demo", "help.demo", cmd_demo)
