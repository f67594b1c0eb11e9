"""Does one TensorFlow inter-op thread make a search in the caller's process faster?

hpsearch's worker processes run TensorFlow with one inter-op thread
(``hpsearch._workers.worker_environments``); a search in the caller's process keeps
TensorFlow's defaults. This probe runs the run-order probe's short search (``run_order``'s
``one_run``: the defaults arm, no final fit, no test score) in fresh processes, alternating
the default threads and ``TF_NUM_INTEROP_THREADS=1``, and records when each run's first
trials ended. It decides nothing in the engine (README, "Probe: one inter-op thread in
process").

Usage:
    python -m benchmarks.interop_threads [TASK [SEED [SECONDS]]]   # results/interop_threads.json
"""

from __future__ import annotations

import json
import sys

from benchmarks.run_order import provenance, run_in_new_process

#: Environment added per run, in order: TensorFlow's default threads first, then alternating.
SETTINGS = ({}, {"TF_NUM_INTEROP_THREADS": "1"}) * 4


def main(task_name: str = "fashion_mlp", seed: int = 19, seconds: float = 20.0) -> None:
    """Runs one short search per entry of :data:`SETTINGS`, each in its own process."""
    from benchmarks.vs_kerastuner import HERE

    rows = []
    for position, extra in enumerate(SETTINGS):
        threads = extra.get("TF_NUM_INTEROP_THREADS", "default")
        row = run_in_new_process("hpsearch", task_name, seed, seconds, env=extra)
        row = {"position": position, "inter_op_threads": threads, **row}
        print(json.dumps(row), flush=True)
        rows.append(row)
    result = {
        "command": f"python -m benchmarks.interop_threads {task_name} {seed} {seconds:g}",
        "task": task_name, "seed": seed, "budget_seconds": seconds, "rows": rows,
        **provenance(),
    }  # fmt: skip
    (HERE / "results" / "interop_threads.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:2], *map(int, sys.argv[2:3]), *map(float, sys.argv[3:4]))
