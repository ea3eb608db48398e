"""The batch writer: one durable commit per batch; overwrites collapse to the newest."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from node.storage.batch_writer import BatchWriter, Overwrite, Statement


async def test_a_batch_commits_together_and_the_newest_overwrite_wins(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE t (k BLOB PRIMARY KEY, v INTEGER)")
        db.execute("CREATE TABLE log (v INTEGER)")
        db.execute("INSERT INTO t VALUES (x'01', 0)")
    failures: list[bool] = []
    writer = BatchWriter(database, lambda: failures.append(True))
    await writer.start()
    futures = [
        writer.submit(
            [
                Overwrite("UPDATE t SET v = ? WHERE k = ?", (value, b"\x01"), key=("t", b"\x01")),
                Statement("INSERT INTO log VALUES (?)", (value,)),
            ]
        )
        for value in range(1, 6)
    ]
    await asyncio.gather(*futures)
    await writer.close()
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT v FROM t").fetchone() == (5,)
        assert [row[0] for row in db.execute("SELECT v FROM log")] == [1, 2, 3, 4, 5]
    assert failures == []


async def test_a_failed_batch_fails_every_caller_and_reports_it(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE t (v INTEGER NOT NULL)")
    failures: list[bool] = []
    writer = BatchWriter(database, lambda: failures.append(True))
    await writer.start()
    good = writer.submit([Statement("INSERT INTO t VALUES (?)", (1,))])
    bad = writer.submit([Statement("INSERT INTO t VALUES (?)", (None,))])
    results = await asyncio.gather(good, bad, return_exceptions=True)
    await writer.close()
    # Submitted together, they share one transaction: nothing of it is written.
    assert all(isinstance(result, sqlite3.IntegrityError) for result in results)
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0
    assert failures == [True]
