"""Host memory across trials: RSS after trial 5 vs after trial 50, in one process.

Runs ``fashion_cnn`` (the space with the largest graphs) on a small fidelity so that 50
trials fit in minutes, with the engine's own objective and ``gc_after_trial``, and writes
``benchmarks/results/memory.json``.

Usage: python benchmarks/memory.py [n_trials]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import optuna

from benchmarks.run_space import machine
from search import Objective, SearchSettings, load_dataset, load_space
from search._export import versions
from search._search import run_search


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def main(n_trials: int = 50) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = load_space("fashion_cnn")
    settings = SearchSettings(folds=2, max_epochs=1, subsample=0.02, seed=0)
    objective = Objective(space, load_dataset(space.dataset), settings)
    study = optuna.create_study(
        direction=space.direction, sampler=optuna.samplers.TPESampler(seed=0)
    )
    rss: list[float] = []
    started = time.time()
    run_search(study, objective, n_trials=n_trials,
               callbacks=(lambda s, t: rss.append(round(rss_mib(), 1)),))  # fmt: skip
    result = {
        "space": space.name,
        "settings": settings.as_dict(),
        "trials": len(rss),
        "rss_mib_after_trial": rss,
        "rss_mib_trial_5": rss[4],
        "rss_mib_trial_50": rss[min(49, len(rss) - 1)],
        "growth_mib_5_to_50": round(rss[min(49, len(rss) - 1)] - rss[4], 1),
        "wall_seconds": round(time.time() - started, 1),
        "machine": machine(),
        "versions": versions(),
        "command": f"python -m benchmarks.memory {n_trials}",
    }
    out = Path(__file__).resolve().parent / "results" / "memory.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rss_mib_after_trial"}, indent=2))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
