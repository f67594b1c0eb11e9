"""The vs-KerasTuner summary: top-level numbers and the plot (the overhead run: overhead_cli).

Reads the rows ``benchmarks.vs_kerastuner`` wrote; writes ``results/vs_kerastuner.json``
and the plots (``vs_kerastuner_plot``). Which rows give the headline comparison with
Hyperband is ``vs_kerastuner_headline``'s.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import ab_rule
from benchmarks.run_space import machine
from benchmarks.versus import at_checkpoints, maximizes, versus_hyperband
from benchmarks.vs_kerastuner import HERE, HPSEARCH_ARMS
from benchmarks.vs_kerastuner_headline import (
    AB_ROUNDS,
    LONG_CANDIDATES,
    LONG_ROUNDS,
    SHIPPED,
    complete,
    headline,
)
from benchmarks.vs_kerastuner_plot import plot_all
from benchmarks.vs_kerastuner_rounds import (
    INTERLEAVED,
    ROUND10,
    ROUNDS,
    RUNS,
    TASKS,
    round_seeds,
)
from hpsearch._export import versions

#: The overhead run of the shipped engine: the top-level overhead numbers are its. Round 4's
#: overhead run is the worse of its two runs of the new engine (README, "Round 4"), and rounds
#: 6's, 8's, 9's and 14's the worst of their three (README, "Round 6", "Round 8", "Round 9",
#: "Round 14"), and rounds 16's, 18's, 22's, 25's, 27's, 29's, 30's and 37's the worse of
#: their two runs of the engine that shipped (README, "Round 16" to "Round 37").
SHIPPED_OVERHEAD = "overhead_round37_1"


IN_PROCESS = ("overhead_round11_after_1", "overhead_round11_after_2")


def _mean_of(overheads: dict[str, dict], labels: tuple[str, ...], key: str) -> float | None:
    values = [overheads[label][key] for label in labels if label in overheads]
    return float(np.mean(values)) if values else None


def _rows(folder: Path = RUNS) -> dict[tuple[str, str], list[dict[str, Any]]]:
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for path in sorted(folder.glob("*.json")):
        row = json.loads(path.read_text())
        if "tool" in row and (row["tool"] in HPSEARCH_ARMS or row["tool"].startswith("kt_")):
            rows.setdefault((row["tool"], row["task"]), []).append(row)
    return rows


def _round_rows(name: str) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """A round's rows, with those of the rounds it joins on its tasks, by seed."""
    chosen = ROUNDS[name]
    rows = _rows(chosen.folder)
    for other in chosen.joins:
        for (tool, task), runs in _rows(ROUNDS[other].folder).items():
            if task in chosen.tasks:
                rows.setdefault((tool, task), []).extend(runs)
    return {key: sorted(runs, key=lambda r: r["seed"]) for key, runs in rows.items()}


def _round10(rows, interleaved) -> dict[str, Any]:
    """Round 10's decision (validation only), its rows, and the candidate against round 7's
    Hyperband rows with the session's drift beside it (reported, deciding nothing)."""
    hyperband = {key: runs for key, runs in interleaved.items() if key[0] == "kt_hyperband"}
    return {
        "decision": ab_rule.decision(rows, "hpsearch_center", maximizes),
        "drift_seconds_per_epoch_vs_round7": ab_rule.drift(rows, interleaved),
        "center_vs_round7_hyperband": {
            task: versus_hyperband(rows | hyperband, task, "hpsearch_center") for task in TASKS
        },
        "per_tool": _per_tool(rows),
        "runs": _summary_rows(rows),
    }


def _ab_round(name: str, rows, interleaved) -> dict[str, Any]:
    """A same-session round's decision (validation only), both its hpsearch arms against its
    own Hyperband rows, and the session's drift against round 7."""
    candidate = AB_ROUNDS[name]
    return {
        "complete": complete(rows, ROUNDS[name].tools),
        "decision": ab_rule.decision(rows, candidate, maximizes),
        "drift_seconds_per_epoch_vs_round7": ab_rule.drift(rows, interleaved),
        "versus_hyperband": {
            arm: {task: versus_hyperband(rows, task, arm) for task in TASKS}
            for arm in ("hpsearch", candidate)
        },
        "per_tool": _per_tool(rows),
        "runs": _summary_rows(rows),
    }


#: Same-session rounds of a candidate arm against the defaults without Hyperband, decided on
#: CV alone on their own tasks, each with its candidate (README, "Round 34" to "Round 36").
CV_ONLY_ROUNDS = {
    "round34": "hpsearch_early",
    "round35": "hpsearch_low_cost",
    "round35_california": "hpsearch_low_cost",
    "round36": "hpsearch_hb_pruner",
    "round36_california": "hpsearch_hb_pruner",
}


def _cv_only_round(name: str, rows) -> dict[str, Any]:
    """A CV-only round's verdict per task by round 10's rule, and its rows."""
    chosen, candidate = ROUNDS[name], CV_ONLY_ROUNDS[name]
    return {
        "complete": complete(rows, chosen.tools, chosen.seeds, chosen.tasks),
        "candidate": candidate,
        "verdicts": {
            task: ab_rule.task_verdict(rows, task, candidate, maximize=maximizes(task))
            for task in chosen.tasks
        },
        "per_tool": _per_tool(rows),
        "runs": _summary_rows(rows),
    }


def _long_round(name: str, rows) -> dict[str, Any]:
    """A long round's comparison, per task and hpsearch arm, its decision, and its rows."""
    candidate, chosen = LONG_CANDIDATES.get(name), ROUNDS[name]
    arms = ("hpsearch", candidate) if candidate else ("hpsearch",)
    repeated = _round_rows(chosen.repeats) if chosen.repeats else None
    return {
        "complete": complete(rows, chosen.tools, round_seeds(name), chosen.tasks),
        "joins": list(chosen.joins),
        "repeats": chosen.repeats,
        # Per tool, the trials it repeated from the repeated round's seeds, timed against it.
        "same_trials_vs_repeated": {
            tool: ab_rule.rerun_drift(rows, repeated, tool=tool) for tool in chosen.tools
        }
        if repeated is not None
        else None,
        "budget_seconds": chosen.budget.seconds,
        "decision": ab_rule.decision(rows, candidate, maximizes, chosen.tasks)
        if candidate
        else None,
        "versus_hyperband": {
            task: versus_hyperband(rows, task, "hpsearch") for task in chosen.tasks
        },
        "versus_hyperband_by_arm": {
            arm: {task: versus_hyperband(rows, task, arm) for task in chosen.tasks} for arm in arms
        },
        "per_tool": _per_tool(rows),
        "runs": _summary_rows(rows),
    }


#: Long rounds summarized and plotted as the others but giving no headline: rounds 37 and 38
#: repeat earlier rounds on a later engine, and round 39 would have given one only had its
#: candidate passed, which it did not (README, "Round 37" to "Round 39").
SIDE_ROUNDS = ("round37", "round38", "round39")


#: What a run's file keeps and the summary does not: its per-trial lists, which would make the
#: summary megabytes, and its machine and versions, repeated in every row (each row keeps its
#: ``commit``; the summary's own machine and versions are at its top level).
RUN_FILE_ONLY = ("timeline", "rss_mib_after_trial", "trial_outcomes", "machine", "versions")


def _summary_row(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` as the summary keeps it: without what only its run file keeps."""
    return {k: v for k, v in row.items() if k not in RUN_FILE_ONLY}


def _summary_rows(rows) -> list[dict[str, Any]]:
    """Every run's row as the summary keeps it (:func:`_summary_row`)."""
    return [_summary_row(r) for runs in rows.values() for r in runs]


def _top_level(versus, overheads: dict[str, dict], rows) -> dict[str, Any]:
    """The issue's top-level numbers: the headline comparison, overhead and memory."""
    overhead = overheads.get(SHIPPED_OVERHEAD, {})
    return {
        "time_to_target_ratio_vs_hyperband": {t: v["ratio"] for t, v in versus.items()},
        "time_to_target_ratio_vs_hyperband_at_least": {t: v["ratio_at_least"]
                                                       for t, v in versus.items()},  # fmt: skip
        "test_at_budget_vs_hyperband": {t: v["test_at_checkpoints"] for t, v in versus.items()},
        "overhead_fraction": overhead.get("overhead_fraction"),
        "overhead_fraction_counting_reports": overhead.get("overhead_fraction_counting_reports"),
        # The headline rows' runs, inside ``hpsearch.optimize`` (median per task).
        "overhead_fraction_in_optimize": {t: v["hpsearch_overhead_in_optimize"]
                                          for t, v in versus.items()},  # fmt: skip
        "rss_growth_fraction": overhead.get("rss_growth_fraction"),
        # Round 11 (README): the same 50 trials all in one process, mean of its `after` runs.
        "rss_growth_fraction_in_process": _mean_of(overheads, IN_PROCESS, "rss_growth_fraction"),
        "time_to_target": {t: {k: v[k] for k in ("hpsearch_median_seconds",
                                                 "kt_hyperband_median_seconds")}
                           for t, v in versus.items()},
    }  # fmt: skip


def summarize() -> None:
    """Writes ``results/vs_kerastuner.json`` and the plots from every round's rows."""
    rows, interleaved, center = _rows(), _rows(INTERLEAVED), _rows(ROUND10)
    ab_rounds = {name: _rows(ROUNDS[name].folder) for name in AB_ROUNDS}
    long_rows = {name: _round_rows(name) for name in (*LONG_ROUNDS, *SIDE_ROUNDS)}
    cv_rows = {name: _rows(ROUNDS[name].folder) for name in CV_ONLY_ROUNDS}
    paths = sorted(RUNS.glob("overhead*.json"))  # sorted: the same file on every machine
    overheads = {path.stem: json.loads(path.read_text()) for path in paths}
    versus, headline_from = headline(rows, interleaved, ab_rounds, long_rows)
    arms = sorted({tool for tool, _ in rows if tool.startswith("hpsearch")})
    summary = {
        **_top_level(versus, overheads, rows),
        "shipped_arm": SHIPPED,
        "versus_hyperband_from": headline_from,
        "targets": {t: TASKS[t].target for t in TASKS},
        "versus_hyperband_by_arm": {
            arm: {task: versus_hyperband(rows, task, arm) for task in TASKS} for arm in arms
        },
        "per_tool": _per_tool(rows),
        "interleaved_per_tool": _per_tool(interleaved),
        "runs": _summary_rows(rows),
        "interleaved_runs": _summary_rows(interleaved),
        "overhead_runs": {label: _summary_row(row) for label, row in overheads.items()},
        "round10": _round10(center, interleaved) if center else None,
        **{name: _ab_round(name, round_rows, interleaved) if round_rows else None
           for name, round_rows in ab_rounds.items()},
        **{name: _long_round(name, round_rows) if round_rows else None
           for name, round_rows in long_rows.items()},
        **{name: _cv_only_round(name, round_rows) if round_rows else None
           for name, round_rows in cv_rows.items()},
        # Every verb that wrote rows, from the rounds themselves rather than a list kept by hand.
        "command": "; ".join(["python -m benchmarks.vs_kerastuner all",
                              *(f"... {name}" for name in ROUNDS)]),
        "machine": machine(), "versions": versions(),
    }  # fmt: skip
    out = HERE / "results" / "vs_kerastuner.json"
    out.write_text(json.dumps(summary, indent=1) + "\n")
    plot_all(rows, interleaved, center, ab_rounds | long_rows | cv_rows)
    print(json.dumps({k: summary[k] for k in list(summary)[:6]}, indent=1))


def _per_tool(rows) -> dict[str, dict[str, Any]]:
    return {f"{tool}/{task}": {
        "time_to_target": [r["time_to_target"] for r in runs],
        "trials": [r["trials"] for r in runs],
        "epochs_trained": [r["epochs_trained"] for r in runs],
        "test_at_checkpoints": at_checkpoints(runs),
        "validation_at_checkpoints": at_checkpoints(runs, "validation"),
    } for (tool, task), runs in rows.items()}  # fmt: skip
