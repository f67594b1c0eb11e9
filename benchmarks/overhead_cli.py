"""The 50-trial overhead and memory run: ``hpsearch optimize california`` as a user runs it.

Its wall time minus the seconds inside Keras ``fit`` is the overhead; the storage and pruner
calls made inside ``fit`` (each trial's ``report_seconds``, recorded since round 4) count as
overhead too. The trials' timestamps say where the rest went: before the first trial (the
command's start), between trials (worker start-up and exit, the collection after each
trial), inside trials but outside ``fit`` (sampling, building, user attributes).

    python -m benchmarks.vs_kerastuner overhead [LABEL] [--subsample FRACTION]

``--subsample`` (0.33 unless given) is the share of California's training rows: with more
rows each trial trains longer while the fixed and per-trial costs stay the same.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import optuna

from benchmarks.run_space import machine
from benchmarks.vs_kerastuner import MAX_EPOCHS, PATIENCE
from benchmarks.vs_kerastuner_rounds import RUNS
from hpsearch._export import versions

DEFAULT_SUBSAMPLE = "0.33"


def overhead_options(subsample: str = DEFAULT_SUBSAMPLE) -> list[str]:
    """The options after ``hpsearch optimize california``, the same in every round."""
    return ["--trials", "50", "--max-epochs", str(MAX_EPOCHS), "--patience", str(PATIENCE),
            "--subsample", subsample, "--seed", "0", "--no-final"]  # fmt: skip


def where_time_went(trials: list[optuna.trial.FrozenTrial], started: float, ended: float
                    ) -> dict[str, float]:  # fmt: skip
    """Seconds of the run by where they went, from the trials' start and end times.

    Trials of one command run one at a time (one worker after another), so the gaps between
    them are time no trial ran.
    """
    trials = sorted(trials, key=lambda t: t.datetime_start)
    start, end = (datetime.datetime.fromtimestamp(s) for s in (started, ended))
    fit = sum(sum(t.user_attrs.get("fit_seconds", [])) for t in trials)
    report = sum(t.user_attrs.get("report_seconds", 0.0) for t in trials)
    in_trials = sum((t.datetime_complete - t.datetime_start).total_seconds() for t in trials)
    return {
        "before_first_trial": (trials[0].datetime_start - start).total_seconds(),
        "between_trials": sum(
            (b.datetime_start - a.datetime_complete).total_seconds()
            for a, b in itertools.pairwise(trials)
        ),
        "after_last_trial": (end - trials[-1].datetime_complete).total_seconds(),
        "in_trials_outside_fit": in_trials - fit,
        "report_and_prune_in_fit": report,
        "training_in_fit": fit - report,
    }


def overhead_run(label: str = "", subsample: str = DEFAULT_SUBSAMPLE) -> None:
    """Runs the command on a fresh SQLite file; writes ``overhead[_LABEL].json`` in ``RUNS``."""
    options = overhead_options(subsample)
    with tempfile.TemporaryDirectory(prefix="vs_kt_overhead_") as folder:
        storage = f"sqlite:///{folder}/hpsearch.db"
        command = [str(Path(sys.executable).with_name("hpsearch")), "optimize", "california",
                   *options, "--storage", storage, "--output-dir", folder]  # fmt: skip
        started = time.time()
        subprocess.run(command, check=True)
        ended = time.time()
        trials = optuna.load_study(study_name="california", storage=storage).trials
    wall = ended - started
    seconds = where_time_went(trials, started, ended)
    fit = seconds["report_and_prune_in_fit"] + seconds["training_in_fit"]
    rss = [t.user_attrs.get("rss_mib") for t in trials]
    row: dict[str, Any] = {
        "command": "hpsearch optimize california " + " ".join(options),
        "wall_seconds": round(wall, 1), "fit_seconds": round(fit, 1),
        "overhead_fraction": (wall - fit) / wall,
        "overhead_fraction_counting_reports": (wall - seconds["training_in_fit"]) / wall,
        "seconds": {key: round(value, 2) for key, value in seconds.items()},
        "trials": len(trials), "rss_mib_after_trial": rss, "label": label or "round 1",
        # What each trial did, to check that two engines ran the same trials.
        "trial_outcomes": [[t.state.name, t.value, json.dumps(t.params, sort_keys=True)]
                           for t in sorted(trials, key=lambda t: t.number)],
        "trials_per_worker": os.environ.get("HPSEARCH_TRIALS_PER_WORKER", "10 (the default)"),
        "rss_growth_fraction": (max(rss[4:]) - rss[4]) / rss[4],
        "machine": machine(), "versions": versions(),
    }  # fmt: skip
    RUNS.mkdir(parents=True, exist_ok=True)
    name = f"overhead_{label}.json" if label else "overhead.json"
    (RUNS / name).write_text(json.dumps(row, indent=1) + "\n")
    shown = {k: v for k, v in row.items() if k not in ("rss_mib_after_trial", "trial_outcomes")}
    print(json.dumps(shown, indent=1))


def overhead_main(argv: list[str]) -> None:
    """``overhead [LABEL] [--subsample FRACTION]``, as the module's docstring says."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.vs_kerastuner overhead")
    parser.add_argument("label", nargs="?", default="")
    parser.add_argument("--subsample", default=DEFAULT_SUBSAMPLE)
    args = parser.parse_args(argv)
    overhead_run(args.label, args.subsample)
