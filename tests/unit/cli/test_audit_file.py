"""`releve audit verify --file` (issue #16): the offline check, written from docs/audit.md,
agrees with the node's own check (node.storage.audit.verify_lines) on intact and tampered
exports; the page's example lines are a test vector; no node is needed."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from clients.cli.audit_file import check_lines, parse_head
from node.storage.audit import GENESIS, _Fields, _hash, _iso, verify_lines

from .conftest import Cli

DOC = Path(__file__).resolve().parents[3] / "docs" / "audit.md"
EVENTS = ("paired", "sent", "received", "delivered", "read", "viewed", "printed", "refused")


def doc_lines() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return re.findall(r'^\{"position".*\}$', text, re.M)


def export(count: int, seed: int = 7) -> list[str]:
    """An export as the node writes it, from the node's own chain code."""
    rng = random.Random(seed)
    lines, prev, at = [], GENESIS, 1_795_165_200_000_000
    for position in range(1, count + 1):
        at += rng.randrange(1, 10**8)
        contact = rng.randbytes(16) if rng.random() < 0.9 else None
        message = rng.randbytes(16) if rng.random() < 0.7 else None
        fields = _Fields(at, rng.choice(EVENTS), rng.choice(("local", "contact")), contact, message)
        digest = _hash(prev, position, fields)
        item = {
            "position": position,
            "at": _iso(at),
            "event": fields.event,
            "actor": fields.actor,
            "contact": None if contact is None else contact.hex(),
            "message": None if message is None else message.hex(),
            "prev_hash": prev.hex(),
            "hash": digest.hex(),
        }
        lines.append(json.dumps(item, separators=(",", ":")))
        prev = digest
    return lines


def test_the_documented_example_is_a_test_vector() -> None:
    lines = doc_lines()
    assert len(lines) == 2
    assert check_lines(lines).ok
    assert verify_lines(lines).ok
    assert check_lines(lines).head == (
        2,
        "b90e216477fd23e08d6a15f6fce7ddaaacc285ffa2688383369e6687beb42925",
    )


def _edit(lines: list[str], index: int, **changes: object) -> list[str]:
    item = json.loads(lines[index])
    item.update(changes)
    return [*lines[:index], json.dumps(item), *lines[index + 1 :]]


def tamperings(lines: list[str]) -> dict[str, list[str]]:
    swapped = list(lines)
    swapped[4], swapped[5] = swapped[5], swapped[4]
    later = "2027-01-01T00:00:00.000000Z"
    return {
        "event changed": _edit(lines, 6, event="printed" if "printed" not in lines[6] else "sent"),
        "time changed": _edit(lines, 3, at=later),
        "actor changed": _edit(lines, 2, actor="contact" if '"local"' in lines[2] else "local"),
        "message removed": _edit(lines, 8, message=None, contact=None),
        "hash changed": _edit(lines, 9, hash="00" * 32),
        "entry deleted": [*lines[:5], *lines[6:]],
        "first deleted": lines[1:],
        "swapped": swapped,
        "not json": [*lines[:3], "{", *lines[4:]],
        "extra member": _edit(lines, 1, note="x"),
        "position renumbered": _edit(lines, 7, position=99),
    }


@pytest.mark.parametrize("name", list(tamperings(export(20))))
def test_both_checks_find_each_tampering(name: str) -> None:
    lines = export(20)
    altered = tamperings(lines)[name]
    mine, node = check_lines(altered), verify_lines(altered)
    assert not mine.ok
    assert not node.ok
    assert mine.position is not None
    assert node.position is not None
    # Both stop at the same entry, give or take the neighbour a swap or a replacement names.
    assert abs(mine.position - node.position) <= 1, (mine, node)


def test_an_intact_export_and_its_head() -> None:
    lines = export(30)
    result = check_lines(["", *lines, ""])
    assert result.ok
    assert result.entries == 30
    assert verify_lines(lines).ok
    assert result.head is not None
    head = (result.head[0], bytes.fromhex(result.head[1]))
    # A later export that grew is fine; one cut short, or rewritten at the head, is not.
    assert check_lines([*lines, *export(31)[30:]], head).ok
    short = check_lines(lines[:25], head)
    assert (short.ok, short.reason, short.position) == (False, "truncated", 26)
    assert verify_lines(lines[:25], head).reason == "truncated"
    other = check_lines(export(30, seed=8), head)
    assert not other.ok


def test_the_command_checks_a_file_without_a_node(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    lines = export(12)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("--lang", "en", "audit", "verify", "--file", str(path))
    assert result.code == 0, result.err
    assert "Audit file intact: 12 entries" in result.out
    digest = json.loads(lines[-1])["hash"]
    assert f"12:{digest}" in result.out
    assert cli("audit", "verify", "--file", str(path), "--head", f"12:{digest}").code == 0
    path.write_text("\n".join(lines[:10]) + "\n", encoding="utf-8")
    cut = cli("--lang", "fr", "audit", "verify", "--file", str(path), "--head", f"12:{digest}")
    assert cut.code == 1
    assert "FICHIER D'AUDIT ALTÉRÉ" in cut.err
    assert "entrée 11" in cut.err
    path.write_text("\n".join(tamperings(lines)["entry deleted"]), encoding="utf-8")
    broken = cli("--lang", "en", "audit", "verify", "--file", str(path))
    assert broken.code == 1
    assert "entry deleted" in broken.err
    assert cli("audit", "verify", "--head", f"12:{digest}").code == 2
    assert cli("audit", "verify", "--file", str(path), "--head", "12").code == 2
    assert cli("audit", "verify", "--file", str(tmp_path / "none.jsonl")).code == 1


def test_parse_head() -> None:
    assert parse_head("3:" + "ab" * 32) == (3, bytes([0xAB]) * 32)
    for bad in ("3", "x:" + "ab" * 32, "3:" + "zz" * 32, "3:abc"):
        assert parse_head(bad) is None
