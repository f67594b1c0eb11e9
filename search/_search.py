"""Running a study to its trial budget: failure guard, sealed test set.

``--trials N`` means the study ends with N finished (complete or pruned) trials in
total, so re-running an interrupted command finishes only the remainder, and processes
sharing the study stop together at N (``n_trials`` of ``study.optimize`` counts per process).
"""

from __future__ import annotations

import collections
import os
from collections.abc import Callable

import optuna
from optuna.study import MaxTrialsCallback
from optuna.trial import FrozenTrial, TrialState

from hpsearch._dataset import search_in_progress
from hpsearch._enqueue import DUPLICATE_OF
from hpsearch._errors import HpsearchError, TrialError
from hpsearch._heap import collect_after_trial, frozen_heap
from hpsearch._outage import riding_out_outages
from hpsearch._study import FINISHED, count_finished

FIRST_FAILURES = 5


SURPLUS = "surplus"  # user attribute of a trial started after the budget was taken


class Surplus(TrialError):
    """This trial started when the budget was already finished or running elsewhere."""


def refuse_surplus(trial: optuna.Trial, n_trials: int) -> None:
    """Fails ``trial`` at once if ``n_trials`` others are finished or running ahead of it.

    ``MaxTrialsCallback`` stops a process after a trial ends, so N processes sharing a study
    could each start one more trial when N - 1 are left. The trials that count are the
    finished ones and the running ones numbered lower (numbers are unique across every
    process), so exactly one of two trials racing for the last place runs.
    """
    ahead = 0
    for other in trial.study.get_trials(deepcopy=False, states=(*FINISHED, TrialState.RUNNING)):
        ahead += other.state in FINISHED or other.number < trial.number
    if ahead >= n_trials:
        reason = f"surplus: the study's {n_trials} trials were taken by other processes"
        trial.set_user_attr(SURPLUS, os.getpid())  # the failure guard skips it
        trial.set_user_attr("fail_reason", reason)
        trial.study.stop()
        raise Surplus(reason)


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
        if DUPLICATE_OF in trial.user_attrs or SURPLUS in trial.user_attrs:
            return  # a skipped copy or a surplus trial says nothing about the space
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


def hit_surplus(study: optuna.Study) -> bool:
    """Whether this process stopped on a surplus trial: the budget was taken by others."""
    mine = os.getpid()
    return any(t.user_attrs.get(SURPLUS) == mine for t in study.get_trials(deepcopy=False))


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

    def within_budget(trial: optuna.Trial) -> float:
        refuse_surplus(trial, n_trials)
        return objective(trial)

    with search_in_progress(), frozen_heap():
        riding_out_outages(study, lambda: study.optimize(
            within_budget, timeout=timeout, catch=(TrialError,),
            callbacks=[collect_after_trial, *stops, *callbacks],
        ))  # fmt: skip
    guard.check()
    return len(study.get_trials(deepcopy=False)) - before
