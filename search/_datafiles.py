"""A user's data files: ``.csv`` / ``.parquet`` tables, ``.npz`` arrays, image folders.

``hpsearch optimize --space-file my_space.py --data train.csv --target price
[--test-data test.csv]``. Tables need a target column and numeric features (anything else
is named, with how to handle it); ``.npz`` holds ``x``, ``y`` and optionally ``x_test``,
``y_test`` at any shape; a folder holds one subfolder of images per class, read with
Keras's own image utilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hpsearch._data import IMAGE_SUFFIXES, Data
from hpsearch._dataset import Dataset
from hpsearch._errors import DataError

TABLES = (".csv", ".parquet")


def _read_table(path: Path) -> pd.DataFrame:
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path)
    except ImportError as exc:
        raise DataError(f"reading {path} needs pyarrow: pip install pyarrow ({exc}).") from None
    except (ValueError, OSError, UnicodeDecodeError) as exc:  # pandas' parse errors
        raise DataError(f"cannot read {path}: {str(exc).splitlines()[0]}") from None


def _split_table(frame: pd.DataFrame, target: str | None, path: Path):
    if target is None:
        raise DataError(f"{path} is a table: name its target column with --target.")
    if target not in frame.columns:
        raise DataError(
            f"{path} has no column {target!r}; its columns: {', '.join(map(str, frame.columns))}."
        )
    features = frame.drop(columns=[target])
    text = [str(c) for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
    if text:
        raise DataError(
            f"{path}: columns {', '.join(text)} are not numeric; drop them, encode them in the "
            "file, or load the data in the space's load() with a preprocessor that encodes them."
        )
    return features, frame[target].to_numpy()


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as arrays:
            content = {key: arrays[key] for key in arrays.files}
    except (ValueError, OSError) as exc:
        raise DataError(f"cannot read {path} as .npz: {exc}") from None
    missing = [key for key in ("x", "y") if key not in content]
    if missing:
        raise DataError(
            f"{path} lacks {', '.join(missing)}; an .npz needs arrays x and y (and optionally "
            f"x_test, y_test), but holds {', '.join(content) or 'nothing'}."
        )
    return content


def _read_images(folder: Path) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """One subfolder per class; images resized to the first image's size, as float32."""
    import keras

    classes = sorted(p.name for p in folder.iterdir() if p.is_dir())
    files = [
        (path, index)
        for index, name in enumerate(classes)
        for path in sorted((folder / name).iterdir())
        if path.suffix.lower() in IMAGE_SUFFIXES
    ]
    if len(classes) < 2 or not files:
        raise DataError(
            f"{folder} must hold one subfolder of images per class (at least two); found "
            f"{len(classes)} subfolders and {len(files)} images."
        )
    first = keras.utils.img_to_array(keras.utils.load_img(files[0][0]))
    size = first.shape[:2]
    x = np.stack([
        keras.utils.img_to_array(keras.utils.load_img(path, target_size=size)) / 255.0
        for path, _ in files
    ])  # fmt: skip
    return x.astype("float32"), np.array([i for _, i in files], dtype="int64"), tuple(classes)


@dataclass(frozen=True)
class DataFile:
    """Training data from a file or image folder, and optionally a test file of the same kind.

    Attributes:
        path: ``.csv``, ``.parquet``, ``.npz`` or a folder of class subfolders.
        target: The target column of a table.
        test_path: The sealed test split; otherwise one is cut off (20 %, seed 42), unless
            an ``.npz`` holds ``x_test`` and ``y_test``.
    """

    path: str
    target: str | None = None
    test_path: str | None = None

    def describe(self) -> dict[str, Any]:
        return {"kind": "file", "path": self.path, "target": self.target,
                "test_path": self.test_path}  # fmt: skip

    def load(self) -> Dataset:
        x, y, extra = self._read(Path(self.path))
        if self.test_path is not None:
            x_test, y_test, _ = self._read(Path(self.test_path), like=x)
            extra = {**extra, "x_test": x_test, "y_test": y_test}
        return Data(x, y, name=Path(self.path).name, **extra).load()

    def _read(self, path: Path, like: Any = None) -> tuple[Any, Any, dict[str, Any]]:
        if not path.exists():
            raise DataError(f"data file not found: {path}")
        if path.is_dir():
            x, y, classes = _read_images(path)
            return x, y, {"class_names": classes}
        if path.suffix in TABLES:
            features, y = _split_table(_read_table(path), self.target, path)
            if isinstance(like, pd.DataFrame) and list(features.columns) != list(like.columns):
                raise DataError(
                    f"{path} has feature columns {list(map(str, features.columns))}, but the "
                    f"training file has {list(map(str, like.columns))}; they must match."
                )
            return features, y, {}
        if path.suffix == ".npz":
            arrays = _read_npz(path)
            extra = {k: arrays[k] for k in ("x_test", "y_test") if k in arrays}
            return arrays["x"], arrays["y"], extra
        raise DataError(
            f"{path}: unknown data format {path.suffix!r}; use .csv, .parquet, .npz or a "
            "folder with one subfolder of images per class."
        )
