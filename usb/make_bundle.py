"""`make bundle`: everything needed to install Relève from a USB key, without the Internet.

Writes ``dist/releve-usb/`` (and ``dist/releve-usb.zip``):

- ``wheels/``: Relève's wheel (built from the last commit) and every wheel it needs, for
  Linux x86_64 (manylinux), Windows amd64 and macOS (Apple silicon, macOS 11 or later, and
  Intel, macOS 12 or later: every dependency ships macOS wheels), for each Python version in
  ``--python`` (3.11 by default), including pywin32 for the Windows service (the
  ``[windows]`` extra);
- ``install.sh`` (Linux and macOS), ``install.ps1`` and ``install.bat`` (Windows,
  double-click the .bat): a virtual environment, then ``pip install --no-index
  --find-links wheels``;
- ``LISEZ-MOI.txt`` / ``README.txt``: one page, French then English.

Needs the Internet (PyPI) when it runs: make the bundle before the outage. Python itself is
not in it: Windows PCs need Python 3.11 or newer installed (python.org or the Microsoft Store);
put its installer on the key too (README, "Windows").
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
SCRIPTS = ("install.sh", "install.ps1", "install.bat", "LISEZ-MOI.txt")
LINUX_PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")
WINDOWS_PLATFORMS = ("win_amd64",)
# One download per processor: pip takes one wheel per package for all the tags it is given,
# and an arm64 wheel would not do for an Intel Mac. pip widens each tag to the older macOS
# versions and to universal2 wheels.
MACOS_PLATFORMS = (("macosx_11_0_arm64",), ("macosx_12_0_x86_64",))


def run(arguments: list[str]) -> None:
    print("+", " ".join(arguments), flush=True)
    subprocess.run(arguments, check=True)  # noqa: S603 - our interpreter, our arguments


def committed_source(into: Path) -> Path:
    """The last commit's files (``git archive HEAD``): a bundle holds what was committed, not
    what happens to be edited in the working tree. Outside git, the folder as it is."""
    if not (ROOT / ".git").exists():
        return ROOT
    archive = subprocess.run(  # noqa: S603 - git, our own arguments
        ["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD"],  # noqa: S607
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def build_wheel(wheels: Path) -> Path:
    """Relève's own wheel, from the last commit."""
    with tempfile.TemporaryDirectory() as temporary:
        source = committed_source(Path(temporary))
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--wheel-dir",
                str(wheels),
                str(source),
            ]
        )
    built = sorted(wheels.glob("releve-*.whl"))
    if not built:
        raise SystemExit("no releve wheel was built")
    return built[-1]


def download(
    wheels: Path, requirement: str, platforms: tuple[str, ...], python: str, *extra: str
) -> None:
    arguments = [sys.executable, "-m", "pip", "download", "--only-binary=:all:"]
    for platform in platforms:
        arguments += ["--platform", platform]
    nodot = python.replace(".", "")
    arguments += ["--python-version", python, "--implementation", "cp"]
    arguments += ["--abi", f"cp{nodot}", "--abi", "abi3", "--abi", "none"]
    arguments += ["--find-links", str(wheels), "--dest", str(wheels), requirement, *extra]
    run(arguments)


def copy_scripts(out: Path) -> None:
    for name in SCRIPTS:
        data = (HERE / name).read_bytes()
        if name.endswith((".ps1", ".bat", ".txt")):
            # Windows tools read CR LF; the sheet too, for Notepad.
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        (out / name).write_bytes(data)
    (out / "README.txt").write_bytes((out / "LISEZ-MOI.txt").read_bytes())
    (out / "install.sh").chmod(0o755)


def make_zip(out: Path) -> Path:
    archive = out.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(out.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo.from_file(path, Path(out.name) / path.relative_to(out))
                info.compress_type = zipfile.ZIP_DEFLATED
                zipped.writestr(info, path.read_bytes())
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "releve-usb")
    parser.add_argument(
        "--python",
        action="append",
        help="Python versions the wheels are for (repeatable; default 3.11)",
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="no download: Relève's wheel and the wheels already in --wheels-from only",
    )
    parser.add_argument("--wheels-from", type=Path, help="a folder of wheels to add first")
    args = parser.parse_args(argv)
    out: Path = args.out
    if out.exists():
        shutil.rmtree(out)
    wheels = out / "wheels"
    wheels.mkdir(parents=True)
    if args.wheels_from is not None:
        for wheel in args.wheels_from.glob("*.whl"):
            shutil.copy2(wheel, wheels / wheel.name)
    own = build_wheel(wheels)
    if not args.offline:
        requirement = f"releve[windows] @ {own.resolve().as_uri()}"
        for python in args.python or ["3.11"]:
            download(wheels, requirement, LINUX_PLATFORMS, python)
            for platforms in MACOS_PLATFORMS:
                download(wheels, requirement, platforms, python)
            # pip reads environment markers as on this machine, not the target: pywin32's
            # (sys_platform == 'win32') is named for Windows explicitly.
            download(wheels, requirement, WINDOWS_PLATFORMS, python, "pywin32>=306")
    copy_scripts(out)
    archive = make_zip(out)
    count = len(list(wheels.glob("*.whl")))
    print(f"bundle: {out} ({count} wheels), {archive}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
