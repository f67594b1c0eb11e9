"""A trial's cross-validation score: the folds' mean validation curve at its best epoch.

Each fold records one validation score per epoch. Averaging each fold's own best epoch
picks K epochs on the very scores being averaged: the mean is optimistic, and most for
configurations whose folds peak at different epochs or whose curves are noisy. The final
fit cannot choose per fold; it trains all rows for one epoch count. So the score is read
where the final fit stops: at the epoch whose mean over the folds is best. ``xgboost.cv``
and ``lightgbm.cv`` choose their number of rounds the same way.

Early stopping ends folds at different epochs. A fold that stopped counts at its last score
for the epochs it did not train: it stopped because ``patience`` epochs brought no
improvement, so its last score stands for a plateau, and is never better than its best. Reading
only the epochs that every fold trained would let the fold that stopped first cap the epoch
count of the others and of the final fit, which trains on more rows than any fold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CVScore:
    """Where the folds' mean validation curve is best.

    Attributes:
        value: The mean over the folds at that epoch: the trial's value.
        epochs: That epoch, counted from 1: the final fit's epoch count.
        fold_scores: Each fold's validation score at that epoch (its last, if it stopped
            before).
    """

    value: float
    epochs: int
    fold_scores: list[float]


def cv_score(curves: Sequence[Sequence[float]], *, maximize: bool) -> CVScore:
    """The epoch whose mean over the folds is best, a stopped fold held at its last score.

    Args:
        curves: One validation curve per fold, a score per epoch.
        maximize: Whether higher scores are better.

    Raises:
        ValueError: No curve, an empty one, or no epoch with a finite mean.
    """
    if not curves or not all(len(curve) for curve in curves):
        lengths = [len(curve) for curve in curves]
        raise ValueError(f"every fold needs at least one epoch's score; epochs per fold {lengths}")
    longest = max(len(curve) for curve in curves)
    held = [list(curve) + [curve[-1]] * (longest - len(curve)) for curve in curves]
    scores = np.array(held, dtype=float)
    mean = scores.mean(axis=0)
    if not np.isfinite(mean).any():
        raise ValueError("no epoch has a finite score in every fold")
    filled = np.where(np.isfinite(mean), mean, -np.inf if maximize else np.inf)
    best = int(np.argmax(filled) if maximize else np.argmin(filled))
    return CVScore(float(mean[best]), best + 1, [float(s) for s in scores[:, best]])
