"""The fold cache fits each (fold, estimator) once, only when a refit would give the same
rows, hands out copies, stays within its bytes, and leaves a search's scores unchanged."""

from __future__ import annotations

import numpy as np
import optuna
import pytest
from sklearn.preprocessing import QuantileTransformer, StandardScaler

from hpsearch import Objective, SearchSettings, load_dataset, load_space
from hpsearch._fold_cache import FoldCache
from tests.conftest import space_file

ROWS = np.arange(40.0).reshape(20, 2)
VAL = ROWS[:5] + 0.5


class _CountingScaler(StandardScaler):
    """A scikit-learn scaler that counts its fits (class-level: each trial makes a new one)."""

    fits = 0

    def fit(self, x, y=None, **kwargs):
        type(self).fits += 1
        return super().fit(x, y, **kwargs)


@pytest.fixture(autouse=True)
def _no_fits_yet():
    _CountingScaler.fits = 0


def test_an_equal_estimator_on_the_same_fold_is_fitted_once():
    cache = FoldCache()
    first = cache.fit_transform(_CountingScaler(), ROWS, VAL, fold=0)
    again = cache.fit_transform(_CountingScaler(), ROWS, VAL, fold=0)
    assert _CountingScaler.fits == 1 and cache.hits == 1
    np.testing.assert_array_equal(first[1], again[1])
    np.testing.assert_array_equal(first[2], again[2])
    np.testing.assert_allclose(again[1].mean(axis=0), 0, atol=1e-12)


@pytest.mark.parametrize(
    "other",
    [
        {"fold": 1, "estimator": _CountingScaler()},
        {"fold": 0, "estimator": _CountingScaler(with_std=False)},
    ],
)
def test_another_fold_or_other_parameters_fit_again(other):
    cache = FoldCache()
    cache.fit_transform(_CountingScaler(), ROWS, VAL, fold=0)
    cache.fit_transform(other["estimator"], ROWS, VAL, fold=other["fold"])
    assert _CountingScaler.fits == 2 and cache.hits == 0


@pytest.mark.parametrize(
    "estimator",
    [QuantileTransformer(n_quantiles=10, random_state=None),
     QuantileTransformer(n_quantiles=10, random_state=np.random.RandomState(0))],
)  # fmt: skip
def test_an_estimator_without_a_fixed_seed_is_never_cached(estimator):
    cache = FoldCache()
    cache.fit_transform(estimator, ROWS, VAL, fold=0)
    cache.fit_transform(estimator, ROWS, VAL, fold=0)
    assert cache.hits == 0


def test_a_user_transformer_that_is_no_sklearn_estimator_is_never_cached():
    class Halver:
        def fit_transform(self, x):
            return x / 2

        def transform(self, x):
            return x / 2

    cache = FoldCache()
    for _ in range(2):
        _, x, x_val = cache.fit_transform(Halver(), ROWS, VAL, fold=0)
    assert cache.hits == 0 and x[1, 0] == 1.0 and x_val is not None


def test_each_trial_gets_copies_it_may_change():
    cache = FoldCache()
    _, x, _ = cache.fit_transform(_CountingScaler(), ROWS, VAL, fold=0)
    x[:] = 99.0
    _, again, _ = cache.fit_transform(_CountingScaler(), ROWS, VAL, fold=0)
    again[:] = 7.0
    _, third, _ = cache.fit_transform(_CountingScaler(), ROWS, VAL, fold=0)
    assert np.abs(third).max() < 2  # standardized rows, untouched by either trial


def test_the_least_recently_used_fold_goes_when_the_bytes_run_out():
    one_fold = ROWS.nbytes + VAL.nbytes
    cache = FoldCache(max_bytes=2 * one_fold)
    for fold in (0, 1, 0, 2):  # fold 0 is used again before fold 2 arrives
        cache.fit_transform(_CountingScaler(), ROWS, VAL, fold=fold)
    assert (cache.hits, _CountingScaler.fits) == (1, 3)
    cache.fit_transform(_CountingScaler(), ROWS, VAL, fold=0)  # kept
    assert (cache.hits, _CountingScaler.fits) == (2, 3)
    cache.fit_transform(_CountingScaler(), ROWS, VAL, fold=1)  # dropped for fold 2
    assert (cache.hits, _CountingScaler.fits) == (2, 4)


def test_a_cache_of_no_bytes_keeps_nothing():
    cache = FoldCache(max_bytes=0)
    for _ in range(2):
        cache.fit_transform(_CountingScaler(), ROWS, VAL, fold=0)
    assert (cache.hits, _CountingScaler.fits) == (0, 2)


def _scores(data_dir, cache: FoldCache) -> tuple[list[float], int]:
    space = load_space(file=space_file("tiny"))  # StandardScaler in every trial
    settings = SearchSettings(folds=2, max_epochs=2, patience=2, subsample=0.1, seed=0)
    objective = Objective(space, load_dataset("california", data_dir), settings)
    objective.fold_cache = cache
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0),
                                pruner=optuna.pruners.NopPruner())  # fmt: skip
    study.optimize(objective, n_trials=3)
    return [t.value for t in study.trials], cache.hits


def test_a_search_scores_the_same_with_and_without_the_cache(data_dir):
    cached, hits = _scores(data_dir, FoldCache())
    fitted, no_hits = _scores(data_dir, FoldCache(max_bytes=0))
    assert (hits, no_hits) == (4, 0)  # trials 2 and 3 reuse both folds of trial 1
    assert cached == fitted
