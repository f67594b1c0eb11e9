"""How much of a search's training time is each new model's first epoch, beyond a later one.

A fold's first epoch also builds Keras's compiled train and test functions (TensorFlow traces
them once per model; a trial's later folds reuse its traced model, ``hpsearch._fit.FoldModels``).
This probe measures that cost in a real search: one ``hpsearch`` search per task on the
vs-KerasTuner benchmark's data and settings (``run_hpsearch``, the defaults arm), seed 7,
which no round uses, with the end time of every epoch of every fold recorded. It reads CV
scores only, never a test score, and decides nothing.

A fold's *first-epoch excess* is its first epoch's seconds minus the median of its later
epochs (the run's median later epoch where the fold trained one epoch).

Usage:
    python -m benchmarks.first_epoch [SECONDS [LABEL]]   # results/first_epoch[_LABEL].json
"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import optuna

import hpsearch
from benchmarks.run_space import machine
from benchmarks.vs_kerastuner import HERE, MAX_EPOCHS, bench_dataset, engine_commit, run_hpsearch
from benchmarks.vs_kerastuner_rounds import TASKS
from hpsearch import _objective
from hpsearch._export import versions

SEED = 7
#: (trial number, fold) -> the fold's start and each epoch's end, ``time.perf_counter()``.
EPOCH_ENDS: dict[tuple[int, int], list[float]] = {}
OUTCOMES: dict[int, str] = {}


@contextlib.contextmanager
def recording_epochs(max_epochs: int) -> Iterator[None]:
    """Records each epoch's end (in :data:`EPOCH_ENDS`) and each trial's outcome (in
    :data:`OUTCOMES`) by wrapping the objective's pruning callback and call, until the block
    ends. ``max_epochs`` is the search's: fold ``k`` reports from step ``k * max_epochs``."""
    reporter, objective = _objective._PruningReporter, _objective.Objective
    on_epoch_end, call = reporter.on_epoch_end, objective.__call__

    def on_train_begin(self, logs=None) -> None:
        EPOCH_ENDS[self.trial.number, self.step_offset // max_epochs] = [time.perf_counter()]

    def timed_epoch_end(self, epoch, logs=None) -> None:
        key = self.trial.number, self.step_offset // max_epochs
        EPOCH_ENDS[key].append(time.perf_counter())
        on_epoch_end(self, epoch, logs)

    def outcome(self, trial):
        OUTCOMES[trial.number] = "PRUNED"  # or failed, unless it returns a value
        value = call(self, trial)
        OUTCOMES[trial.number] = "COMPLETE"
        return value

    reporter.on_train_begin, reporter.on_epoch_end = on_train_begin, timed_epoch_end
    objective.__call__ = outcome
    try:
        yield
    finally:
        del reporter.on_train_begin
        reporter.on_epoch_end, objective.__call__ = on_epoch_end, call


def excess_by_fold(ends: dict[tuple[int, int], list[float]]) -> dict[tuple[int, int], float]:
    """Each fold's first epoch minus its typical later epoch, in seconds."""
    epochs = {key: np.diff(times) for key, times in ends.items() if len(times) > 1}
    later = [d for durations in epochs.values() for d in durations[1:]]
    run_median = float(np.median(later)) if later else 0.0
    return {
        key: float(d[0] - (np.median(d[1:]) if len(d) > 1 else run_median))
        for key, d in epochs.items()
    }


def _folds(excess: list[float]) -> dict[str, Any]:
    """How many folds, their summed and their median first-epoch excess."""
    median = round(float(np.median(excess)), 3) if excess else None
    return {"folds": len(excess), "excess_seconds": round(sum(excess), 1),
            "median_excess_seconds": median}  # fmt: skip


def probe(task_name: str, seconds: float) -> dict[str, Any]:
    """One search on ``task_name``; its training seconds and their first-epoch excess."""
    EPOCH_ENDS.clear()
    OUTCOMES.clear()
    space = hpsearch.load_space(TASKS[task_name].space)
    with (
        tempfile.TemporaryDirectory(prefix="first_epoch_") as folder,
        recording_epochs(MAX_EPOCHS),
    ):
        _, costs = run_hpsearch(space, bench_dataset(TASKS[task_name]), SEED, Path(folder),
                                "hpsearch", seconds)  # fmt: skip
    excess = excess_by_fold(EPOCH_ENDS)
    by_state: dict[str, dict[str, float]] = defaultdict(lambda: {"trials": 0, "excess": 0.0})
    for number, state in OUTCOMES.items():
        by_state[state]["trials"] += 1
        by_state[state]["excess"] += sum(v for (n, _), v in excess.items() if n == number)
    first_folds = [v for (_, fold), v in excess.items() if fold == 0]
    later_folds = [v for (_, fold), v in excess.items() if fold > 0]
    return {
        "task": task_name, "budget_seconds": seconds, "seed": SEED,
        "trials": costs["trials"], "states": costs["states"],
        "fit_seconds": round(costs["fit_seconds"], 1),
        "first_epoch_excess_seconds": round(sum(excess.values()), 1),
        "excess_share_of_fit": sum(excess.values()) / costs["fit_seconds"],
        "excess_share_of_budget": sum(excess.values()) / seconds,
        "fold0": _folds(first_folds),
        "later_folds": _folds(later_folds),
        "excess_by_outcome": {s: {"trials": v["trials"], "excess_seconds": round(v["excess"], 1)}
                              for s, v in sorted(by_state.items())},
    }  # fmt: skip


def main(seconds: float, label: str | None = None) -> None:
    """Probes each task for ``seconds``; a ``label`` keeps an earlier engine's file."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    rows = [probe(task, seconds) for task in TASKS]
    command = f"python -m benchmarks.first_epoch {seconds:g}" + (f" {label}" if label else "")
    result = {
        "command": command, "rows": rows,
        "machine": machine(), "versions": versions(), "commit": engine_commit(),
    }  # fmt: skip
    name = f"first_epoch_{label}.json" if label else "first_epoch.json"
    (HERE / "results" / name).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 300.0, *sys.argv[2:3])
