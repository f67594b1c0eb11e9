"""What Optuna's storage costs a trial when nothing is trained: the floor under the overhead.

The overhead run (``overhead_cli.py``) makes, per trial on average, one ``suggested`` call of
the ``california`` space (~18 parameters), ~18 ``report`` + ``should_prune`` pairs (one per
epoch) and ~13 ``set_user_attr`` calls (``overhead_split_round5.json``: 926 and 641 over 50
trials). This run makes exactly those calls with no model at all, through hpsearch's own
storage, sampler and pruner, so its seconds are what any engine that records a trial in
Optuna's storage as hpsearch does would pay before it trains anything.

Storages, each made fresh in ``studies/`` (the default storage's disk): Optuna's in-memory
storage; a SQLite file in SQLite's default rollback journal; a SQLite file in WAL mode (what
``open_storage`` makes a new file in since round 8). The three alternate, ``REPEATS`` times.

Usage:
    python -m benchmarks.optuna_floor [TRIALS]      # writes results/optuna_floor.json
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from pathlib import Path

import optuna

from benchmarks.run_space import machine
from hpsearch._export import versions
from hpsearch._space import load_space
from hpsearch._storage import open_storage
from hpsearch._study import PRUNERS, make_sampler

HERE = Path(__file__).resolve().parent
REPEATS = 3
REPORTS, USER_ATTRS = 18, 13  # per trial, as in the 50-trial overhead run
MODES = ("in_memory", "sqlite_rollback_journal", "sqlite_wal")


def _storage(mode: str, folder: str) -> optuna.storages.BaseStorage:
    if mode == "in_memory":
        return open_storage(None)
    path = Path(folder) / "floor.db"
    if mode == "sqlite_rollback_journal":
        sqlite3.connect(path).close()  # an existing file keeps SQLite's default mode
    return open_storage(f"sqlite:///{path}")


def one_run(mode: str, trials: int) -> dict[str, float]:
    """Seconds of ``trials`` trials' Optuna calls on a fresh storage of ``mode``, by call."""
    space = load_space("california")
    seconds: dict[str, float] = defaultdict(float)

    def objective(trial: optuna.Trial) -> float:
        began = time.perf_counter()
        space.suggested(trial)
        seconds["suggest"] += time.perf_counter() - began
        for step in range(REPORTS):  # a falling curve, so the median pruner has work
            began = time.perf_counter()
            trial.report(1.0 / (step + 1) + 0.01 * trial.number, step)
            trial.should_prune()
            seconds["report_and_should_prune"] += time.perf_counter() - began
        began = time.perf_counter()
        for key in range(USER_ATTRS):
            trial.set_user_attr(f"attr_{key}", [0.5, 0.25])
        seconds["set_user_attr"] += time.perf_counter() - began
        return 1.0 + 0.01 * trial.number

    with tempfile.TemporaryDirectory(prefix="optuna_floor_", dir=HERE.parent / "studies") as d:
        study = optuna.create_study(
            storage=_storage(mode, d), sampler=make_sampler("tpe", seed=0, grid=None),
            pruner=PRUNERS["median"](REPORTS),
        )  # fmt: skip
        began = time.perf_counter()
        study.optimize(objective, n_trials=trials)
        seconds["wall"] = time.perf_counter() - began
    return {key: round(value, 3) for key, value in seconds.items()}


def main(trials: int) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
    runs = {mode: [] for mode in MODES}
    for _ in range(REPEATS):
        for mode in MODES:
            runs[mode].append(one_run(mode, trials))
            print(mode, runs[mode][-1], flush=True)
    per_trial_ms = {
        mode: round(1000 * sorted(r["wall"] for r in rows)[len(rows) // 2] / trials, 1)
        for mode, rows in runs.items()
    }
    result = {
        "command": f"python -m benchmarks.optuna_floor {trials}",
        "trials": trials, "repeats": REPEATS, "reports_per_trial": REPORTS,
        "user_attrs_per_trial": USER_ATTRS, "median_wall_ms_per_trial": per_trial_ms,
        "runs": runs, "machine": machine(), "versions": versions(),
    }  # fmt: skip
    out = HERE / "results" / "optuna_floor.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(per_trial_ms), "->", out)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
