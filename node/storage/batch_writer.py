"""One writer that groups writes into batched, durable commits.

Callers enqueue a list of statements without awaiting (so that in-memory state and the
queue stay in the same order) and then await the returned future, which resolves only after
``COMMIT`` with ``synchronous=FULL``. If a commit fails, that batch and everything queued
behind it fail, and ``on_failure`` lets the owner drop caches derived from unwritten state.

The batch runs on a dedicated thread with its own sqlite3 connection, in one hop: per-statement
hops through aiosqlite's thread cost more than the statements themselves on the hot path.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from node.core.ports import Change

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Statement(Change):
    """One SQL statement and its parameters."""

    sql: str
    params: Sequence[Any]


@dataclass(frozen=True, slots=True)
class Overwrite(Statement):
    """A statement that replaces a whole value (a session's state, a contact's mark): when
    a batch holds several with the same key, only the last is run — it was built from the
    newest state, and the earlier ones would be overwritten in the same transaction."""

    key: tuple[str, bytes]


_Item = tuple[Sequence[Statement], "asyncio.Future[None]"]
MAX_BATCH: Final = 512
BUSY_TIMEOUT_SECONDS: Final = 10.0


class BatchWriter:
    def __init__(self, database: Path, on_failure: Callable[[], None]) -> None:
        self._database = database
        self._on_failure = on_failure
        # None is the sentinel that close() sends after the last write.
        self._queue: asyncio.Queue[_Item | None] = asyncio.Queue()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="releve-writer")
        self._connection: sqlite3.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._failing = False  # the last commit failed (disk full, read-only, I/O error)
        self.commits = 0

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._connect)
        self._task = asyncio.create_task(self._run(), name="batch-writer")

    def _connect(self) -> None:
        connection = sqlite3.connect(
            self._database, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS
        )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA foreign_keys=ON")
        self._connection = connection

    def submit(self, statements: Sequence[Statement]) -> asyncio.Future[None]:
        """Enqueues one atomic group of statements; await the result for durability."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._task is None or self._task.done() or self._closing:
            future.set_exception(RuntimeError("the store is closed"))
        else:
            self._queue.put_nowait((statements, future))
        return future

    def _apply(self, groups: list[Sequence[Statement]]) -> None:
        connection = self._connection
        assert connection is not None
        ordered = [statement for statements in groups for statement in statements]
        last = {s.key: i for i, s in enumerate(ordered) if isinstance(s, Overwrite)}
        connection.execute("BEGIN IMMEDIATE")
        try:
            for index, statement in enumerate(ordered):
                if not isinstance(statement, Overwrite) or last[statement.key] == index:
                    connection.execute(statement.sql, statement.params)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is None:
                return
            batch = [first]
            while not self._queue.empty() and len(batch) < MAX_BATCH:
                item = self._queue.get_nowait()
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            try:
                await loop.run_in_executor(
                    self._executor, self._apply, [statements for statements, _ in batch]
                )
            except Exception as exc:
                log.error(
                    "database commit failed (%s); nothing of this batch was written: check"
                    " that the disk of the home folder has free space and is writable",
                    exc,
                )
                self._failing = True
                self._fail(batch, exc)
                continue
            self.commits += 1
            if self._failing:
                self._failing = False
                log.warning("database writes succeed again")
            for _, future in batch:
                if not future.done():
                    future.set_result(None)

    def _fail(self, batch: list[_Item], exc: Exception) -> None:
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if item is not None:
                batch.append(item)
            else:
                self._queue.put_nowait(None)
                break
        for _, future in batch:
            if not future.done():
                future.set_exception(exc)
        self._on_failure()

    async def close(self) -> None:
        """Finishes what is queued, then stops."""
        if self._task is not None:
            self._closing = True
            self._queue.put_nowait(None)
            await self._task
            self._task = None
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await asyncio.get_running_loop().run_in_executor(self._executor, connection.close)
        self._executor.shutdown(wait=True)
