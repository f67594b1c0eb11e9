"""Where the seconds outside Keras ``fit`` go: one in-process search, timed by component.

The vs-KerasTuner overhead run (``overhead_cli.overhead_run``) gives one number,
wall time minus the seconds inside ``fit``. This run gives its parts: the same search
(``california``, 50 trials, ``overhead_options()``) through ``hpsearch.optimize`` in this
process, with a timer wrapped around each engine step. The pruning callback runs inside
``fit`` (one storage write and one read per epoch), so it is timed apart and counted as
overhead, as the issue counts storage writes.

Usage:
    python -m benchmarks.overhead_split [TRIALS] [LABEL]   # results/overhead_split_LABEL.json
"""

from __future__ import annotations

import functools
import gc
import json
import sys
import tempfile
import time
from collections import defaultdict

STARTED = time.time()

import optuna  # noqa: E402

import hpsearch  # noqa: E402
from benchmarks.run_space import machine  # noqa: E402
from benchmarks.vs_kerastuner import HERE, MAX_EPOCHS, PATIENCE  # noqa: E402
from hpsearch import _fit, _objective, _space  # noqa: E402
from hpsearch._export import versions  # noqa: E402

SECONDS: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)


def _timed(owner, name: str, key: str) -> None:
    """Wraps ``owner.name`` so each call adds its wall time to ``SECONDS[key]``."""
    inner = getattr(owner, name)

    @functools.wraps(inner)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            SECONDS[key] += time.perf_counter() - started
            CALLS[key] += 1

    setattr(owner, name, wrapper)


def instrument() -> None:
    """The timed steps: every one is outside ``fit`` except the pruning callback."""
    _timed(_objective._PruningReporter, "on_epoch_end", "report_and_prune_in_fit")
    _timed(_fit, "build_model", "preprocess_build_compile")
    _timed(_space.Space, "suggested", "suggest")
    _timed(optuna.trial.Trial, "set_user_attr", "set_user_attr")
    _timed(optuna.study.Study, "ask", "ask")
    _timed(optuna.study._optimize, "_tell_with_warning", "tell")
    _timed(gc, "collect", "gc_collect")
    # The held writes a trial commits before its first fold and after each fold (the last
    # commit, as the trial ends, runs inside ``tell``); counted as "other" before round 31.
    _timed(_objective, "commit_held", "held_commits_in_trial")


def main(trials: int, label: str) -> None:
    space = hpsearch.load_space("california")
    full = hpsearch.load_dataset(space.dataset)
    x_test, y_test = full.test.open()
    data = hpsearch.Data(full.x, full.y, x_test, y_test, name=full.name)
    ready = time.time()
    instrument()
    with tempfile.TemporaryDirectory(prefix="overhead_split_") as folder:
        began = time.time()
        result = hpsearch.optimize(
            space, data, trials=trials, max_epochs=MAX_EPOCHS, patience=PATIENCE,
            subsample=0.33, seed=0, final=False, storage=f"sqlite:///{folder}/s.db",
            study_name="split", output_dir=folder, echo=lambda line: None,
        )  # fmt: skip
        wall = time.time() - began
        fit = sum(sum(t.user_attrs.get("fit_seconds", [])) for t in result.study.trials)
    inside_fit = SECONDS["report_and_prune_in_fit"]
    parts = dict(SECONDS) | {"import_and_data_load": ready - STARTED}
    parts["other"] = wall - (fit - inside_fit) - sum(SECONDS.values())
    total = wall + parts["import_and_data_load"]
    row = {
        "command": f"python -m benchmarks.overhead_split {trials} {label}".strip(),
        "label": label, "trials": trials, "wall_seconds_in_optimize": round(wall, 1),
        "keras_fit_seconds": round(fit - inside_fit, 1),
        "overhead_fraction_with_startup": 1 - (fit - inside_fit) / total,
        "seconds": {k: round(v, 2) for k, v in sorted(parts.items(), key=lambda kv: -kv[1])},
        "percent_of_total": {k: round(100 * v / total, 2) for k, v in parts.items()},
        "calls": dict(CALLS), "machine": machine(), "versions": versions(),
    }  # fmt: skip
    name = f"overhead_split_{label}.json" if label else "overhead_split.json"
    (HERE / "results" / name).write_text(json.dumps(row, indent=1) + "\n")
    print(json.dumps({k: row[k] for k in list(row)[:7]}, indent=1))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50, sys.argv[2] if len(sys.argv) > 2 else "")
