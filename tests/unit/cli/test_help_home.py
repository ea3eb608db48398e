"""`releve --help` says where the home goes on the system it runs on (issue #17): the XDG
folder on Linux, Application Support on macOS, %LOCALAPPDATA% on Windows, as
node.system.user_home decides, in French and English."""

from __future__ import annotations

import sys

import pytest

from clients.cli import command_line
from clients.cli.command_line import build_parser, default_home_shown
from clients.cli.commands import TABLE
from clients.cli.i18n import Translator


def help_text(language: str) -> str:
    # Wide enough that argparse does not break the folder across lines.
    return " ".join(build_parser(TABLE, Translator(language)).format_help().split())


@pytest.mark.parametrize(
    ("platform", "shown"),
    [
        ("linux", "~/.local/share/releve"),
        ("darwin", "~/Library/Application Support/releve"),
        ("win32", "%LOCALAPPDATA%\\releve"),
    ],
)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_help_names_the_default_home_of_each_system(
    monkeypatch: pytest.MonkeyPatch, platform: str, shown: str, language: str
) -> None:
    monkeypatch.setattr(command_line, "default_home_shown", lambda: default_home_shown(platform))
    text = help_text(language)
    assert f"$RELEVE_HOME, {'sinon' if language == 'fr' else 'else'} {shown})" in text


def test_this_system_s_default_home_is_the_one_shown() -> None:
    expected = {"win32": "%LOCALAPPDATA%\\releve", "darwin": "Application Support/releve"}
    assert expected.get(sys.platform, "~/.local/share/releve") in help_text("en")
