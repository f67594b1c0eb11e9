"""The rule of rounds 10 and 12 (README): does a candidate engine change beat the defaults?

The decision is taken on validation scores only (each arm's best CV mean so far at each
checkpoint), as declared before the runs; the test scores are reported beside it. Both arms
of a (task, seed) ran back to back, so the machine's drift falls on both alike.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from benchmarks.anytime import spread
from benchmarks.vs_kerastuner_rounds import CHECKPOINTS, TASKS

#: The arm every candidate is measured against: hpsearch's defaults.
BASE = "hpsearch"


def _checkpoints(rows, task: str) -> tuple[float, ...]:
    """The checkpoints the task's runs were scored at (rounds 10-13's where none are)."""
    runs = rows.get((BASE, task), [])
    return tuple(p["seconds"] for p in runs[0]["curve"]) if runs else CHECKPOINTS


def _medians(runs: list[dict[str, Any]], key: str, count: int, *,
             maximize: bool) -> list[float | None]:  # fmt: skip
    return [spread([r["curve"][i][key] for r in runs], maximize=maximize)["median"]
            for i in range(count)]  # fmt: skip


def _better(a: float | None, b: float | None, *, maximize: bool) -> int:
    """+1 if ``a`` beats ``b``, -1 if it is worse, 0 on a tie; "none yet" loses to any score."""
    if a == b:
        return 0
    if a is None or b is None:
        return 1 if b is None else -1
    return 1 if (a > b) == maximize else -1


def task_verdict(rows, task: str, candidate_arm: str, *, maximize: bool) -> dict[str, Any]:
    """The declared rule on one task: no worse at the budget (the last checkpoint), and better
    at no fewer checkpoints than it is worse at, by the median over seeds of the best
    validation score so far."""
    checkpoints = _checkpoints(rows, task)
    base = _medians(rows.get((BASE, task), []), "validation", len(checkpoints),
                    maximize=maximize)  # fmt: skip
    candidate = _medians(rows.get((candidate_arm, task), []), "validation", len(checkpoints),
                         maximize=maximize)  # fmt: skip
    signs = [_better(c, b, maximize=maximize) for c, b in zip(candidate, base, strict=True)]
    better, worse = signs.count(1), signs.count(-1)
    return {
        "validation_median": {
            BASE: dict(zip(map(str, checkpoints), base, strict=True)),
            candidate_arm: dict(zip(map(str, checkpoints), candidate, strict=True)),
        },  # fmt: skip
        "checkpoints_better": better,
        "checkpoints_worse": worse,
        "no_worse_at_budget": signs[-1] >= 0,
        "passes": signs[-1] >= 0 and better >= worse,
    }


def decision(rows, candidate_arm: str, maximizes, tasks: tuple[str, ...] = tuple(TASKS)
             ) -> dict[str, Any]:  # fmt: skip
    """Each task's verdict and whether the candidate becomes the default (every task of
    ``tasks`` passes)."""
    verdicts = {task: task_verdict(rows, task, candidate_arm, maximize=maximizes(task))
                for task in tasks}  # fmt: skip
    return {
        "candidate": candidate_arm,
        "tasks": verdicts,
        "adopted": all(v["passes"] for v in verdicts.values()),
    }


def _per_epoch(row: dict[str, Any]) -> float:
    return row["fit_seconds"] / row["epochs_trained"]


def drift(today, round7) -> dict[str, float | None]:
    """Today's seconds per trained epoch of the ``hpsearch`` arm over round 7's, per task.

    The arm makes the same trials from the same seed in both sessions, so the ratio says how
    much faster (below 1) or slower this session's machine trained, which bears on comparing
    these rows with round 7's Hyperband rows.
    """
    ratios = {}
    for task in TASKS:
        pairs = [(a, b) for a in today.get((BASE, task), []) for b in round7.get((BASE, task), [])
                 if a["seed"] == b["seed"]]  # fmt: skip
        per_epoch = [_per_epoch(a) / _per_epoch(b) for a, b in pairs]
        ratios[task] = float(np.median(per_epoch)) if per_epoch else None
    return ratios


def rerun_drift(today, earlier, *, tool: str = "kt_hyperband") -> dict[str, dict[str, Any]]:
    """Per ``task/seed`` that ``tool`` ran in both: the first trials the two runs share (the
    same parameters in the same order) and today's seconds to the end of the last of them
    over the earlier run's.

    A tool that repeats its trials from its seed on unchanged code times the machine: below
    1, today's machine trained faster. Beside it, a tool whose code changed times the change
    and the machine together.
    """
    out = {}
    for (name, task), runs in today.items():
        if name != tool:
            continue
        for row in runs:
            before = next((r for r in earlier.get((tool, task), []) if r["seed"] == row["seed"]),
                          None)  # fmt: skip
            if before is None:
                continue
            pairs = zip(row["timeline"], before["timeline"], strict=False)
            shared = list(itertools.takewhile(lambda p: p[0]["params"] == p[1]["params"], pairs))
            ratio = shared[-1][0]["seconds"] / shared[-1][1]["seconds"] if shared else None
            out[f"{task}/{row['seed']}"] = {"shared_trials": len(shared), "seconds_ratio": ratio}
    return out
