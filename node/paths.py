"""Where a node keeps its files (docs/local-api.md, docs/operations.md).

Light on purpose: the CLI imports it to find a running node without importing the daemon.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_HOME = "RELEVE_HOME"


def default_home() -> Path:
    """The platform's user data folder (XDG on Linux)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "releve"


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
    """Writes a file that only the owner can read (0600 from creation), atomically."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
