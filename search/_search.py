"""Running a study to its trial budget: failure guard, sealed test set.

``--trials N`` means the study ends with N finished (complete or pruned) trials in
total, so re-running an interrupted command finishes only the remainder.
"""

from __future__ import annotations

import collections
from collections.abc import Callable

import optuna
from optuna.study import MaxTrialsCallback
from optuna.trial import FrozenTrial, TrialState

from hpsearch._dataset import search_in_progress
from hpsearch._enqueue import DUPLICATE_OF
from hpsearch._errors import HpsearchError, TrialError
from hpsearch._study import FINISHED, count_finished

FIRST_FAILURES = 5


class FailureGuard:
    """Stops the study when trials only fail, so a broken space does not loop forever.

    Stops if each of the first ``first`` trials of this run fails, or later on
    ``3 * first`` consecutive failures; :meth:`check` then raises the most common error.
    """

    def __init__(self, first: int) -> None:
        self.first = first
        self.ran, self.streak = 0, 0
        self.reasons: collections.Counter[str] = collections.Counter()
        self.tripped = False

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        if DUPLICATE_OF in trial.user_attrs:
            return  # a skipped copy of a queued start says nothing about the space
        self.ran += 1
        if trial.state != TrialState.FAIL:
            self.streak = 0
            return
        self.streak += 1
        self.reasons[trial.user_attrs.get("fail_reason", "unknown error")] += 1
        limit = self.first if self.ran == self.streak else 3 * self.first
        if self.streak >= limit:
            self.tripped = True
            study.stop()

    def check(self) -> None:
        if self.tripped:
            reason, _ = self.reasons.most_common(1)[0]
            raise HpsearchError(f"stopped after {self.streak} failed trials in a row: {reason}")


class _StopAfter:
    """Stops the study after this process has run ``limit`` trials (a worker's share)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.ran = limit, 0

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        self.ran += 1
        if self.ran >= self.limit:
            study.stop()


def run_search(
    study: optuna.Study,
    objective: Callable[[optuna.Trial], float],
    *,
    n_trials: int,
    timeout: float | None = None,
    callbacks: tuple = (),
    guard: FailureGuard | None = None,
    max_run: int | None = None,
) -> int:
    """Runs trials until the study holds ``n_trials`` finished ones; returns how many ran.

    The test split is sealed for the whole search; trial-level errors fail their trial
    and the study goes on (see :class:`FailureGuard` for when it does not).

    Args:
        guard: Carries failure counts across worker processes; a new one by default.
        max_run: Run at most this many trials in this call (a worker's share).
    """
    remaining = n_trials - count_finished(study)
    if remaining <= 0:
        return 0
    guard = guard or FailureGuard(min(FIRST_FAILURES, remaining))
    stops = [MaxTrialsCallback(n_trials, states=FINISHED), guard]
    if max_run is not None:
        stops.append(_StopAfter(max_run))
    before = len(study.get_trials(deepcopy=False))
    with search_in_progress():
        study.optimize(
            objective, timeout=timeout, catch=(TrialError,), gc_after_trial=True,
            callbacks=[*stops, *callbacks],
        )  # fmt: skip
    guard.check()
    return len(study.get_trials(deepcopy=False)) - before
