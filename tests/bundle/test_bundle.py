"""The USB bundle installs without the Internet and runs (issue #17): `make test-bundle`.

Takes the bundle in ``$RELEVE_BUNDLE`` (made by `make bundle`, which downloads from PyPI), runs
its install.sh into a fresh folder (``pip install --no-index``: nothing is fetched), then the
installed ``releve --version`` and ``releve demo``, from outside the repository so that the
installed package is the one that runs. Not part of `make test`: building a bundle needs the
network. The Windows scripts (install.ps1, install.bat) are only checked for what they call.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

BUNDLE = os.environ.get("RELEVE_BUNDLE")
pytestmark = pytest.mark.skipif(not BUNDLE, reason="RELEVE_BUNDLE not set: `make test-bundle`")


def _bundle() -> Path:
    assert BUNDLE is not None
    return Path(BUNDLE).resolve()


def _clean_environment() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("RELEVE_", "PYTHON", "PIP_", "VIRTUAL_ENV"))
    }


def test_the_bundle_holds_wheels_for_linux_windows_and_macos() -> None:
    wheels = sorted(path.name for path in (_bundle() / "wheels").glob("*.whl"))
    assert any(name.startswith("releve-") for name in wheels)
    for package in ("aiohttp", "pynacl", "pillow", "zxing_cpp"):
        names = [name for name in wheels if name.lower().startswith(package)]
        assert any("manylinux" in name for name in names), package
        assert any("win_amd64" in name for name in names), package
        # A wheel for each Mac processor (a universal2 one serves both).
        macos = [name for name in names if "macosx" in name]
        assert any("arm64" in name or "universal2" in name for name in macos), package
        assert any("x86_64" in name or "universal2" in name for name in macos), package
    assert any(name.startswith("pywin32-") and "win_amd64" in name for name in wheels)
    for name in ("install.sh", "install.ps1", "install.bat", "LISEZ-MOI.txt", "README.txt"):
        assert (_bundle() / name).is_file(), name
    assert "--no-index" in (_bundle() / "install.ps1").read_text(encoding="utf-8")
    assert "install.ps1" in (_bundle() / "install.bat").read_text(encoding="utf-8")
    sheet = (_bundle() / "LISEZ-MOI.txt").read_text(encoding="utf-8")
    assert "INSTALLATION DEPUIS CETTE CLÉ USB" in sheet
    assert "INSTALLING FROM THIS USB KEY" in sheet
    with zipfile.ZipFile(_bundle().with_suffix(".zip")) as zipped:
        assert f"{_bundle().name}/install.sh" in zipped.namelist()


def test_install_without_the_internet_then_version_and_demo(tmp_path: Path) -> None:
    target = tmp_path / "releve-app"
    env = {**_clean_environment(), "PYTHON": sys.executable, "PIP_NO_INDEX": "1"}
    installed = subprocess.run(
        ["sh", str(_bundle() / "install.sh"), str(target)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "releve 0.1.0" in installed.stdout
    releve = target / "bin" / "releve"
    version = subprocess.run(
        [str(releve), "--version"],
        cwd=tmp_path,
        env=_clean_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert version.stdout.startswith("releve ")
    demo = subprocess.run(
        [str(releve), "--lang", "en", "demo"],
        cwd=tmp_path,
        env=_clean_environment(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    # The demo ran the installed package, not this repository's.
    where = subprocess.run(
        [str(target / "bin" / "python"), "-c", "import node; print(node.__file__)"],
        cwd=tmp_path,
        env=_clean_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert str(target) in where.stdout
