"""Data-set loaders: local copies first, then the real Keras / scikit-learn loaders.

Each loader returns a :class:`Dataset` whose test split is fixed (the same on
every run and machine). Loaders are cached, so a process loads each data set once.
Local copies live under ``--data-dir`` / ``$HPSEARCH_DATA_DIR``, laid out like
the project's ``shared/data`` (see the README).
"""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from hpsearch._dataset import Dataset, SealedTest
from hpsearch._errors import DataError
from hpsearch._idx import read_idx

DATA_DIR_ENV = "HPSEARCH_DATA_DIR"
DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
JET_FEATURES = (
    "zlogz", "c1_b0_mmdt", "c1_b1_mmdt", "c1_b2_mmdt", "c2_b1_mmdt", "c2_b2_mmdt",
    "d2_b1_mmdt", "d2_b2_mmdt", "d2_a1_b1_mmdt", "d2_a1_b2_mmdt", "m2_b1_mmdt",
    "m2_b2_mmdt", "n2_b1_mmdt", "n2_b2_mmdt", "mass_mmdt", "multiplicity",
)  # fmt: skip
JET_CLASSES = ("g", "q", "t", "w", "z")
SPLIT_SEED = 42  # fixed: the test split never changes between runs


def data_dir(explicit: str | Path | None = None) -> Path | None:
    """The local-copy folder: the explicit argument, else ``$HPSEARCH_DATA_DIR``, else None."""
    chosen = explicit or os.environ.get(DATA_DIR_ENV)
    return Path(chosen) if chosen else None


def _images(x: np.ndarray) -> np.ndarray:
    """uint8 (n, 28, 28) -> float32 (n, 28, 28, 1) in [0, 1]."""
    return (x.astype("float32") / 255.0)[..., None]


def _idx_pair(folder: Path, prefix: str) -> tuple[np.ndarray, np.ndarray]:
    x = read_idx(folder / f"{prefix}-images-idx3-ubyte.gz")
    y = read_idx(folder / f"{prefix}-labels-idx1-ubyte.gz")
    if len(x) != len(y):
        raise DataError(f"{folder}: {len(x)} {prefix} images but {len(y)} labels.")
    return x, y


def _keras_download(module_name: str, what: str, hint: str) -> tuple[tuple, tuple]:
    """Keras's own loader (downloads into ~/.keras/datasets); offline, one clear error."""
    import keras

    try:
        return getattr(keras.datasets, module_name).load_data()
    except Exception as exc:  # noqa: BLE001 - any download failure means "not available"
        reason = exc.__class__.__name__
        raise DataError(f"{what} is not available offline ({reason}): {hint}") from None


def load_fashion_mnist(local: Path | None) -> Dataset:
    """Fashion-MNIST, 60,000 training and 10,000 test images (the official split)."""
    folders = [p for p in (local and local / "fashion-mnist", DEBIAN_FASHION_DIR) if p]
    for folder in folders:
        if (folder / "train-images-idx3-ubyte.gz").exists():
            (xtr, ytr), (xte, yte) = _idx_pair(folder, "train"), _idx_pair(folder, "t10k")
            source = str(folder)
            break
    else:
        hint = "apt-get install -y dataset-fashion-mnist, or pass --data-dir with fashion-mnist/."
        (xtr, ytr), (xte, yte) = _keras_download("fashion_mnist", "Fashion-MNIST", hint)
        source = "keras.datasets.fashion_mnist"
    return Dataset(
        "fashion_mnist", _images(xtr), ytr.astype("int64"),
        SealedTest(_images(xte), yte.astype("int64")), source, FASHION_CLASSES,
    )  # fmt: skip


def load_mnist_1000(local: Path | None) -> Dataset:
    """1,000 MNIST digits drawn with a fixed seed, split 80/20 (stratified) into train/test.

    Offline the pool is the 10,000-image MNIST test set under ``DIR/mnist``; online it is
    Keras's 60,000 training images. ``source`` says which.
    """
    folder = local / "mnist" if local else None
    if folder and (folder / "t10k-images-idx3-ubyte.gz").exists():
        pool_x, pool_y = _idx_pair(folder, "t10k")
        source = f"{folder} (MNIST test set, 10,000 images)"
    else:
        hint = "pass --data-dir with mnist/t10k-*-ubyte.gz (see README)."
        (pool_x, pool_y), _ = _keras_download("mnist", "MNIST", hint)
        source = "keras.datasets.mnist (training set, 60,000 images)"
    pick = np.random.default_rng(SPLIT_SEED).choice(len(pool_y), size=1000, replace=False)
    x, y = _images(pool_x[pick]), pool_y[pick].astype("int64")
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, stratify=y, random_state=SPLIT_SEED)
    classes = tuple(str(d) for d in range(10))
    return Dataset("mnist_1000", xtr, ytr, SealedTest(xte, yte), source, classes)


def parse_cal_housing(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """StatLib ``cal_housing.data`` -> scikit-learn's eight features and target in $100k.

    The same transformation ``sklearn.datasets.fetch_california_housing`` applies after
    its download, so local and downloaded copies give identical arrays.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an empty file: refused below, not warned about
            raw = np.loadtxt(path, delimiter=",", dtype="float64", ndmin=2)
    except FileNotFoundError:
        raise DataError(f"data file not found: {path}") from None
    except ValueError as exc:
        raise DataError(f"{path} is not a numeric CSV: {exc}") from None
    if raw.size == 0:
        raise DataError(f"{path} holds no rows.")
    if raw.shape[1] != 9:
        raise DataError(f"{path} has {raw.shape[1]} columns, expected 9 (see shared/data).")
    raw = raw[:, [8, 7, 2, 3, 4, 5, 6, 1, 0]]
    target, data = raw[:, 0] / 100_000.0, raw[:, 1:]
    data[:, 2] /= data[:, 5]  # rooms per household
    data[:, 3] /= data[:, 5]  # bedrooms per household
    data[:, 5] = data[:, 4] / data[:, 5]  # people per household
    return data, target


def _california_arrays(local: Path | None) -> tuple[np.ndarray, np.ndarray, str]:
    path = local / "california_housing" / "cal_housing.data" if local else None
    if path and path.exists():
        x, y = parse_cal_housing(path)
        return x, y, str(path)
    from sklearn.datasets import fetch_california_housing

    try:
        bunch = fetch_california_housing()
    except Exception as exc:  # noqa: BLE001 - any download failure means "not available"
        raise DataError(
            f"California housing is not available offline ({exc.__class__.__name__}): "
            "pass --data-dir with california_housing/cal_housing.data (see README)."
        ) from None
    return bunch.data, bunch.target, "sklearn.datasets.fetch_california_housing"


def _california(local: Path | None, name: str, binary: bool) -> Dataset:
    """California housing, a fixed 25 % test split (seed 42); binary: value >= $200k."""
    x, y, source = _california_arrays(local)
    x, y = x.astype("float32"), y.astype("float32")
    if binary:
        y = (y >= 2.0).astype("int64")
    stratify = y if binary else None
    xtr, xte, ytr, yte = train_test_split(
        x, y, test_size=0.25, random_state=SPLIT_SEED, stratify=stratify
    )
    classes = ("< $200k", ">= $200k") if binary else None
    return Dataset(name, xtr, ytr, SealedTest(xte, yte), source, classes)


def jets_from_frame(frame: pd.DataFrame, source: str) -> Dataset:
    """hls4ml jets (OpenML 42468) from a frame with the 16 features and a ``class`` column."""
    missing = [c for c in (*JET_FEATURES, "class") if c not in frame.columns]
    if missing:
        raise DataError(f"{source}: missing jet columns {missing}.")
    labels = frame["class"].astype(str)
    unknown = sorted(set(labels) - set(JET_CLASSES))
    if unknown:
        raise DataError(f"{source}: unknown jet classes {unknown}, expected {JET_CLASSES}.")
    x = frame[list(JET_FEATURES)].to_numpy(dtype="float32")
    y = labels.map({c: i for i, c in enumerate(JET_CLASSES)}).to_numpy(dtype="int64")
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, random_state=SPLIT_SEED, stratify=y)
    return Dataset("jets", xtr, ytr, SealedTest(xte, yte), source, JET_CLASSES)


def load_jets(local: Path | None) -> Dataset:
    """hls4ml LHC jets: ``DIR/jets/hls4ml_lhc_jets.csv`` or ``fetch_openml(data_id=42468)``."""
    path = local / "jets" / "hls4ml_lhc_jets.csv" if local else None
    if path and path.exists():
        try:
            frame = pd.read_csv(path)
        except (ValueError, UnicodeDecodeError) as exc:
            raise DataError(f"cannot parse {path}: {exc}") from None
        return jets_from_frame(frame, str(path))
    from sklearn.datasets import fetch_openml

    try:
        bunch = fetch_openml(data_id=42468, as_frame=True)
    except Exception as exc:  # noqa: BLE001 - any download failure means "not available"
        raise DataError(
            f"hls4ml jets (OpenML 42468) are not available offline ({exc.__class__.__name__}):"
            " fetch them once online, or put jets/hls4ml_lhc_jets.csv under --data-dir."
        ) from None
    return jets_from_frame(bunch.frame, "sklearn.datasets.fetch_openml(data_id=42468)")


DATASETS: dict[str, Callable[[Path | None], Dataset]] = {
    "fashion_mnist": load_fashion_mnist,
    "mnist_1000": load_mnist_1000,
    "california": functools.partial(_california, name="california", binary=False),
    "california_binary": functools.partial(_california, name="california_binary", binary=True),
    "jets": load_jets,
}


@functools.lru_cache(maxsize=4)
def _load_cached(name: str, local: Path | None) -> Dataset:
    return DATASETS[name](local)


def load_dataset(name: str, local_dir: str | Path | None = None) -> Dataset:
    """Loads a registered data set once per process.

    Args:
        name: A key of :data:`DATASETS`.
        local_dir: Folder of local copies; defaults to ``$HPSEARCH_DATA_DIR``.
    """
    if name not in DATASETS:
        raise DataError(f"unknown data set {name!r}; known: {', '.join(DATASETS)}.")
    return _load_cached(name, data_dir(local_dir))
