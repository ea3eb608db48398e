"""Saved files where a folder takes no hard link (issue #17): a FAT or exFAT USB key, which
on Windows refuses a link with ERROR_INVALID_FUNCTION (errno EINVAL) or ERROR_NOT_SUPPORTED,
and on Linux with EPERM. The file is then saved by reserving its name and replacing it, and
still never overwrites anything."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from clients.cli import files


def _no_links(error: OSError, monkeypatch: pytest.MonkeyPatch) -> None:
    def link(source: object, target: object) -> None:
        raise error

    monkeypatch.setattr(os, "link", link)


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.EINVAL, "Incorrect function"),  # Windows, FAT: ERROR_INVALID_FUNCTION
        OSError(errno.EPERM, "Operation not permitted"),  # Linux, vfat
        OSError(errno.ENOTSUP, "Operation not supported"),
    ],
)
def test_a_folder_without_links_still_gets_the_file_without_overwriting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError
) -> None:
    (tmp_path / "bilan.pdf").write_bytes(b"old")
    temporary = tmp_path / "t.part"
    temporary.write_bytes(b"new")
    _no_links(error, monkeypatch)
    target = files.publish(temporary, tmp_path, "bilan.pdf")
    assert target == tmp_path / "bilan (2).pdf"
    assert target.read_bytes() == b"new"
    assert (tmp_path / "bilan.pdf").read_bytes() == b"old"
    assert not temporary.exists()


def test_windows_error_codes_for_a_link_a_folder_cannot_hold() -> None:
    for winerror in (1, 50):  # ERROR_INVALID_FUNCTION, ERROR_NOT_SUPPORTED (winerror.h)
        exc = OSError(errno.EIO, "refused")
        exc.winerror = winerror  # type: ignore[attr-defined]  # set by Windows only
        assert files.links_unsupported(exc)


def test_other_failures_are_not_taken_for_a_folder_without_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temporary = tmp_path / "t.part"
    temporary.write_bytes(b"new")
    _no_links(OSError(errno.ENOSPC, "No space left on device"), monkeypatch)
    with pytest.raises(OSError, match="No space left") as failed:
        files.publish(temporary, tmp_path, "bilan.pdf")
    assert failed.value.errno == errno.ENOSPC
    assert not (tmp_path / "bilan.pdf").exists()
