"""The exception tree of node.protocol.errors matches the drawing in its docstring."""

from __future__ import annotations

import inspect

import pytest

from node.protocol import errors
from node.protocol.errors import LocalProtocolError, ProtocolError, RemoteProtocolError

ERROR_CLASSES = [
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, BaseException) and cls.__module__ == errors.__name__
]
LOCAL = {"LocalProtocolError", "CorruptState", "ClinicalError"}
REMOTE = {
    "RemoteProtocolError",
    "MalformedInput",
    "MalformedBody",
    "RelayProtocolError",
    "UnsupportedVersion",
    "InvitationExpired",
    "InvitationUsed",
    "DecryptionFailed",
    "DuplicateMessage",
    "TooManySkipped",
}


def documented_tree() -> dict[str, str | None]:
    """Class name -> documented parent name, read from the module docstring's drawing
    (the block of lines from ``ProtocolError`` to the next blank line)."""
    assert errors.__doc__ is not None
    lines = errors.__doc__.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == ["ProtocolError"])
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []  # (column of the name, name)
    for line in lines[start:]:
        if not line.strip():
            break
        name = line.replace("├──", "   ").replace("└──", "   ").replace("│", " ").split()[0]
        column = line.index(name)
        while stack and stack[-1][0] >= column:
            stack.pop()
        parents[name] = stack[-1][1] if stack else None
        stack.append((column, name))
    return parents


def test_docstring_draws_every_class() -> None:
    tree = documented_tree()
    assert set(tree) == {cls.__name__ for cls in ERROR_CLASSES}
    assert tree["ProtocolError"] is None


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_class_has_its_documented_parent(cls: type[BaseException]) -> None:
    parent = documented_tree()[cls.__name__]
    if parent is None:
        assert cls is ProtocolError
        assert cls.__bases__ == (Exception,)
    else:
        assert [base.__name__ for base in cls.__bases__] == [parent]


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_is_a_protocol_error_and_local_or_remote(cls: type[BaseException]) -> None:
    assert issubclass(cls, ProtocolError)
    if cls is ProtocolError:
        return
    assert issubclass(cls, LocalProtocolError) == (cls.__name__ in LOCAL)
    assert issubclass(cls, RemoteProtocolError) == (cls.__name__ in REMOTE)
    assert issubclass(cls, LocalProtocolError) != issubclass(cls, RemoteProtocolError)


def test_local_and_remote_sets_cover_every_class() -> None:
    assert {cls.__name__ for cls in ERROR_CLASSES} == LOCAL | REMOTE | {"ProtocolError"}


def test_every_class_has_its_own_distinct_code() -> None:
    codes = [cls.__dict__.get("code") for cls in ERROR_CLASSES]
    assert all(isinstance(code, str) and code for code in codes), codes
    assert len(set(codes)) == len(codes)


def test_code_is_readable_on_instances() -> None:
    error = errors.DecryptionFailed("message authentication failed")
    assert error.code == "decryption_failed"
    assert str(error) == "message authentication failed"
