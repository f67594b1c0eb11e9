"""SQLite files as hpsearch makes and writes them: WAL mode, and which commits wait for the disk.

Optuna makes ~40 small transactions per trial (a parameter, an epoch's score, an attribute
each). In SQLite's default rollback journal each commit writes and syncs a journal and the
database and then deletes the journal; in WAL mode it appends to one log, and readers (the
dashboard, other workers) no longer block the writer.

In WAL mode a commit need not wait for the disk to be safe: with ``synchronous=NORMAL`` the
file cannot be corrupted, and a power cut (not a killed process) loses only the commits since
the log was last synced. So the writes about a running trial, :data:`RUNNING_TRIAL_WRITES`,
do not wait, and every other commit does (``FULL``): a trial's end, a new study, its record,
a queued start. A synced commit syncs the whole log before it, so a finished trial is on disk
with all its parameters and scores; what a power cut can lose belongs to a trial that was
still running, which is failed and run again anyway (``_recover.py``).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy

_NORMAL = 1  # PRAGMA synchronous levels: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA

#: Optuna's ``RDBStorage`` writes that only ever concern a running trial (Optuna refuses
#: them for a finished one); ``_set_trial_param`` is what its cache in front calls.
RUNNING_TRIAL_WRITES = (
    "_set_trial_param", "set_trial_param", "set_trial_intermediate_value",
    "set_trial_user_attr", "set_trial_system_attr", "record_heartbeat",
)  # fmt: skip


def create_in_wal_mode(path: Path) -> None:
    """Creates the SQLite file ``path`` in write-ahead-log mode, if it does not exist yet.

    The mode lives in the file: an existing file keeps its own (``PRAGMA
    journal_mode=DELETE`` turns a file back, e.g. on a network file system, where SQLite's
    log does not work).
    """
    if path.exists():
        return
    connection = sqlite3.connect(path, timeout=60)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()


class CommitSync:
    """Per thread, whether the next transaction on an engine's SQLite file waits for the disk.

    Each transaction sets ``PRAGMA synchronous`` as it begins (before its first write, so
    outside SQLite's own transaction): ``NORMAL`` inside :meth:`unsynced`, else the
    connection's own level (SQLite's default, ``FULL``). A file not in WAL mode keeps its
    level: in a rollback journal ``NORMAL`` could corrupt the file on a power cut. On any
    other database :meth:`unsynced` changes nothing.
    """

    def __init__(self, engine: sqlalchemy.engine.Engine) -> None:
        self._local = threading.local()  # the heartbeat thread's commits are its own
        if engine.dialect.name == "sqlite":
            sqlalchemy.event.listen(engine, "begin", self._on_begin)

    @contextlib.contextmanager
    def unsynced(self) -> Iterator[None]:
        """This thread's transactions inside do not wait for the disk (WAL files only)."""
        before = getattr(self._local, "unsynced", False)
        self._local.unsynced = True
        try:
            yield
        finally:
            self._local.unsynced = before

    def _on_begin(self, connection: sqlalchemy.engine.Connection) -> None:
        info = connection.info  # lives as long as the database connection
        if "wal" not in info:
            mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            synced = connection.exec_driver_sql("PRAGMA synchronous").scalar()
            info.update(wal=mode == "wal", synced=synced, level=synced)
        wanted = _NORMAL if getattr(self._local, "unsynced", False) else info["synced"]
        if info["wal"] and info["level"] != wanted:
            connection.exec_driver_sql(f"PRAGMA synchronous={wanted}")
            info["level"] = wanted
