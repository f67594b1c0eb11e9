"""A new model's first epoch with its training state made before ``fit``, against Keras's way.

Keras (3.15, TensorFlow backend) makes a model's compiled metrics' variables inside the first
trace of its training loop, and TensorFlow traces a function whose first trace made variables
a second time. ``hpsearch._fit.build_training_state`` makes them before ``fit``. For each
vs-KerasTuner task, 10 configurations drawn by Optuna's ``RandomSampler`` (seed 23, which no
round uses) are each trained twice as a search's first fold trains them (``fit_model`` with a
new ``FoldModels``, fold 0 of the benchmark's 3-fold split at seed 23, validation each epoch):
once as the engine did before (the optimizer's slots made beforehand, the metrics by Keras)
and once as it does now, in turns (even configurations the old way first). It records each
epoch's seconds, the number of traces of the train step, and whether the two histories are
identical; no test score. It decides the rule in the README ("Probe: one trace per model").

Usage:
    python -m benchmarks.one_trace [EPOCHS]   # results/one_trace.json
"""

from __future__ import annotations

import json
import statistics
import sys
from typing import Any

import numpy as np
import optuna
from keras.src.backend.tensorflow.trainer import TensorFlowTrainer

from benchmarks.feed import EpochClock, paired_fits
from benchmarks.run_order import provenance
from benchmarks.vs_kerastuner import HERE
from benchmarks.vs_kerastuner_rounds import TASKS
from hpsearch import _fit
from hpsearch._errors import TrialDiverged

SEED = 23
SHIPPED = _fit.build_training_state
WAYS = {
    "before": lambda model, x=None, y=None: SHIPPED(model),  # the optimizer's slots only
    "one_trace": SHIPPED,
}
TRACES = [0]
_TRAIN_STEP = TensorFlowTrainer.train_step


def _counted_train_step(self, data):
    TRACES[0] += 1  # Python runs the train step only while TensorFlow traces it
    return _TRAIN_STEP(self, data)


def timed_fit(space, params, rows, data, way: str, epochs: int) -> dict[str, Any]:
    """One first-fold fit of ``params`` the ``way`` given: its epochs' seconds and traces."""
    (train, val), (x, y) = rows, data
    clock, TRACES[0] = EpochClock(), 0
    classes = int(y.max()) + 1 if space.task == "multiclass" else None
    _fit.build_training_state = WAYS[way]
    try:
        history = _fit.fit_model(
            space, params, x[train], y[train], epochs=epochs, seed=SEED,
            validation=(x[val], y[val]), callbacks=[clock], n_classes=classes,
            reuse=_fit.FoldModels(),
        ).history  # fmt: skip
    except TrialDiverged as error:  # both ways must diverge alike: compared by the message
        history = str(error)
    finally:
        _fit.build_training_state = SHIPPED
    seconds = np.diff(clock.ends)
    later = round(float(np.median(seconds[1:])), 4) if len(seconds) > 1 else None
    return {"first_epoch_seconds": round(float(seconds[0]), 4),
            "median_later_epoch_seconds": later, "train_step_traces": TRACES[0],
            "history": history}  # fmt: skip


def task_row(task_name: str, epochs: int) -> dict[str, Any]:
    """Both ways on the task's 10 configurations, with what the rule reads."""
    _, _, pairs = paired_fits(task_name, WAYS, lambda *args: timed_fit(*args, epochs), seed=SEED)
    fits = []
    for params, order, by_way in pairs:
        same = by_way["before"].pop("history") == by_way["one_trace"].pop("history")
        fits.append({"params": params, "order": order, "identical_history": same, **by_way})
    return {
        "task": task_name,
        "all_identical": all(f["identical_history"] for f in fits),
        "median_first_epoch_seconds": {way: statistics.median(
            f[way]["first_epoch_seconds"] for f in fits) for way in WAYS},
        "median_first_epoch_ratio": statistics.median(
            f["one_trace"]["first_epoch_seconds"] / f["before"]["first_epoch_seconds"]
            for f in fits),
        "median_later_epoch_ratio": statistics.median(
            f["one_trace"]["median_later_epoch_seconds"]
            / f["before"]["median_later_epoch_seconds"] for f in fits
            if f["before"]["median_later_epoch_seconds"]  # none after a divergence in epoch 1
            and f["one_trace"]["median_later_epoch_seconds"]),
        "fits": fits,
    }  # fmt: skip


def main(epochs: int = 5) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    TensorFlowTrainer.train_step = _counted_train_step
    rows = [task_row(name, epochs) for name in TASKS]
    out = {"command": f"python -m benchmarks.one_trace {epochs}", "epochs": epochs,
           "rows": rows, **provenance()}  # fmt: skip
    (HERE / "results" / "one_trace.json").write_text(json.dumps(out, indent=1) + "\n")
    for row in rows:
        print({k: v for k, v in row.items() if k != "fits"})


if __name__ == "__main__":
    main(*map(int, sys.argv[1:2]))
