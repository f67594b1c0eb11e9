"""Host memory across trials: RSS after trial 5 vs after trial 50.

Runs ``hpsearch optimize fashion_cnn`` (the space with the largest graphs) on a small
fidelity so that 50 trials fit in minutes, once with every trial in one process
(``--trials-per-worker 0``) and once in recycled workers (the default, 10 trials each).
Each trial records the RSS of the process that ran it (user attr ``rss_mib``); the
result goes to ``benchmarks/results/memory_<mode>.json``.

Usage: python -m benchmarks.memory {in-process|workers} [n_trials]
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import optuna

from benchmarks.run_space import machine
from hpsearch._export import versions

HERE = Path(__file__).resolve().parent
BUDGET = ["--folds", "2", "--max-epochs", "1", "--subsample", "0.02", "--seed", "0", "--no-final"]


def main(mode: str, n_trials: int = 50) -> None:
    per_worker = {"in-process": "0", "workers": "10"}[mode]
    storage = f"sqlite:///{HERE / 'memory.db'}"
    study_name = f"memory_{mode}_{int(time.time())}"
    started = time.time()
    subprocess.run(
        [str(Path(sys.executable).with_name("hpsearch")), "optimize", "fashion_cnn",
         "--study-name", study_name, "--storage", storage, "--trials", str(n_trials),
         "--trials-per-worker", per_worker, *BUDGET],
        check=True,
    )  # fmt: skip
    trials = optuna.load_study(study_name=study_name, storage=storage).trials
    rss = [t.user_attrs.get("rss_mib") for t in trials]
    result = {
        "mode": mode,
        "space": "fashion_cnn",
        "budget": " ".join(BUDGET),
        "trials": len(rss),
        "rss_mib_after_trial": rss,
        "rss_mib_trial_5": rss[4],
        "rss_mib_trial_50": rss[-1],
        "growth_mib_5_to_50": round(rss[-1] - rss[4], 1),
        "peak_mib_per_10_trials": [max(rss[i : i + 10]) for i in range(0, len(rss), 10)],
        "wall_seconds": round(time.time() - started, 1),
        "machine": machine(),
        "versions": versions(),
        "command": f"python -m benchmarks.memory {mode} {n_trials}",
    }
    out = HERE / "results" / f"memory_{mode}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rss_mib_after_trial"}, indent=2))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 50)
