"""Where results live: Optuna storage URLs (parsing, SQLite defaults, password redaction)
and the artifact store the dashboard serves final reports from."""

from __future__ import annotations

import functools
import gc
import os
import sqlite3
import warnings
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna
import sqlalchemy.exc
import sqlalchemy.pool
from optuna.artifacts import FileSystemArtifactStore
from sqlalchemy.engine import URL, make_url

from hpsearch._errors import HpsearchError
from hpsearch._held_writes import HoldsRunningTrialWrites
from hpsearch._sqlite import RUNNING_TRIAL_WRITES, CommitSync, create_in_wal_mode

DEFAULT_STORAGE = "sqlite:///studies/hpsearch.db"
DEFAULT_ARTIFACT_DIR = "studies/artifacts"


#: Seconds between a running trial's heartbeats, and without one before it counts as dead.
#: Optuna's FAQ warns that a short grace period fails live trials; ``HPSEARCH_HEARTBEAT``
#: (``interval,grace``) shortens both for tests.
HEARTBEAT = (30, 90)
#: How often a trial whose process died is queued again before it stays failed.
MAX_RETRIES = 2


def heartbeat() -> tuple[int, int]:
    """``(interval, grace)`` seconds: :data:`HEARTBEAT`, or ``$HPSEARCH_HEARTBEAT``."""
    value = os.environ.get("HPSEARCH_HEARTBEAT")
    if not value:
        return HEARTBEAT
    interval, grace = (int(part) for part in value.split(","))
    return interval, grace


class StorageError(HpsearchError):
    """The storage URL is malformed or the database cannot be reached."""


def redact(url: Any) -> str:
    """The URL with any password replaced by ``***``; safe for output, logs and exports."""
    if isinstance(url, optuna.storages.BaseStorage):
        return f"an in-process {type(url).__name__}"
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (sqlalchemy.exc.ArgumentError, ValueError):
        return "<unparseable storage URL>"


#: The RDB storages this process opened, so a command can close them all when it ends.
_OPENED: weakref.WeakSet = weakref.WeakSet()


class _TrackingRDBStorage(HoldsRunningTrialWrites):
    """An RDB storage that remembers the trials this process created, and on a SQLite file
    lets a running trial's writes skip waiting for the disk (``_sqlite.py``).

    A database that goes away between a trial's creation and its first user attribute (the
    process id) leaves a RUNNING trial that no process id and no heartbeat tie to anyone: it
    stayed RUNNING, one short of the study's count (CI, a PostgreSQL outage). Its creator
    finds it here and fails it (``_outage.py``). Each one joins :data:`_OPENED`, so that
    :func:`release_all` can close it. A running trial's writes can be held and committed
    together (``_held_writes.py``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._held = {}
        super().__init__(*args, **kwargs)
        self.created_here: set[int] = set()
        self._sync_engine()
        _OPENED.add(self)

    def _sync_engine(self) -> None:
        self.commit_sync = CommitSync(self.engine)

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__().items()
        return {k: v for k, v in state if k not in ("commit_sync", "_held")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)  # a new engine
        self._held = {}
        self._sync_engine()

    def _held_commit(self):
        return self.commit_sync.unsynced()  # what a running trial writes need not wait

    def _create_new_trial(self, study_id: int, template_trial=None):
        # The one method both ``create_new_trial`` and Optuna's cache in front call.
        trial = super()._create_new_trial(study_id, template_trial)
        self.created_here.add(trial._trial_id)
        return trial


def _unsynced(write: Callable[..., Any]) -> Callable[..., Any]:
    """One of Optuna's writes about a running trial, committed without waiting for the disk."""

    @functools.wraps(write)
    def unsynced_write(self: _TrackingRDBStorage, *args: Any, **kwargs: Any) -> Any:
        with self.commit_sync.unsynced():
            return write(self, *args, **kwargs)

    return unsynced_write


for _name in RUNNING_TRIAL_WRITES:
    if hasattr(optuna.storages.RDBStorage, _name):  # one that Optuna renames just stays synced
        setattr(_TrackingRDBStorage, _name, _unsynced(getattr(_TrackingRDBStorage, _name)))


def _prepare_sqlite_file(path: Path, url: str) -> None:
    """Creates the folder of the SQLite file ``path`` and, if new, the file in WAL mode."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create {path.parent} for {redact(url)!r}: {exc}") from None
    try:
        create_in_wal_mode(path)
    except sqlite3.Error as exc:
        raise StorageError(f"cannot create {redact(url)!r}: {exc}") from None


def _backend(storage: optuna.storages.BaseStorage) -> optuna.storages.BaseStorage:
    return getattr(storage, "_backend", storage)  # Optuna wraps RDB storages in a cache


def created_here(storage: optuna.storages.BaseStorage) -> set[int]:
    """Ids of the trials this process created in ``storage`` (none known: empty)."""
    return getattr(_backend(storage), "created_here", set())


def open_storage(url: Any, *, pooled: bool = True) -> optuna.storages.BaseStorage:
    """An RDB storage for ``url``, creating a SQLite file (and its folder) if needed.

    A storage object is returned as it is; ``None`` is a new in-memory storage (a notebook's
    study that nothing else needs to read). ``pooled=False`` keeps no connection open between
    operations: for a process that only watches workers, so it holds none of the database's.

    SQLite gets a long lock timeout, so a dashboard reading the file while a search
    writes it waits instead of failing the search. A server database (PostgreSQL, MySQL)
    gets one connection per process (checked before use; the heartbeat thread shares it), so 32
    workers stay within PostgreSQL's default 100 connections. Heartbeats (every
    ``HEARTBEAT[0]`` s) turn a trial whose process died into FAIL after ``HEARTBEAT[1]`` s,
    and ``RetryHeartbeatStaleTrialCallback`` queues it again (``_recover.py``).
    """
    if url is None:
        return optuna.storages.InMemoryStorage()
    if isinstance(url, optuna.storages.BaseStorage):
        return url
    try:
        parsed = make_url(url)
    except (sqlalchemy.exc.ArgumentError, ValueError):
        raise StorageError(
            f"malformed storage URL {redact(url)!r}; expected e.g. {DEFAULT_STORAGE} "
            "or postgresql://user@host/db."
        ) from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        _prepare_sqlite_file(Path(parsed.database), url)
    interval, grace = heartbeat()
    connect = functools.partial(
        _TrackingRDBStorage,
        url, engine_kwargs=_engine_options(parsed, pooled=pooled),
        heartbeat_interval=interval, grace_period=grace,
        heartbeat_stale_trial_callback=optuna.storages.RetryHeartbeatStaleTrialCallback(
            max_retry=MAX_RETRIES
        ),
    )  # fmt: skip
    try:
        with warnings.catch_warnings():  # heartbeats are "experimental" since Optuna 2.9
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            try:
                return connect()
            except sqlalchemy.exc.IntegrityError:
                # Several searches started on a new database at once and another one wrote
                # the schema between our check and our write; it exists now, so connect again.
                return connect()
    except (sqlalchemy.exc.SQLAlchemyError, ImportError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise StorageError(
            f"cannot open storage {redact(url)!r}: {reason.replace(url, redact(url))}"
        ) from None


def _engine_options(parsed: URL, *, pooled: bool) -> dict[str, Any]:
    """SQLAlchemy engine options: a long lock wait for SQLite, one pooled connection (or
    none kept) for a server database."""
    if parsed.get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": 60}}
    if pooled:
        return {"pool_size": 1, "max_overflow": 1, "pool_pre_ping": True}
    return {"poolclass": sqlalchemy.pool.NullPool}


def release_connections(storage: optuna.storages.BaseStorage) -> None:
    """Closes the idle connections of an RDB storage's pool; it reopens them when used."""
    backend = _backend(storage)
    if isinstance(backend, optuna.storages.RDBStorage):
        backend.engine.dispose()


def release_all() -> None:
    """Closes the pooled connections of every storage this process opened.

    A SQLite file in WAL mode is whole again only when its last connection closes; until
    then the newest trials live in its ``-wal`` file, and a copy of the ``.db`` alone (a
    backup, a test fixture) would miss them. A command ends by calling this. Storages
    already dropped can still hold connections, in reference cycles that only the garbage
    collector frees, so it runs first.
    """
    gc.collect()
    for storage in list(_OPENED):
        release_connections(storage)


def artifact_store(path: str | Path) -> FileSystemArtifactStore:
    """The file-system artifact store at ``path`` (created if missing)."""
    Path(path).mkdir(parents=True, exist_ok=True)
    return FileSystemArtifactStore(base_path=str(path))
