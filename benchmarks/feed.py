"""Keras's own feed of NumPy arrays against the engine's (``hpsearch._feed``), same fits.

For each vs-KerasTuner task, 10 configurations drawn by Optuna's ``RandomSampler`` (seed 7,
which no comparison round uses) are each trained twice on fold 0 of the benchmark's 3-fold
split (``hpsearch._splits.cv_splits``, seed 7): once fed by Keras (``MAX_FEED_BYTES`` set to
0) and once by the engine's pipeline, in turns (even configurations Keras first). Each fit
is ``hpsearch._fit.fit_model`` at the same seed from a fresh model, for the benchmark's 20
epochs with no early stopping or pruning. It records each epoch's seconds and the fold's
best validation score, never a test score, and decides round 30's rule (benchmarks
README, "Round 30").

Usage:
    python -m benchmarks.feed [LABEL]   # results/feed[_LABEL].json
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any

import keras
import numpy as np
import optuna

import hpsearch
from benchmarks.run_space import machine
from benchmarks.vs_kerastuner import HERE, MAX_EPOCHS, bench_dataset, engine_commit
from benchmarks.vs_kerastuner_rounds import TASKS
from hpsearch import _feed
from hpsearch._dataset import labels_of
from hpsearch._export import versions
from hpsearch._fit import fit_model
from hpsearch._splits import cv_splits

SEED, CONFIGURATIONS = 7, 10
FEEDS = {"keras": 0, "hpsearch": _feed.MAX_FEED_BYTES}  # the feed by its size limit


class EpochClock(keras.callbacks.Callback):
    """Each epoch's wall seconds, from the start of training."""

    def on_train_begin(self, logs=None) -> None:
        self.ends = [time.perf_counter()]

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self.ends.append(time.perf_counter())


def timed_fit(space, params, rows, data, feed: str, seed: int) -> dict[str, Any]:
    """One fold-0 fit of ``params`` on ``feed``: its epochs' seconds and best validation."""
    (train, val), (x, y) = rows, data
    clock = EpochClock()
    classes = int(y.max()) + 1 if space.task == "multiclass" else None
    shipped, _feed.MAX_FEED_BYTES = _feed.MAX_FEED_BYTES, FEEDS[feed]
    try:
        result = fit_model(
            space, params, x[train], y[train], epochs=MAX_EPOCHS, seed=seed,
            validation=(x[val], y[val]), callbacks=[clock], n_classes=classes,
        )  # fmt: skip
    finally:
        _feed.MAX_FEED_BYTES = shipped
    epochs = np.diff(clock.ends)
    curve = result.history[space.monitor]
    best = max(curve) if space.direction == "maximize" else min(curve)
    return {"first_epoch_seconds": round(float(epochs[0]), 4),
            "median_later_epoch_seconds": round(float(np.median(epochs[1:])), 4),
            "best_validation": float(best)}  # fmt: skip


def paired_fits(task_name: str, ways, fit, *, seed: int) -> tuple:
    """:data:`CONFIGURATIONS` configurations of the task drawn by ``RandomSampler(seed)``,
    each fit every way by ``fit(space, params, rows, (x, y), way)`` on fold 0 of the
    benchmark's 3-fold split at ``seed``, in turns (even configurations in ``ways``' order).

    Returns:
        The space, fold 0's ``(train, validation)`` rows, and per configuration its params,
        its order and ``{way: fit's result}``.
    """
    task = TASKS[task_name]
    space = hpsearch.load_space(task.space)
    dataset = bench_dataset(task)
    stratified = space.task != "regression"
    rows = cv_splits(labels_of(dataset.y), stratified=stratified, folds=3, seed=seed)[0]
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    fits = []
    for number in range(CONFIGURATIONS):
        params = space.suggested(study.ask())
        order = list(ways) if number % 2 == 0 else list(ways)[::-1]
        by_way = {way: fit(space, params, rows, (dataset.x, dataset.y), way) for way in order}
        fits.append((params, order, by_way))
        shown = {way: {k: v for k, v in r.items() if k != "history"} for way, r in by_way.items()}
        print(task_name, number, json.dumps(shown), flush=True)
    return space, rows, fits


def task_row(task_name: str) -> dict[str, Any]:
    """Both feeds on the task's 10 configurations, with the medians the rule reads."""
    space, rows, pairs = paired_fits(
        task_name, FEEDS, lambda *args: timed_fit(*args, SEED), seed=SEED
    )
    fits = [{"params": params, "order": order, **by_feed} for params, order, by_feed in pairs]
    sign = 1 if space.direction == "maximize" else -1
    return {
        "task": task_name, "train_rows": len(rows[0]), "validation_rows": len(rows[1]),
        "median_epoch_seconds_ratio": statistics.median(
            f["hpsearch"]["median_later_epoch_seconds"] / f["keras"]["median_later_epoch_seconds"]
            for f in fits),
        "median_first_epoch_seconds_ratio": statistics.median(
            f["hpsearch"]["first_epoch_seconds"] / f["keras"]["first_epoch_seconds"]
            for f in fits),
        # Positive: the engine's feed scored better on validation, as a share of Keras's.
        "median_relative_validation_gain": statistics.median(
            sign * (f["hpsearch"]["best_validation"] / f["keras"]["best_validation"] - 1)
            for f in fits),
        "fits": fits,
    }  # fmt: skip


def main(label: str) -> None:
    rows = [task_row(name) for name in TASKS]
    out = {"command": f"python -m benchmarks.feed {label}".strip(), "rows": rows,
           "machine": machine(), "versions": versions(), "commit": engine_commit()}  # fmt: skip
    name = f"feed_{label}.json" if label else "feed.json"
    (HERE / "results" / name).write_text(json.dumps(out, indent=1) + "\n")
    for row in rows:
        print({k: v for k, v in row.items() if k != "fits"})


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
