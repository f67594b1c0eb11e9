"""Loaders on the offline files and on small fixtures: shapes, splits, parse checks, errors."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from hpsearch import DataError, load_dataset
from hpsearch._idx import read_idx
from hpsearch._loaders import (
    DEBIAN_FASHION_DIR,
    JET_CLASSES,
    JET_FEATURES,
    jets_from_frame,
    parse_cal_housing,
)


def jets_frame(rows: int, seed: int = 0) -> pd.DataFrame:
    """A small stand-in for OpenML 42468 with its real column names and labels."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(rows, len(JET_FEATURES))), columns=list(JET_FEATURES))
    frame["class"] = [JET_CLASSES[i % 5] for i in range(rows)]
    return frame


def test_california_parse_matches_sklearns_recipe(full_data_dir):
    x, y = parse_cal_housing(full_data_dir / "california_housing" / "cal_housing.data")
    assert x.shape == (20640, 8) and y.shape == (20640,)
    expected = [2.6618, 10, 6.20408, 1.25510, 1403, 2.04519, 34.1, -116.32]
    np.testing.assert_allclose(x[13891], expected, rtol=1e-4)
    assert y[13891] == pytest.approx(0.81)


def test_california_wrong_column_count_is_refused(tmp_path):
    path = tmp_path / "cal_housing.data"
    path.write_text("1,2,3\n4,5,6\n")
    with pytest.raises(DataError, match="has 3 columns, expected 9"):
        parse_cal_housing(path)


def test_california_split_is_fixed_and_disjoint(data_dir):
    data = load_dataset("california", data_dir)
    x_test, _ = data.test.open()
    assert len(data.y) == 1500 and len(data.test) == 500  # 25 % of the fixture's 2,000 rows
    assert load_dataset("california", data_dir).test.fingerprint == data.test.fingerprint
    train_rows = {row.tobytes() for row in data.x}
    assert not any(row.tobytes() in train_rows for row in x_test[:500])
    binary = load_dataset("california_binary", data_dir)
    assert set(np.unique(binary.y)) == {0, 1} and len(binary.y) == 1500


def test_mnist_1000_draws_from_the_offline_test_set(data_dir):
    data = load_dataset("mnist_1000", data_dir)
    assert data.x.shape == (800, 28, 28, 1) and len(data.test) == 200
    assert "MNIST test set" in data.source
    assert data.x.max() <= 1.0 and set(np.unique(data.y)) == set(range(10))


def test_full_california_split_is_scikit_learns_size(full_data_dir):
    data = load_dataset("california", full_data_dir)
    assert len(data.y) == 15480 and len(data.test) == 5160


@pytest.mark.skipif(
    not DEBIAN_FASHION_DIR.exists(),
    reason="needs the Debian package "
    "dataset-fashion-mnist (apt-get install -y dataset-fashion-mnist)",
)
def test_fashion_mnist_from_the_debian_package(tmp_path):
    data = load_dataset("fashion_mnist", tmp_path)  # an empty --data-dir: Debian's copy
    assert data.x.shape == (60000, 28, 28, 1) and len(data.test) == 10000
    assert data.class_names[9] == "Ankle boot"


def test_jets_parse_real_columns_and_labels():
    data = jets_from_frame(jets_frame(100), "fixture")
    assert data.x.shape == (80, 16) and len(data.test) == 20
    assert data.class_names == ("g", "q", "t", "w", "z")
    with pytest.raises(DataError, match="unknown jet classes \\['x'\\]"):
        jets_from_frame(jets_frame(10).assign(**{"class": "x"}), "bad")
    with pytest.raises(DataError, match="missing jet columns \\['zlogz'\\]"):
        jets_from_frame(jets_frame(10).drop(columns="zlogz"), "bad")


def test_jets_offline_is_a_clear_error(monkeypatch, tmp_path):
    def offline(**kwargs):
        raise OSError("no network")

    monkeypatch.setattr("sklearn.datasets.fetch_openml", offline)
    with pytest.raises(DataError, match="not available offline"):
        load_dataset("jets", tmp_path)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"\x00\x00\x08\x05" + (5).to_bytes(4, "big") + b"\x01" * 5, "magic number 2053"),
        (b"\x00\x00\x08\x01" + (5).to_bytes(4, "big") + b"\x01" * 3, "truncated"),
        (b"\x00\x00", "only 2 bytes"),
    ],
)
def test_idx_reader_refuses_corrupt_files(tmp_path, payload, message):
    path = tmp_path / "x-idx1-ubyte.gz"
    with gzip.open(path, "wb") as f:
        f.write(payload)
    with pytest.raises(DataError, match=message):
        read_idx(path)


def test_idx_reader_reads_labels(tmp_path):
    path = tmp_path / "y-idx1-ubyte.gz"
    with gzip.open(path, "wb") as f:
        f.write(b"\x00\x00\x08\x01" + (3).to_bytes(4, "big") + bytes([7, 1, 9]))
    assert read_idx(path).tolist() == [7, 1, 9]
    path.write_bytes(b"not gzip at all")
    with pytest.raises(DataError, match="cannot read"):
        read_idx(path)
