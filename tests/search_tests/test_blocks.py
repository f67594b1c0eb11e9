"""Shared building blocks: the scaler registry every tabular space draws from."""

from __future__ import annotations

import numpy as np
import pytest

from search import blocks, load_dataset


@pytest.fixture(scope="module")
def california_rows(data_dir):
    return load_dataset("california", data_dir).x[:2000]


@pytest.mark.parametrize("name", blocks.SCALERS)
def test_every_registered_scaler_fits_real_rows(name, california_rows):
    scaler = blocks.make_scaler(name)
    if name == "none":
        assert scaler is None
        return
    features = scaler.fit_transform(california_rows)
    assert len(features) == len(california_rows) and np.isfinite(features).all()


def test_spline_keeps_the_standardized_features_and_adds_a_basis_per_feature(california_rows):
    features = blocks.make_scaler("spline").fit_transform(california_rows)
    standardized = blocks.make_scaler("standard").fit_transform(california_rows)
    n_features = california_rows.shape[1]
    np.testing.assert_allclose(features[:, :n_features], standardized)
    basis = features[:, n_features:].reshape(len(features), n_features, -1)
    assert basis.shape[2] == 12 + 3 - 1  # n_knots + degree - 1 B-splines per feature
    # B-splines form a partition of unity inside the fitted range: each feature's row sums to 1.
    np.testing.assert_allclose(basis.sum(axis=2), 1.0, atol=1e-6)


def test_an_unknown_scaler_is_an_error_naming_the_valid_ones():
    with pytest.raises(ValueError, match=r"scaler must be one of .*'quantile'.*name='robust'"):
        blocks.make_scaler("robust")
