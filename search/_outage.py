"""A database that stops answering mid-search: wait for it a bounded time, then one line.

A PostgreSQL restart or a network blip should not end an hours-long search, and a database
that is gone for good should not hang it. The search is resumed when the database answers
again within ``outage_seconds()`` (the trial that was running when it went away is failed and
queued again, since its result could not be written); after that, one line and a non-zero
exit, and every trial finished before is still in the study.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

import optuna
import sqlalchemy.exc
from optuna.trial import TrialState

from hpsearch._recover import fail_and_requeue
from hpsearch._storage import StorageError, created_here

#: What a database that went away raises, directly or wrapped by Optuna.
STORAGE_ERRORS = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError,
                  optuna.exceptions.StorageInternalError)  # fmt: skip
OUTAGE_SECONDS = 120
Result = TypeVar("Result")


def outage_seconds() -> float:
    """How long a search waits for its database: 120 s, or ``$HPSEARCH_OUTAGE_SECONDS``."""
    return float(os.environ.get("HPSEARCH_OUTAGE_SECONDS", OUTAGE_SECONDS))


def _fail_own_running(study: optuna.Study) -> None:
    """Fails and queues again this process's RUNNING trials: none of them runs any more. One
    may have lost the database before it recorded its process id, hence ``created_here``."""
    created = created_here(study._storage)
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if trial.user_attrs.get("pid") == os.getpid() or trial._trial_id in created:
            fail_and_requeue(study, trial, "its process lost the database mid-trial")


def _storage_error(exc: BaseException | None) -> BaseException | None:
    """The storage error behind ``exc``, if any. Optuna's trial loop can hide it: when the
    database fails while a trial is told, its ``finally`` raises an UnboundLocalError whose
    context is the storage error."""
    while exc is not None:
        if isinstance(exc, STORAGE_ERRORS):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def riding_out_outages(study: optuna.Study, run: Callable[[], Result]) -> Result:
    """``run()``, run again each time the database comes back within the limit."""
    limit, since = outage_seconds(), None
    while True:
        try:
            if since is not None:
                _fail_own_running(study)  # the first call once the database answers again
            return run()
        except Exception as exc:
            cause = _storage_error(exc)
            if cause is None:
                raise
            since = since or time.monotonic()
            if time.monotonic() - since > limit:
                reason = str(getattr(cause, "orig", None) or cause).strip().splitlines()[0]
                raise StorageError(
                    f"the study's database stopped answering ({reason}) and was not back "
                    f"within {limit:g} s; finished trials are kept, rerun to resume."
                ) from None
            time.sleep(min(2.0, limit / 5))
