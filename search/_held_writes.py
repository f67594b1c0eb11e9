"""A running trial's writes, held in its process and committed together.

Optuna commits each write about a running trial on its own: a parameter, an epoch's score,
a user attribute, about 45 for a 3-fold trial. On a SQLite file 18 parameters took
21-32 ms one by one and 9-12 ms in one transaction (``benchmarks/storage_calls.py``). So
the objective holds them while a trial runs (:func:`holding`) and commits them once its
process is recorded (before the space's code runs, which may hang or kill the process,
``_recover.py`` must find its process id), once its parameters are drawn, at each fold's
end and at its end.

Nothing needs them sooner. Optuna's ``Trial`` reads its own parameters and reports from its
local copy; TPE (without ``constant_liar``) and the epoch pruners read finished trials; fold
halving reads the other trials' ``fold_scores``, written at each fold's end. The cost: the
dashboard shows a running trial's epochs once per fold. A process that dies loses its
running trial's held writes, and that trial is failed and run again anyway.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import optuna
import sqlalchemy.exc
from optuna.storages._rdb import models
from optuna.storages._rdb.storage import _create_scoped_session

# The kinds of held write. ``_write_in`` writes one inside a transaction with Optuna's
# ``_without_commit`` helper, ``_write_alone`` with Optuna's method that commits it alone.
_PARAM, _REPORT, _USER_ATTR = "param", "report", "user_attr"


class HoldsRunningTrialWrites(optuna.storages.RDBStorage):
    """An RDB storage that can hold one trial's writes until :meth:`commit_held`."""

    _held: dict[int, list[tuple[str, tuple]]]

    @contextlib.contextmanager
    def holding(self, trial_id: int) -> Iterator[None]:
        """Holds ``trial_id``'s parameters, reports and user attributes; commits them at exit."""
        self._held[trial_id] = []
        try:
            yield
        finally:
            try:
                self.commit_held(trial_id)
            finally:
                del self._held[trial_id]

    def commit_held(self, trial_id: int) -> None:
        """Writes what ``trial_id`` holds in one transaction (none held: nothing)."""
        writes = self._held.get(trial_id)
        if not writes:  # also a trial not held: nothing to write, and it stays unheld
            return
        self._held[trial_id] = []
        try:
            with self._held_commit(), _create_scoped_session(self.scoped_session) as session:
                for kind, args in writes:
                    self._write_in(session, kind, args)
        except sqlalchemy.exc.IntegrityError:
            # Another process wrote one of them first (Optuna ignores that for a single
            # write): write them one by one, as Optuna would have.
            for kind, args in writes:
                self._write_alone(kind, args)

    def _held_commit(self) -> contextlib.AbstractContextManager:
        """The context a held commit runs in (a subclass may skip waiting for the disk)."""
        return contextlib.nullcontext()

    def _write_in(self, session: Any, kind: str, args: tuple) -> None:
        if kind == _PARAM:
            self._set_trial_param_without_commit(session, *args)
        elif kind == _REPORT:
            self._set_trial_intermediate_value_without_commit(session, *args)
        else:
            self._set_trial_attr_without_commit(session, models.TrialUserAttributeModel, *args)

    def _write_alone(self, kind: str, args: tuple) -> None:
        write = {
            _PARAM: super()._set_trial_param,
            _REPORT: super().set_trial_intermediate_value,
            _USER_ATTR: super().set_trial_user_attr,
        }[kind]
        write(*args)

    def _hold(self, kind: str, args: tuple) -> bool:
        held = self._held.get(args[0])
        if held is not None:
            held.append((kind, args))
        return held is not None

    def _set_trial_param(self, trial_id, param_name, param_value_internal, distribution,
                         previous_distribution) -> None:  # fmt: skip
        args = (trial_id, param_name, param_value_internal, distribution, previous_distribution)
        if not self._hold(_PARAM, args):
            super()._set_trial_param(*args)

    def set_trial_intermediate_value(self, trial_id: int, step: int, value: float) -> None:
        if not self._hold(_REPORT, (trial_id, step, value)):
            super().set_trial_intermediate_value(trial_id, step, value)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        if not self._hold(_USER_ATTR, (trial_id, key, value)):
            super().set_trial_user_attr(trial_id, key, value)

    def get_trial(self, trial_id: int) -> optuna.trial.FrozenTrial:
        self.commit_held(trial_id)  # a reader of a held trial sees all of it
        return super().get_trial(trial_id)

    def set_trial_state_values(self, trial_id: int, state, values=None) -> bool:
        self.commit_held(trial_id)  # a trial ends with everything it wrote
        return super().set_trial_state_values(trial_id, state, values)


def _holder(trial: optuna.Trial) -> HoldsRunningTrialWrites | None:
    storage = getattr(trial.storage, "_backend", trial.storage)  # Optuna's cache in front
    return storage if isinstance(storage, HoldsRunningTrialWrites) else None


def holding(trial: optuna.Trial) -> contextlib.AbstractContextManager:
    """Holds ``trial``'s writes until it ends or :func:`commit_held`; other storages: no-op."""
    holder = _holder(trial)
    return contextlib.nullcontext() if holder is None else holder.holding(trial._trial_id)


def commit_held(trial: optuna.Trial) -> None:
    """Commits what ``trial`` holds so far: other processes and the dashboard see it."""
    holder = _holder(trial)
    if holder is not None:
        holder.commit_held(trial._trial_id)
