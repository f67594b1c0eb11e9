"""Shared building blocks: the scaler registry every tabular space draws from, and the
learning-rate schedules the final fit stretches."""

from __future__ import annotations

import numpy as np
import pytest

from hpsearch import blocks, load_dataset


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


@pytest.mark.parametrize("kind", ["step", "exponential", "cosine"])
def test_a_stretched_schedule_gives_the_same_learning_rate_per_epoch(kind):
    # A fold of 6,000 rows at batch 64 takes 94 steps per epoch; all 60,000 rows take 938.
    params = {"learning_rate": 5e-3, "schedule": kind, "decay_steps": 300, "decay_rate": 0.3}
    fold_rate = blocks.make_learning_rate(params)
    full_rate = blocks.make_learning_rate(blocks.stretch_schedule(params, 10.0))
    for epoch in (1, 5, 11):
        at_fold, at_full = float(fold_rate(epoch * 94)), float(full_rate(epoch * 940))
        assert at_full == pytest.approx(at_fold, rel=1e-6)
    # Unstretched, one full-data epoch already decays the rate as 10 fold epochs would.
    assert float(full_rate(940)) > 10 * float(fold_rate(940))


def test_stretch_leaves_a_constant_rate_alone_and_refuses_a_bad_factor():
    params = {"learning_rate": 1e-3, "schedule": "constant"}
    assert blocks.stretch_schedule(params, 10.0) == params
    with pytest.raises(ValueError, match=r"factor must be positive, but got factor=0"):
        blocks.stretch_schedule(params, 0)
