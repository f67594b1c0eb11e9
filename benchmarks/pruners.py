"""Which pruner should be the default? Same space, budget and seed for each; compare.

Writes ``benchmarks/results/pruners.json``: per pruner the wall time, best CV score,
and how many trials were pruned.

Usage: python -m benchmarks.pruners [space] [n_trials]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import optuna
from optuna.trial import TrialState

from benchmarks.run_space import machine
from hpsearch import Objective, SearchSettings, load_dataset, load_space
from hpsearch._export import versions
from hpsearch._search import run_search
from hpsearch._study import PRUNERS, make_pruner

SETTINGS = SearchSettings(folds=3, max_epochs=15, patience=3, subsample=0.25, seed=0)


def main(space_name: str = "california", n_trials: int = 20) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = load_space(space_name)
    objective = Objective(space, load_dataset(space.dataset), SETTINGS)
    rows = {}
    for name in PRUNERS:
        study = optuna.create_study(
            direction=space.direction, sampler=optuna.samplers.TPESampler(seed=0),
            pruner=make_pruner(name, max_steps=SETTINGS.folds * SETTINGS.max_epochs),
        )  # fmt: skip
        started = time.time()
        run_search(study, objective, n_trials=n_trials)
        states = [t.state for t in study.trials]
        rows[name] = {
            "wall_seconds": round(time.time() - started, 1),
            "best_cv": round(study.best_value, 5),
            "pruned": states.count(TrialState.PRUNED),
            "complete": states.count(TrialState.COMPLETE),
        }
        print(name, rows[name], flush=True)
    out = Path(__file__).resolve().parent / "results" / "pruners.json"
    out.write_text(json.dumps({
        "space": space_name, "trials": n_trials, "settings": SETTINGS.as_dict(),
        "sampler": "tpe (seed 0)", "results": rows, "machine": machine(),
        "versions": versions(), "command": f"python -m benchmarks.pruners {space_name} {n_trials}",
    }, indent=2) + "\n")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "california",
         int(sys.argv[2]) if len(sys.argv) > 2 else 20)  # fmt: skip
