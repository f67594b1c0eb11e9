"""Pruning against the study's finished trials as read once per trial, not once per epoch.

Optuna's ``MedianPruner`` reads the study's trials at every ``should_prune``, and the RDB
storage's cache re-reads every unfinished trial from the database each time: 4-8 ms per
epoch on SQLite here, 8.6 s of a 50-trial ``california`` search counting ``report``
(``benchmarks/results/overhead_split_round3.json``).

The median and percentile pruners compare a trial only with COMPLETE trials, which change
only when some trial ends. A snapshot read at a trial's first check is therefore exact in one
process. With several processes on one study, others' trials end meanwhile, so the snapshot
is also read again every ``max_age`` seconds: a trial finished elsewhere counts within that.

A start trial (``optimize(start=...)``, marked with ``START_KEY``) is left out of the
snapshot: the pruner's bar is what the sampler's own draws reach at each epoch, not what a
hand-picked configuration does. ``fashion_mlp``'s ``BASELINE`` (Adam, batch 64) learns fast
per epoch, and in round 38 (benchmarks README) searches that started from it pruned more and
ended lower on CV. Leaving it out did not change that outcome (round 39: no consistent change
in pruning, lower on CV again), so the exclusion is kept as the rule, not as a speed-up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Container
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from hpsearch._start import START_KEY

#: Seconds after which a trial re-reads the finished trials of other processes.
MAX_AGE = 10.0


class _CompletedView:
    """The study, except that its COMPLETE trials come from a snapshot."""

    def __init__(self, study: optuna.Study, completed: list[FrozenTrial]) -> None:
        self._study, self._completed = study, completed

    def __getattr__(self, name: str) -> Any:
        return getattr(self._study, name)

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        if deepcopy or states is None or set(states) != {TrialState.COMPLETE}:
            return self._study.get_trials(deepcopy=deepcopy, states=states)
        return self._completed


class SnapshotPruner(optuna.pruners.BasePruner):
    """Runs ``pruner`` with the study's COMPLETE trials read once per trial (and ``max_age``).

    For pruners that compare with COMPLETE trials only (median, percentile); any other read
    the wrapped pruner makes goes to the study as usual. Start trials are not in the snapshot
    (see the module docstring).

    Args:
        pruner: The pruner that decides.
        max_age: Seconds a snapshot serves the same trial before it is read again.
        clock: Monotonic seconds; tests pass their own.
    """

    def __init__(
        self,
        pruner: optuna.pruners.BasePruner,
        *,
        max_age: float = MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.wrapped, self._max_age, self._clock = pruner, max_age, clock
        self._completed: list[FrozenTrial] = []
        self._trial: int | None = None
        self._read_at = -float("inf")

    def prune(self, study: optuna.Study, trial: FrozenTrial) -> bool:
        now = self._clock()
        if trial.number != self._trial or now - self._read_at > self._max_age:
            completed = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            self._completed = [t for t in completed if START_KEY not in t.user_attrs]
            self._trial, self._read_at = trial.number, now
        return self.wrapped.prune(_CompletedView(study, self._completed), trial)


def pruner_name(pruner: optuna.pruners.BasePruner) -> str:
    """The deciding pruner's class name (``MedianPruner``), through a snapshot."""
    return type(getattr(pruner, "wrapped", pruner)).__name__
