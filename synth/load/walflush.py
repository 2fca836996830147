"""WAL checkpoints beside the writer: a thread with a connection of its own copies committed pages into the file.

SQLite's automatic checkpoint runs inside the ``COMMIT`` that crosses its threshold: the writer
copies the WAL into the database file and waits for both ``fsync`` calls (``synchronous =
NORMAL``) before its next batch, and an import's writer is its critical path. While an import
writes, :class:`WalFlusher` runs a ``PASSIVE`` checkpoint every :data:`INTERVAL` seconds on its
own connection instead: it copies what is committed and never waits for, nor blocks, the writer
or a reader (a frame still in use waits for the next round), and ``sqlite3`` lets go of the GIL
while it runs. The writer keeps an automatic checkpoint at a higher threshold
(:data:`synth.load.sqlite.PRAGMAS`) in case the thread falls behind. A checkpoint is safe at any
moment, so a ``kill -9`` leaves what it left before.

The thread starts with the first batch, after the importer's worker processes exist: a child
forked while the thread is inside SQLite would inherit its locks held.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Final

__all__ = ["INTERVAL", "WalFlusher"]

INTERVAL: Final = 0.2  # seconds between checkpoints: a batch of 2,000 posts takes 0.1-0.2 s to write
_STOP_WAIT: Final = 10.0


class WalFlusher:
    """Passive checkpoints of ``path`` every ``interval`` seconds, from :meth:`start` to :meth:`stop`."""

    def __init__(self, path: str, interval: float = INTERVAL) -> None:
        self.path, self.interval = path, interval
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.rounds = 0  # checkpoints run (for tests and measurements)

    def start(self) -> None:
        """Start the thread, once; later calls do nothing."""
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="synth-wal-checkpoint", daemon=True)
            self.thread.start()

    def stop(self) -> None:
        """Stop the thread and close its connection (before the writer closes, so that its close is the last)."""
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(_STOP_WAIT)

    def _run(self) -> None:
        try:
            db = sqlite3.connect(self.path, isolation_level=None, timeout=0)
        except sqlite3.Error:
            return  # the writer's own automatic checkpoints still run
        try:
            while not self.stopping.wait(self.interval):
                try:
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    continue  # busy (another checkpoint runs) or the like: the next round tries again
                self.rounds += 1
        finally:
            db.close()
