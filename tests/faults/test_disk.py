"""Disk faults (issue 7): a full disk and a read-only home folder. The node says so clearly
(an API error, a log line, an exit code, never a traceback), corrupts nothing, loses nothing,
and works again once the disk is usable (docs/architecture.md, invariant 3).

These tests mount file systems themselves, so they need root (CI runs them as root); run
without it they fail and say why. The home of the node under test lives on the small file
system; its stderr, where the test reads its log lines, does not.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.faults.fault_support import (
    GP_NAME,
    PHARMACY_NAME,
    Conversation,
    Fate,
    fill,
    interrupt,
    kill_all,
    log_text,
    require_root,
    require_tools,
    run_root,
    settled,
    tmpfs,
    unmount,
)
from tests.integration.nodes import FAST_ENV, Node, cli, pair, wait_for

pytestmark = pytest.mark.integration

# Bounds on waits for conditions: generous, for the suite must pass on a loaded machine
# (make test-faults-loaded); each wait ends as soon as its condition holds.
WAIT_SECONDS = 120.0
SETTLE_SECONDS = 300.0


def integrity(database: Path) -> str:
    connection = sqlite3.connect(database)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


def attached(image: Path) -> bool:
    """Whether a loop device still holds ``image``."""
    found = subprocess.run(["losetup", "-j", str(image)], capture_output=True, text=True)
    return bool(found.stdout.strip())


def node_on(home: Path, name: str, role: str, stderr: Path) -> Node:
    node = Node(home, name, role)
    node.stderr_path = stderr  # outside the file system under test
    return node


def exchange(gp: Node, pharmacy: Node, count: int) -> tuple[Conversation, Conversation]:
    outgoing = Conversation(gp, PHARMACY_NAME, "gp->pharmacie")
    back = Conversation(pharmacy, GP_NAME, "pharmacie->gp")
    deadline = time.monotonic() + WAIT_SECONDS
    for conversation in (outgoing, back):
        for _ in range(count):
            assert conversation.submit(deadline).fate is Fate.COMMITTED
    return outgoing, back


def submit_until_refused(
    conversation: Conversation, limit: int = 500
) -> tuple[int, dict[str, Any]]:
    """Submits until the node refuses (a full disk may first absorb a few commits in space
    SQLite had already reserved); returns the status and error body of the refusal."""
    deadline = time.monotonic() + WAIT_SECONDS
    for _ in range(limit):
        answer = conversation.submit(deadline)
        if answer.fate is Fate.REFUSED:
            return answer.status, answer.body
        assert answer.fate is Fate.COMMITTED, answer
    raise AssertionError(f"{limit} messages accepted on a full disk")


def test_a_full_disk_gives_a_clear_error_corrupts_nothing_and_recovers(tmp_path: Path) -> None:
    require_root("it mounts a small tmpfs to fill it")
    gp = Node(tmp_path / "gp", GP_NAME, "gp")
    with tmpfs(tmp_path / "small", "8m") as small:
        pharmacy = node_on(small / "pharmacy", PHARMACY_NAME, "pharmacist", tmp_path / "ph.err")
        try:
            for node in (gp, pharmacy):
                node.init()
                node.start()
            pair(gp, pharmacy)
            settled(gp, pharmacy, timeout=SETTLE_SECONDS)
            outgoing, back = exchange(gp, pharmacy, 5)
            settled(gp, pharmacy, timeout=SETTLE_SECONDS)

            filler = fill(small)
            status, body = submit_until_refused(back)
            assert status == 503, body
            assert body["error"]["code"] == "store_unavailable", body
            assert "full" in body["error"]["message"], body  # "database or disk is full"
            # Messages for the full node wait in the sender's outbox.
            for _ in range(10):
                assert outgoing.submit(time.monotonic() + WAIT_SECONDS).fate is Fate.COMMITTED
            wait_for(
                lambda: "store unavailable" in log_text(pharmacy),
                WAIT_SECONDS,
                "refused deliveries",
                0.3,
            )
            # Once the last page of node.log is used up too, said once, without a traceback.
            wait_for(
                lambda: "cannot write node.log (No space left on device)" in log_text(pharmacy),
                WAIT_SECONDS,
                "the log file to fill",
                0.3,
            )
            assert gp.status()["outbox"]["pending"] >= 10
            assert len(pharmacy.received()) == 5  # nothing half-stored is shown
            log = log_text(pharmacy)
            assert "database commit failed (database or disk is full)" in log
            assert "Traceback" not in log
            assert pharmacy.process is not None
            assert pharmacy.process.poll() is None  # still running

            filler.unlink()  # space is back: everything resumes by itself
            for _ in range(5):
                assert back.submit(time.monotonic() + WAIT_SECONDS).fate is Fate.COMMITTED
            settled(gp, pharmacy, timeout=SETTLE_SECONDS)
            assert "database writes succeed again" in log_text(pharmacy)
            outgoing.check(pharmacy, "after the disk was full")
            back.check(gp, "after the disk was full")
            assert interrupt(pharmacy) == 0
            # Its stopping lines reached node.log again, after a notice that it could.
            assert "node.log can be written again" in (pharmacy.home / "node.log").read_text()
            assert integrity(pharmacy.home / "releve.db") == "ok"
            pharmacy.start()  # and it all survives a restart
            outgoing.check(pharmacy, "restarted after the disk was full")
            assert "Traceback" not in log_text(pharmacy)
        finally:
            kill_all(gp, pharmacy)


def start_node_process(home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *(sys.executable, "-m", "clients.cli", "--home", str(home)),
            "node",
            "--listen",
            "127.0.0.1:0",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **FAST_ENV},
        timeout=WAIT_SECONDS,
        check=False,
    )


def test_a_read_only_home_stops_the_start_with_a_clear_message(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "8m") as mounted:
        fresh = mounted / "fresh"  # initialised, never started: no database yet
        used = node_on(mounted / "used", GP_NAME, "gp", tmp_path / "used.err")
        cli(fresh, "init", "--name", PHARMACY_NAME, "--unattended")
        used.init()
        used.start()
        used.request("POST", "/v1/invitations", {})  # something in its database
        assert interrupt(used) == 0
        run_root("mount", "-o", "remount,ro", str(mounted))
        for home in (fresh, used.home):
            result = start_node_process(home)
            assert result.returncode == 1, result.stderr
            assert "Traceback" not in result.stderr, result.stderr
            assert "cannot write in the home folder" in result.stderr, result.stderr
            assert "Read-only file system" in result.stderr, result.stderr
        run_root("mount", "-o", "remount,rw", str(mounted))
        used.start()  # writable again: starts as before
        assert used.status()["name"] == GP_NAME
        assert interrupt(used) == 0
        assert integrity(used.home / "releve.db") == "ok"


def test_a_home_turning_read_only_under_a_running_node(tmp_path: Path) -> None:
    """Linux refuses to remount read-only a file system with files open for writing (a
    running node holds its database so), so the home turns read-only the way it does in
    real life: ext4 with errors=remount-ro meets an error (triggered through sysfs). Only
    unmounting and checking the file system makes it writable again; the node, stopped
    meanwhile, then starts with everything it had committed and delivers the rest."""
    require_root("it mounts an ext4 image on a loop device")
    require_tools("mkfs.ext4", "e2fsck", "losetup", "findmnt", "mount", "umount")
    image, mounted = tmp_path / "disk.img", tmp_path / "ext4"
    mounted.mkdir()
    with open(image, "wb") as handle:
        handle.truncate(32 * 1024 * 1024)
    run_root("mkfs.ext4", "-q", "-F", str(image))
    gp = Node(tmp_path / "gp", GP_NAME, "gp")
    pharmacy = node_on(mounted / "pharmacy", PHARMACY_NAME, "pharmacist", tmp_path / "ph.err")
    run_root("mount", "-o", "loop,errors=remount-ro", str(image), str(mounted))
    try:
        device = subprocess.run(
            ["findmnt", "-n", "-o", "SOURCE", str(mounted)], capture_output=True, text=True
        ).stdout.strip()
        trigger = Path("/sys/fs/ext4") / Path(device).name / "trigger_fs_error"
        assert trigger.exists(), f"no {trigger}: cannot make ext4 fail on purpose"
        for node in (gp, pharmacy):
            node.init()
            node.start()
        pair(gp, pharmacy)
        settled(gp, pharmacy, timeout=SETTLE_SECONDS)
        outgoing, back = exchange(gp, pharmacy, 5)
        settled(gp, pharmacy, timeout=SETTLE_SECONDS)

        trigger.write_text("releve fault test\n")  # the kernel remounts it read-only
        status, body = submit_until_refused(back, limit=5)
        assert status == 503, body
        assert body["error"]["code"] == "store_unavailable", body
        for _ in range(10):
            assert outgoing.submit(time.monotonic() + WAIT_SECONDS).fate is Fate.COMMITTED
        wait_for(lambda: "store unavailable" in log_text(pharmacy), WAIT_SECONDS, "refusals", 0.3)
        log = log_text(pharmacy)
        assert "database commit failed" in log
        assert "cannot write node.log (Read-only file system)" in log
        assert "Traceback" not in log
        assert len(pharmacy.received()) == 5  # reading still works
        assert gp.status()["outbox"]["pending"] >= 10

        interrupt(pharmacy)  # stops without hanging (its exit code is not the point)
        assert "Traceback" not in log_text(pharmacy)
        unmount(mounted, strict=True)
        # The loop device goes once no mount namespace holds the file system any more (one
        # created meanwhile elsewhere on the machine keeps a copy of the mount).
        wait_for(lambda: not attached(image), WAIT_SECONDS, "the loop device to be released", 0.2)
        fsck = subprocess.run(["e2fsck", "-f", "-y", str(image)], capture_output=True)
        assert fsck.returncode in (0, 1), fsck.stdout  # 1: errors corrected
        run_root("mount", "-o", "loop,errors=remount-ro", str(image), str(mounted))
        assert integrity(pharmacy.home / "releve.db") == "ok"
        pharmacy.start()
        for _ in range(5):
            assert back.submit(time.monotonic() + WAIT_SECONDS).fate is Fate.COMMITTED
        settled(gp, pharmacy, timeout=SETTLE_SECONDS)
        outgoing.check(pharmacy, "after the home was read-only")
        back.check(gp, "after the home was read-only")
        assert "Traceback" not in log_text(pharmacy)
    finally:
        kill_all(gp, pharmacy)
        unmount(mounted)
