"""Each fold's preprocessed rows, fitted once per search instead of once per trial.

Trials that pick the same preprocessor refit it on the same fold's rows every time: on
``california`` a quantile transform took 60-90 ms a fold, and preprocessing was the largest
cost of a trial outside ``fit`` (1.7 s of 12 trials, ``benchmarks/README.md``, round 5). A
scikit-learn estimator's fit depends only on its parameters and its rows, so the fitted
estimator and the transformed rows are kept per (fold, unfitted estimator) and reused.

Only estimators whose fit is reproducible are kept: scikit-learn estimators (their
contract) whose every ``random_state`` is a fixed int. Anything else (a user's own
transformer, ``random_state=None``) is fitted each time, as before. Each trial gets copies,
so a ``fit`` that changes its inputs in place cannot change the next trial's.
"""

from __future__ import annotations

import pickle
from collections import OrderedDict
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

#: Bytes of transformed rows kept per process; the least recently used go first.
MAX_BYTES = 256 * 2**20


def fit_transform(
    preprocessor: Any, x: np.ndarray, x_val: np.ndarray | None
) -> tuple[Any, np.ndarray, np.ndarray | None]:
    """Fits ``preprocessor`` on ``x``; returns it with ``x`` and ``x_val`` transformed."""
    x = preprocessor.fit_transform(x)
    return preprocessor, x, None if x_val is None else preprocessor.transform(x_val)


def _key(preprocessor: Any, fold: int) -> tuple[int, bytes] | None:
    """The cache key, or ``None`` when a refit could give other rows."""
    if not isinstance(preprocessor, BaseEstimator):
        return None
    params = preprocessor.get_params(deep=True)
    if not all(isinstance(v, int) for k, v in params.items() if k.endswith("random_state")):
        return None
    try:
        return fold, pickle.dumps(preprocessor)  # an unfitted estimator pickles its parameters
    except Exception:  # noqa: BLE001 - an unpicklable estimator is simply not cached
        return None


def _copies(x: np.ndarray, x_val: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    return x.copy(), None if x_val is None else x_val.copy()


def _nbytes(x: Any, x_val: Any) -> int | None:
    """Bytes of plain arrays; ``None`` for anything else (sparse matrices, frames)."""
    arrays = [a for a in (x, x_val) if a is not None]
    if not all(isinstance(a, np.ndarray) for a in arrays):
        return None
    return sum(a.nbytes for a in arrays)


class FoldCache:
    """Fitted preprocessors and transformed rows of one search's folds, in this process.

    Args:
        max_bytes: The most bytes of rows kept; 0 keeps nothing.
    """

    def __init__(self, *, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes, self.hits = max_bytes, 0
        self._entries: OrderedDict[tuple, tuple[Any, np.ndarray, np.ndarray | None, int]] = (
            OrderedDict()
        )
        self._bytes = 0

    def fit_transform(
        self, preprocessor: Any, x: np.ndarray, x_val: np.ndarray | None, *, fold: int
    ) -> tuple[Any, np.ndarray, np.ndarray | None]:
        """As :func:`fit_transform`, from the cache when fold ``fold`` was fitted with an equal
        estimator before."""
        key = _key(preprocessor, fold)
        if key is not None and key in self._entries:
            self._entries.move_to_end(key)
            self.hits += 1
            fitted, x, x_val, _ = self._entries[key]
            return fitted, *_copies(x, x_val)
        fitted, x, x_val = fit_transform(preprocessor, x, x_val)
        size = _nbytes(x, x_val)
        if key is not None and size is not None and size <= self.max_bytes:
            self._keep(key, (fitted, *_copies(x, x_val), size))
        return fitted, x, x_val

    def _keep(self, key: tuple, entry: tuple) -> None:
        self._entries[key] = entry
        self._bytes += entry[-1]
        while self._bytes > self.max_bytes:
            _, (*_, size) = self._entries.popitem(last=False)
            self._bytes -= size
