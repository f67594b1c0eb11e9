"""Anytime test-score curves: what a search would have handed over, had it stopped at time t.

A search's timeline is the list of its finished trials, each with the wall second it ended,
its validation score by the tool's own criterion, and how the tool would retrain it. At each
checkpoint the best trial so far is retrained on all training rows and scored once on the
test split. This is benchmark bookkeeping only: nothing here is fed back into a search.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from hpsearch._dataset import Dataset
from hpsearch._final import evaluate_on_test, retrain
from hpsearch._space import Space


@dataclass(frozen=True)
class Finished:
    """One finished trial of a timeline.

    Attributes:
        seconds: Wall seconds from the start of the search to the trial's end.
        score: Its validation score, as the tool ranks trials (CV mean, holdout best epoch).
        params: Its hyperparameters.
        epochs: Epochs the tool would retrain it for on all training rows.
        stretch: Factor on a step-counted learning-rate decay for the retrain.
        seed: Seed of the retrain.
    """

    seconds: float
    score: float
    params: dict[str, Any]
    epochs: int
    stretch: float
    seed: int


def best_so_far(timeline: list[Finished], seconds: float, *, maximize: bool) -> int | None:
    """Index of the best trial finished by ``seconds``, or None if none had."""
    done = [i for i, event in enumerate(timeline) if event.seconds <= seconds]
    if not done:
        return None
    pick = max if maximize else min
    return pick(done, key=lambda i: timeline[i].score)


def curve(
    timeline: list[Finished],
    checkpoints: tuple[float, ...],
    space: Space,
    dataset: Dataset,
    metric: str,
) -> list[dict[str, Any]]:
    """Test ``metric`` of the best-so-far trial at each checkpoint (each trial retrained once)."""
    scored: dict[int, float] = {}
    points = []
    for seconds in checkpoints:
        index = best_so_far(timeline, seconds, maximize=space.direction == "maximize")
        if index is not None and index not in scored:
            event = timeline[index]
            fit = retrain(space, event.params, dataset, epochs=event.epochs, seed=event.seed,
                          stretch=event.stretch)  # fmt: skip
            scored[index] = float(evaluate_on_test(fit, space, dataset, None)[metric])
        points.append({
            "seconds": seconds,
            "trial": index,
            "validation": None if index is None else timeline[index].score,
            "test": scored.get(index),
        })  # fmt: skip
    return points


def time_to_target(points: list[dict[str, Any]], target: float, *, maximize: bool) -> float | None:
    """The first checkpoint whose test score meets ``target``; None if none did."""
    for point in points:
        test = point["test"]
        if test is not None and (test >= target if maximize else test <= target):
            return point["seconds"]
    return None


def timeline_rows(timeline: list[Finished]) -> list[dict[str, Any]]:
    return [asdict(event) for event in timeline]


def spread(values: list[float | None], *, maximize: bool) -> dict[str, float | None]:
    """Median and range over runs of one checkpoint's scores.

    A run with no trial finished yet (``None``) counts as worse than any score, so a tool
    whose slow first trials leave some seeds empty is not judged on its faster seeds only;
    the median is ``None`` ("none yet") when it falls on such a run.
    """
    present = [v for v in values if v is not None]
    missing = len(values) - len(present)
    if not present:
        return {"median": None, "min": None, "max": None, "runs": 0, "missing": missing}
    worst = -math.inf if maximize else math.inf
    median = float(np.median([*present, *[worst] * missing]))
    return {"median": median if math.isfinite(median) else None, "min": min(present),
            "max": max(present), "runs": len(present), "missing": missing}  # fmt: skip
