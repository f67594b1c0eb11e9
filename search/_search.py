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

from search._dataset import search_in_progress
from search._errors import HpsearchError, TrialError
from search._study import FINISHED, count_finished


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


def run_search(
    study: optuna.Study,
    objective: Callable[[optuna.Trial], float],
    *,
    n_trials: int,
    timeout: float | None = None,
    callbacks: tuple = (),
    first_failures: int = 5,
) -> int:
    """Runs trials until the study holds ``n_trials`` finished ones; returns how many ran.

    The test split is sealed for the whole search; trial-level errors fail their trial
    and the study goes on (see :class:`FailureGuard` for when it does not).
    """
    remaining = n_trials - count_finished(study)
    if remaining <= 0:
        return 0
    guard = FailureGuard(min(first_failures, remaining))
    before = len(study.get_trials(deepcopy=False))
    with search_in_progress():
        study.optimize(
            objective, timeout=timeout, catch=(TrialError,), gc_after_trial=True,
            callbacks=[MaxTrialsCallback(n_trials, states=FINISHED), guard, *callbacks],
        )  # fmt: skip
    guard.check()
    return len(study.get_trials(deepcopy=False)) - before
