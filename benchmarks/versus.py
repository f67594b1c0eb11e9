"""One hpsearch arm against Hyperband on one task: time to target and test at checkpoints.

Reads the rows ``benchmarks.vs_kerastuner`` wrote, grouped by ``(tool, task)``; the
summary (``vs_kerastuner_summary``) puts these comparisons together.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

import hpsearch
from benchmarks.anytime import spread
from benchmarks.vs_kerastuner_rounds import BUDGET_SECONDS, CHECKPOINTS, TASKS


def median_seconds(runs: list[dict[str, Any]]) -> float:
    """Median time to target over seeds; a run that never reached it counts as infinite."""
    return float(np.median([r["time_to_target"] or math.inf for r in runs]))


@functools.cache
def maximizes(task: str) -> bool:
    """Whether ``task``'s score is better higher (accuracy) rather than lower (MSE)."""
    return hpsearch.load_space(TASKS[task].space).direction == "maximize"


def checkpoints(runs: list[dict[str, Any]]) -> list[float]:
    """The checkpoints the runs were scored at (rounds 1-18's where there are none)."""
    return [p["seconds"] for p in runs[0]["curve"]] if runs else list(CHECKPOINTS)


def at_checkpoints(runs: list[dict[str, Any]], key: str = "test") -> dict[str, dict[str, Any]]:
    """Median and range over seeds of each checkpoint's ``test`` (or ``validation``) score."""
    maximize = bool(runs) and maximizes(runs[0]["task"])
    return {str(c): spread([r["curve"][i][key] for r in runs], maximize=maximize)
            for i, c in enumerate(checkpoints(runs))}  # fmt: skip


def versus_hyperband(rows, task: str, arm: str) -> dict[str, Any]:
    """``arm``'s runs on ``task`` against Hyperband's: median seconds to target, their ratio
    and each checkpoint's median test score."""
    ours, theirs = rows.get((arm, task), []), rows.get(("kt_hyperband", task), [])
    mine, hyperband = median_seconds(ours), median_seconds(theirs)
    ratio = hyperband / mine if math.isfinite(mine) else None
    sign = 1 if maximizes(task) else -1
    per_checkpoint = {}
    mine_at, theirs_at = at_checkpoints(ours), at_checkpoints(theirs)
    for c in mine_at.keys() & theirs_at.keys():
        a, b = mine_at[c], theirs_at[c]
        better = None if None in (a["median"], b["median"]) else sign * (a["median"] - b["median"])
        per_checkpoint[c] = {"hpsearch": a["median"], "kt_hyperband": b["median"],
                                  "hpsearch_better_by": better}  # fmt: skip
    return {
        "hpsearch_median_seconds": mine if math.isfinite(mine) else None,
        "kt_hyperband_median_seconds": hyperband if math.isfinite(hyperband) else None,
        # Infinite when Hyperband's median run never reached the target and hpsearch's did.
        "ratio": None if ratio is None else (ratio if math.isfinite(ratio) else "inf"),
        # A censored ratio is at least the budget over hpsearch's time.
        "ratio_at_least": budget_of(ours) / mine if ratio == math.inf else ratio,
        "test_at_checkpoints": dict(sorted(per_checkpoint.items(), key=lambda kv: float(kv[0]))),
        "hpsearch_overhead_in_optimize": overhead_in_optimize(ours),
    }


def overhead_in_optimize(runs: list[dict[str, Any]]) -> float | None:
    """Median over the runs of 1 - (seconds in Keras ``fit``) / (wall seconds of
    ``hpsearch.optimize`` in the caller's process): the API's overhead, without the process's
    imports and data load, which the CLI's overhead run counts (``None``: not recorded)."""
    fractions = [r["overhead_fraction_in_optimize"] for r in runs
                 if "overhead_fraction_in_optimize" in r]  # fmt: skip
    return float(np.median(fractions)) if fractions else None


def budget_of(runs: list[dict[str, Any]]) -> float:
    """The runs' wall budget (rounds 1-18 did not record theirs)."""
    return runs[0].get("budget_seconds", BUDGET_SECONDS) if runs else BUDGET_SECONDS
