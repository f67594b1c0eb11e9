"""One suite over every built-in space: sampled parameters always build the right model,
conditional parameters appear only where they apply, and a tiny real fit works."""

from __future__ import annotations

import numpy as np
import optuna
import pytest

from hpsearch import blocks, load_dataset, load_space
from hpsearch._fit import fit_model, n_outputs
from hpsearch._loaders import DATASETS, jets_from_frame
from hpsearch.spaces import BUILTIN
from tests.search_tests.test_loaders import jets_frame

N_SAMPLES = 25
OPTIMIZER_KEYS = {key for spec in blocks.OPTIMIZERS.values() for key in spec}


@pytest.fixture(scope="module", autouse=True)
def jets_offline():
    """The jets data are not available offline: the fixture frame stands in for them."""
    original = DATASETS["jets"]
    DATASETS["jets"] = lambda local: jets_from_frame(jets_frame(400), "fixture")
    yield
    DATASETS["jets"] = original


@pytest.fixture(params=sorted(BUILTIN))
def space_and_data(request, data_dir):
    space = load_space(request.param)
    return space, load_dataset(space.dataset, data_dir)


def _input_shape(space, params, x):
    pre = space.make_preprocessor(params)
    return tuple((pre.fit_transform(x[:50]) if pre is not None else x[:50]).shape[1:])


def _assert_conditionals(params: dict, sampled: dict) -> None:
    assert set(sampled) <= set(params)
    family = params.get("optimizer")
    if family is not None:
        assert {k for k in sampled if k in OPTIMIZER_KEYS} <= set(blocks.OPTIMIZERS[family])
    if "n_layers" in params:
        layer_keys = {k for k in sampled if k.startswith(("units_", "dropout_"))}
        assert all(int(k.rsplit("_", 1)[1]) < params["n_layers"] for k in layer_keys)
    if params.get("schedule", "constant") == "constant":
        assert not {"decay_steps", "decay_rate"} & set(sampled)


def test_sampled_parameters_always_build_a_matching_model(space_and_data):
    space, dataset = space_and_data
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    outputs = n_outputs(space, dataset.y)
    distributions: dict = {}
    for _ in range(N_SAMPLES):
        trial = study.ask()
        params = space.suggest(trial)
        _assert_conditionals(params, trial.params)
        for name, distribution in trial.distributions.items():  # one range per name
            assert distributions.setdefault(name, distribution) == distribution, name
        model = space.build(params, _input_shape(space, params, dataset.x), outputs)
        assert model.optimizer is not None and model.output_shape == (None, outputs)
        assert space.suggest(optuna.trial.FixedTrial(trial.params)) == params  # retrain path
        study.tell(trial, 0.0)
    expected = {"multiclass": len(dataset.class_names or ()), "binary": 1, "regression": 1}
    assert outputs == expected[space.task]


def test_a_tiny_real_fit_per_space(space_and_data):
    space, dataset = space_and_data
    rows = np.random.default_rng(0).choice(len(dataset.y), size=300, replace=False)
    trial = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1)).ask()
    params = space.suggest(trial) | {"batch_size": 64}
    result = fit_model(
        space, params, dataset.x[rows[:240]], dataset.y[rows[:240]], epochs=1, seed=0,
        validation=(dataset.x[rows[240:]], dataset.y[rows[240:]]),
        n_classes=len(dataset.class_names or ()) or None,
    )  # fmt: skip
    assert len(result.history[space.monitor]) == 1
    assert np.isfinite(result.history["loss"][0])
