"""A user's data: arrays in a notebook, CSV/Parquet/NPZ files, image folders.

Every source loads a :class:`Dataset` (training rows plus the sealed test split) and
describes itself for the study record, so a resume, ``evaluate``, ``train --config`` and
worker processes reload the same data, and refuse it when it changed. The task is inferred
from the target when the space does not state it: integer, boolean or string labels are
classes (binary for two), float targets are regression.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from hpsearch._dataset import Dataset, SealedTest, labels_of
from hpsearch._errors import DataError
from hpsearch._loaders import SPLIT_SEED, load_dataset

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def _array(values: Any, what: str) -> np.ndarray:
    array = values.to_numpy() if isinstance(values, (pd.DataFrame, pd.Series)) else values
    try:
        return np.asarray(array)
    except (ValueError, TypeError) as exc:
        raise DataError(f"{what} cannot be read as an array: {exc}") from None


def infer_task(y: np.ndarray) -> str:
    """``multiclass``, ``binary`` or ``regression`` from the target's values.

    A one-hot 2-D target is multiclass; another 2-D target is a multi-output regression.
    """
    if y.ndim == 2 and y.shape[1] > 1:
        one_hot = np.isin(y, (0, 1)).all() and (y.sum(axis=1) == 1).all()
        return "multiclass" if one_hot else "regression"
    kind = y.dtype.kind
    if kind == "f":
        return "regression"
    return "binary" if len(np.unique(y)) == 2 else "multiclass"


def doubt(y: np.ndarray, task: str) -> str | None:
    """One line when the inferred ``task`` looks wrong for ``y``, else None."""
    distinct = len(np.unique(y)) if y.ndim == 1 else None
    if task == "regression" and distinct is not None and distinct <= 10:
        return (
            f"the target is float with only {distinct} distinct values, so it is treated as "
            "regression; pass task='multiclass' (or integer labels) if these are classes."
        )
    return None


def _check_values(x: np.ndarray, y: np.ndarray, label: str) -> None:
    if len(x) != len(y):
        raise DataError(f"{label}: x has {len(x)} rows but y has {len(y)}; they must match.")
    if len(y) == 0:
        raise DataError(f"{label}: no rows.")
    for name, array in (("features", x), ("target", y)):
        if array.dtype.kind in "fc":
            bad = int(np.count_nonzero(~np.isfinite(array)))
            if bad:
                raise DataError(
                    f"{label}: {bad} NaN or infinite values in the {name}; drop those rows, "
                    "or impute them in the space's preprocessor (e.g. SimpleImputer)."
                )


def encode_labels(
    y: np.ndarray, y_test: np.ndarray | None, class_names: tuple[str, ...] | None
) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...] | None]:
    """String or boolean labels -> class indices, their names kept for the report."""
    if y.ndim != 1 or y.dtype.kind not in "OUSb":
        return y, y_test, class_names
    classes = np.unique(y if y_test is None else np.concatenate([y, y_test]))
    names = class_names or tuple(str(c) for c in classes)
    index = {c: i for i, c in enumerate(classes)}
    encode = np.vectorize(index.__getitem__, otypes=["int64"])
    return encode(y), None if y_test is None else encode(y_test), names


@dataclass(frozen=True)
class Data:
    """A user's arrays (NumPy or pandas) and, optionally, the test split that goes with them.

    Attributes:
        x: Training inputs, one row per example (any trailing shape: images, sequences).
        y: Targets: labels (int, bool or str) or real values; 2-D for one-hot or multi-output.
        x_test: With ``y_test``, *the* sealed test split; otherwise one is cut off ``x, y``.
        y_test: See ``x_test``.
        test_size: Fraction cut off when no test split is given (stratified, seed 42).
        class_names: Names of the classes, in index order; from string labels by default.
        task: ``multiclass``, ``binary`` or ``regression``; ``None``: inferred from ``y``.
        name: How reports and the study record name the data.
    """

    x: Any
    y: Any
    x_test: Any = None
    y_test: Any = None
    test_size: float = 0.2
    class_names: tuple[str, ...] | None = None
    task: str | None = None
    name: str = "data"

    def describe(self) -> dict[str, Any]:
        return {"kind": "arrays", "name": self.name}

    def load(self) -> Dataset:
        x, y = _array(self.x, "x"), _array(self.y, "y")
        given = self.x_test is not None or self.y_test is not None
        if given and (self.x_test is None or self.y_test is None):
            raise DataError("give both x_test and y_test, or neither (a split is then cut off).")
        x_test = _array(self.x_test, "x_test") if given else None
        y_test = _array(self.y_test, "y_test") if given else None
        names = tuple(self.class_names) if self.class_names else None
        y, y_test, names = encode_labels(y, y_test, names)
        _check_values(x, y, self.name)
        if given:
            _check_values(x_test, y_test, f"{self.name} (test split)")
            if x_test.shape[1:] != x.shape[1:]:
                raise DataError(
                    f"{self.name}: test rows have shape {x_test.shape[1:]}, training rows "
                    f"{x.shape[1:]}; they must match."
                )
        task = self.task or infer_task(y)
        return _dataset(self.name, x, y, x_test, y_test, task, names, self.test_size)


def _dataset(name, x, y, x_test, y_test, task, names, test_size) -> Dataset:
    labels = labels_of(y) if task != "regression" else y
    if task != "regression":
        if len(np.unique(labels)) < 2:
            raise DataError(f"{name}: the target has one class only ({labels[0]!r}); need two.")
        if names is None:
            names = tuple(str(c) for c in range(int(labels.max()) + 1))
    if x_test is None:
        stratify = labels if task != "regression" else None
        try:
            x, x_test, y, y_test = train_test_split(
                x, y, test_size=test_size, random_state=SPLIT_SEED, stratify=stratify
            )
        except ValueError as exc:
            raise DataError(f"{name}: cannot cut off a test split: {exc}") from None
    x, x_test = _as_model_input(x), _as_model_input(x_test)
    return Dataset(name, x, y, SealedTest(x_test, y_test), name, names, task=task)


def _as_model_input(x: np.ndarray) -> np.ndarray:
    """Numbers as float32 (what Keras trains on); other kinds left to the preprocessor."""
    return x.astype("float32") if x.dtype.kind in "iufb" else x


@dataclass(frozen=True)
class BuiltinData:
    """One of the built-in data sets (``hpsearch.DATASETS``), from ``data_dir`` or online."""

    name: str
    data_dir: str | None = None

    def describe(self) -> dict[str, Any]:
        return {"kind": "builtin", "name": self.name}

    def load(self) -> Dataset:
        return load_dataset(self.name, self.data_dir)


@dataclass(frozen=True)
class LoadedBySpace:
    """The data a space file's ``load()`` returns: ``Data``, ``(x, y)`` or ``(x, y, x_test,
    y_test)``."""

    load_function: Any
    space_file: str | None

    def describe(self) -> dict[str, Any]:
        return {"kind": "load", "space_file": self.space_file}

    def load(self) -> Dataset:
        where = f"load() of {self.space_file or 'the space'}"
        try:
            returned = self.load_function()
        except Exception as exc:  # noqa: BLE001 - the user's loader: one line, not a traceback
            raise DataError(f"{where} raised {exc.__class__.__name__}: {exc}") from None
        if isinstance(returned, Data):
            return returned.load()
        if isinstance(returned, tuple) and len(returned) in (2, 4):
            return Data(*returned, name=Path(self.space_file or "load").stem).load()
        raise DataError(
            f"{where} must return hpsearch.Data, (x, y) or (x, y, x_test, y_test), but "
            f"returned {type(returned).__name__}"
            + (f" of {len(returned)} items." if isinstance(returned, tuple) else ".")
        )


def data_from_space(space, data_dir: str | None = None) -> Any:
    """The data source a space brings (``DATASET`` or ``load()``), or a clear error."""
    if space.load is not None:
        return LoadedBySpace(space.load, space.file)
    if space.dataset is not None:
        return BuiltinData(space.dataset, data_dir)
    raise DataError(
        f"space {space.name!r} brings no data (no DATASET, no load()); pass --data FILE."
    )
