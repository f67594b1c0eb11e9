"""Where results live: Optuna storage URLs (parsing, SQLite defaults, password redaction)
and the artifact store the dashboard serves final reports from."""

from __future__ import annotations

import functools
import warnings
from pathlib import Path
from typing import Any

import optuna
import sqlalchemy.exc
from optuna.artifacts import FileSystemArtifactStore
from sqlalchemy.engine import make_url

from hpsearch._errors import HpsearchError

DEFAULT_STORAGE = "sqlite:///studies/hpsearch.db"
DEFAULT_ARTIFACT_DIR = "studies/artifacts"


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


def open_storage(url: Any) -> optuna.storages.BaseStorage:
    """An RDB storage for ``url``, creating the folder of a SQLite file if needed.

    A storage object is returned as it is; ``None`` is a new in-memory storage (a notebook's
    study that nothing else needs to read).

    SQLite gets a long lock timeout, so a dashboard reading the file while a search
    writes it waits instead of failing the search. Heartbeats let a resumed run mark
    trials of a killed process as failed instead of leaving them RUNNING forever.
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
    engine_kwargs = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create {folder} for {redact(url)!r}: {exc}") from None
        engine_kwargs = {"connect_args": {"timeout": 60}}
    connect = functools.partial(
        optuna.storages.RDBStorage,
        url, engine_kwargs=engine_kwargs, heartbeat_interval=60, grace_period=180,
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


def artifact_store(path: str | Path) -> FileSystemArtifactStore:
    """The file-system artifact store at ``path`` (created if missing)."""
    Path(path).mkdir(parents=True, exist_ok=True)
    return FileSystemArtifactStore(base_path=str(path))
