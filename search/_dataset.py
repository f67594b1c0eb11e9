"""The data a search sees, and the sealed test split it must not see.

The test split is cut off at load time and wrapped in :class:`SealedTest`.
While :func:`search_in_progress` is active (the whole of ``optimize``'s search
phase), opening it raises :class:`TestSetSealedError`: the rule "the test set is
read only by the final evaluation" is enforced in code, not by convention.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from hpsearch._errors import TestSetSealedError

_active_searches = 0


@contextlib.contextmanager
def search_in_progress() -> Iterator[None]:
    """Seals every test split for the duration of the block."""
    global _active_searches
    _active_searches += 1
    try:
        yield
    finally:
        _active_searches -= 1


def fingerprint(*arrays: np.ndarray) -> str:
    """A short, stable hash of array contents, shapes and dtypes."""
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(f"{array.dtype}{array.shape}".encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:16]


class SealedTest:
    """Holds the test split and hands it out only outside a search."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self._x, self._y = x, y
        self.fingerprint = fingerprint(x, y)
        self.reads = 0

    def __len__(self) -> int:
        return len(self._y)

    def open(self) -> tuple[np.ndarray, np.ndarray]:
        """Returns ``(x_test, y_test)``; refused while a search is running."""
        if _active_searches:
            raise TestSetSealedError("the test split cannot be read while a search is running.")
        self.reads += 1
        return self._x, self._y


@dataclass(frozen=True)
class Dataset:
    """A task's training data plus its sealed, fixed test split.

    Attributes:
        name: Registry name of the data set, e.g. ``"fashion_mnist"``.
        x: Training inputs (all that cross-validation and the final fit use).
        y: Training targets: class indices, 0/1, or real values.
        test: The held-out split; see :class:`SealedTest`.
        source: Where the data came from, for reports (a path or a loader name).
        class_names: Names of the classes, ``None`` for regression.
        task: The task the data was inferred to be (user data), ``None`` for built-ins,
            whose space states it.
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    test: SealedTest
    source: str
    class_names: tuple[str, ...] | None = None
    task: str | None = None
    fingerprint: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fingerprint", fingerprint(self.x, self.y))


def labels_of(y: np.ndarray) -> np.ndarray:
    """``y`` itself, or the class indices of a one-hot 2-D ``y``."""
    return y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y
