"""How a search cuts its training rows: the subsample it uses and its cross-validation folds.

Both are fixed by the study's seed, so every trial of a study, in any process, trains and
scores on the same rows; the test split was cut off before and never reaches them.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

from hpsearch._dataset import labels_of
from hpsearch._errors import DataError


def cv_splits(y: np.ndarray, *, stratified: bool, folds: int, seed: int) -> list[tuple]:
    """Fold index pairs, fixed by ``seed`` so every trial sees the same folds."""
    splitter = StratifiedKFold if stratified else KFold
    try:
        return list(splitter(n_splits=folds, shuffle=True, random_state=seed).split(y, y))
    except ValueError as exc:  # more folds than rows, or than members of a class
        raise DataError(
            f"cannot split {len(y)} training rows into {folds} folds ({exc}); use fewer --folds."
        ) from None


def subsample(
    x: np.ndarray, y: np.ndarray, *, fraction: float, stratified: bool, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A fixed random fraction of the rows (stratified for classification)."""
    if fraction >= 1.0:
        return x, y
    keep, _ = train_test_split(
        np.arange(len(y)), train_size=fraction, random_state=seed,
        stratify=labels_of(y) if stratified else None,
    )  # fmt: skip
    return x[keep], y[keep]
