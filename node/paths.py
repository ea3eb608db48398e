"""Where a node keeps its files (docs/local-api.md, docs/operations.md).

Light on purpose: the CLI imports it to find a running node without importing the daemon.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from node import system

ENV_HOME = "RELEVE_HOME"


def default_home() -> Path:
    """The platform's per-user data folder (:func:`node.system.user_home`: XDG on Linux, as
    before). A home made at the old XDG place on macOS or Windows is still found there."""
    home = system.user_home()
    if not home.exists():
        legacy = system.legacy_home()
        if legacy != home and (legacy / "keyring.json").exists():
            return legacy
    return home


def resolve_home(cli_home: str | None) -> Path:
    """``--home`` wins, then ``$RELEVE_HOME``, then the platform default."""
    if cli_home:
        return Path(cli_home).expanduser().resolve()
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser().resolve()
    return default_home()


@dataclass(frozen=True)
class HomeLayout:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config.toml"

    @property
    def keyring(self) -> Path:
        """The wrapped data key and the encrypted identity."""
        return self.root / "keyring.json"

    @property
    def key_file(self) -> Path:
        """Unattended mode only: the key that unwraps the data key."""
        return self.root / "node.key"

    @property
    def database(self) -> Path:
        return self.root / "releve.db"

    @property
    def api_token(self) -> Path:
        return self.root / "api-token"

    @property
    def api_info(self) -> Path:
        return self.root / "api.json"

    @property
    def lock(self) -> Path:
        return self.root / "node.lock"

    @property
    def log(self) -> Path:
        return self.root / "node.log"


def write_private(path: Path, data: bytes) -> None:
    """Writes a file that only the owner can read (0600 from creation; on Windows its access
    list is set before a byte is written), in binary mode, atomically."""
    tmp = path.with_name(path.name + ".tmp")
    fd = system.open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        if system.WINDOWS:
            system.make_private(tmp)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    system.replace(tmp, path)
