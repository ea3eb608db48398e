"""One writer task that groups writes into batched, durable commits.

Callers enqueue a list of statements without awaiting (so that in-memory state and the
queue stay in the same order) and then await the returned future, which resolves only after
``COMMIT`` with ``synchronous=FULL``. If a commit fails, that batch and everything queued
behind it fail, and ``on_failure`` lets the owner drop caches derived from unwritten state.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any, Final

import aiosqlite

log = logging.getLogger(__name__)

Statement = tuple[str, Sequence[Any]]
_Item = tuple[list[Statement], "asyncio.Future[None]"]
MAX_BATCH: Final = 512


class BatchWriter:
    def __init__(self, db: aiosqlite.Connection, on_failure: Callable[[], None]) -> None:
        self._db = db
        self._on_failure = on_failure
        # None is the sentinel that close() sends after the last write.
        self._queue: asyncio.Queue[_Item | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.commits = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="batch-writer")

    def submit(self, statements: list[Statement]) -> asyncio.Future[None]:
        """Enqueues one atomic group of statements; await the result for durability."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._task is None or self._task.done() or self._closing:
            future.set_exception(RuntimeError("the store is closed"))
        else:
            self._queue.put_nowait((statements, future))
        return future

    async def write(self, statements: list[Statement]) -> None:
        await self.submit(statements)

    async def _run(self) -> None:
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
                await self._db.execute("BEGIN IMMEDIATE")
                for statements, _ in batch:
                    for sql, params in statements:
                        await self._db.execute(sql, params)
                await self._db.commit()
            except asyncio.CancelledError:
                self._fail(batch, RuntimeError("the store is closing"))
                raise
            except Exception as exc:
                log.error("database commit failed (%s); nothing of this batch was written", exc)
                try:
                    await self._db.rollback()
                except Exception:
                    log.exception("rollback failed")
                self._fail(batch, exc)
                continue
            self.commits += 1
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
        if self._task is None:
            return
        self._closing = True
        self._queue.put_nowait(None)
        await self._task
        self._task = None
