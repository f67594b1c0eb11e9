"""A new study's first trial by a rule: the middle of the space, its low-cost corner, or its
baseline (``--start``)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.trial import TrialState

import hpsearch
from hpsearch._errors import HpsearchError, SpaceError
from hpsearch._start import (
    CENTER,
    DECLARED,
    START_KEY,
    baseline_params,
    center_params,
    declared_params,
    low_cost_params,
    middle,
)
from hpsearch.cli import cli
from tests.conftest import space_file
from tests.helpers import TINY, optimize, trials


@pytest.mark.parametrize(
    ("distribution", "expected"),
    [
        (FloatDistribution(0.0, 0.5), 0.25),
        (FloatDistribution(1e-4, 1e-2, log=True), 1e-3),
        (FloatDistribution(0.0, 0.5, step=0.1), 0.3),  # six grid points: the upper middle
        (IntDistribution(1, 3), 2),
        (IntDistribution(1, 4), 3),
        (IntDistribution(16, 1568, log=True), 158),  # sqrt(16 * 1568) = 158.4
        (IntDistribution(32, 256, step=32), 160),
        (CategoricalDistribution(["sgd", "adam"]), "adam"),
        (CategoricalDistribution([32, 64, 128]), 64),
    ],
)
def test_the_middle_of_each_kind_of_range(distribution, expected):
    value = middle(distribution)
    assert value == pytest.approx(expected) if isinstance(expected, float) else value == expected
    assert distribution._contains(distribution.to_internal_repr(value))


def test_the_middle_follows_the_spaces_own_conditions():
    params = center_params(hpsearch.load_space("california"))
    assert params["n_layers"] == 3  # layers 1-4: the upper middle
    assert {f"units_{i}" for i in range(3)} <= set(params) and "units_3" not in params
    assert params["optimizer"] == "adam"  # of ("sgd", "adam")
    assert "beta_1" in params and "momentum" not in params  # adam's parameters only
    assert params["learning_rate"] == pytest.approx(10**-2.5)  # 1e-4 to 1e-1, geometric


def test_a_new_study_runs_the_middle_first_then_samples(runner, storage):
    result = optimize(runner, storage, "--no-final", "--start", "center", trials=3)
    assert result.exit_code == 0, result.output
    assert "trial 0 is the middle of the space" in result.output
    found = trials(storage)
    center = center_params(hpsearch.load_space(file=space_file("tiny")))
    assert found[0].params == pytest.approx(center)
    assert found[0].params["units"] == 10  # units 4-16
    assert found[0].user_attrs[START_KEY] == CENTER
    assert all(t.state == TrialState.COMPLETE for t in found)
    assert all(START_KEY not in t.user_attrs for t in found[1:])
    assert len({t.params["learning_rate"] for t in found}) == 3

    resumed = optimize(runner, storage, "--no-final", "--start", "center", trials=5)
    assert resumed.exit_code == 0, resumed.output
    assert "middle of the space" not in resumed.output  # a resumed study keeps its trials
    assert [START_KEY in t.user_attrs for t in trials(storage)] == [True] + [False] * 4


def test_the_users_own_starts_replace_the_middle(runner, storage, tmp_path):
    start = tmp_path / "start.json"
    start.write_text(json.dumps({"units": 7}))
    result = optimize(runner, storage, "--no-final", "--start", "center", "--enqueue", str(start),
                      trials=2)  # fmt: skip
    assert result.exit_code == 0, result.output
    found = trials(storage)
    assert found[0].params["units"] == 7
    assert not any(START_KEY in t.user_attrs for t in found)


def test_without_the_option_the_sampler_proposes_trial_0(runner, storage):
    assert optimize(runner, storage, "--no-final", trials=1).exit_code == 0
    assert START_KEY not in trials(storage)[0].user_attrs


def test_a_space_that_fails_at_its_middle_starts_from_the_sampler():
    def suggest(trial):
        units = trial.suggest_int("units", 4, 16)
        if units == 10:  # the middle
            raise ValueError("no model with 10 units")
        return {"n_layers": 1, "units_0": units, "learning_rate": 0.01, "batch_size": 64}

    tiny = hpsearch.load_space(file=space_file("tiny"))
    space = hpsearch.Space(suggest=suggest, build=tiny.build, metric="mse", name="fails_at_middle")
    assert center_params(space) is None


def test_the_low_cost_start_pins_the_declared_parameters_and_takes_the_middle_elsewhere():
    params = low_cost_params(hpsearch.load_space("california"))
    assert (params["n_layers"], params["units_0"], params["batch_size"]) == (1, 16, 256)
    assert "units_1" not in params  # one layer: the space asks for no second
    assert params["optimizer"] == "adam" and "momentum" not in params
    assert params["learning_rate"] == pytest.approx(10**-2.5)  # the middle, as center's
    assert params["scaler"] == center_params(hpsearch.load_space("california"))["scaler"]


def test_the_fashion_mlp_baseline_is_the_tutorials_model_in_full():
    space = hpsearch.load_space("fashion_mlp")
    params = baseline_params(space)
    assert params == space.baseline  # it names every parameter the space asks for there
    assert (params["n_layers"], params["units_0"], params["optimizer"]) == (1, 128, "adam")
    assert (params["learning_rate"], params["schedule"]) == (1e-3, "constant")
    assert hpsearch.load_space("california").baseline is None  # declared where known only


def _declaring_tiny(tmp_path, rule: str) -> str:
    """The tiny space declaring ``units = 4`` for ``rule``, as a file of its own."""
    constant = DECLARED[rule][1]
    path = tmp_path / "declaring_tiny.py"
    text = Path(space_file("tiny")).read_text() + f'\n{constant} = {{"units": 4}}\n'
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("rule", list(DECLARED))
def test_a_new_study_runs_the_declared_start_first_then_samples(runner, storage, tmp_path, rule):
    result = runner.invoke(cli, ["optimize", "--space-file", _declaring_tiny(tmp_path, rule),
                                 *TINY, "--trials", "3", "--storage", storage, "--no-final",
                                 "--start", rule])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"trial 0 is the space's {DECLARED[rule][1]}" in result.output
    found = trials(storage, "declaring_tiny")
    assert found[0].params["units"] == 4  # units 4-16
    assert found[0].params["learning_rate"] == pytest.approx((1e-3 * 3e-2) ** 0.5)  # the middle
    assert found[0].user_attrs[START_KEY] == rule
    assert all(START_KEY not in t.user_attrs for t in found[1:])
    assert all(t.state == TrialState.COMPLETE for t in found)


@pytest.mark.parametrize("rule", list(DECLARED))
def test_a_declared_start_needs_the_spaces_declaration(runner, storage, rule):
    result = optimize(runner, storage, "--start", rule, trials=1)
    assert result.exit_code == 1
    assert f"space 'tiny' declares no {DECLARED[rule][1]}" in result.output
    assert "Traceback" not in result.output
    assert "tiny" not in optuna.get_all_study_names(storage)  # refused before it was made


@pytest.mark.parametrize("rule", list(DECLARED))
@pytest.mark.parametrize(
    ("declared", "says"),
    [({"units": 2}, "units=2 does not fit space 'tiny', which allows an integer in [4, 16]"),
     ({"width": 8}, "space 'tiny' does not ask for width")],
)  # fmt: skip
def test_a_declared_start_that_does_not_fit_the_space_is_refused(rule, declared, says):
    space = replace(hpsearch.load_space(file=space_file("tiny")), **{DECLARED[rule][0]: declared})
    with pytest.raises(SpaceError, match=re.escape(says)):
        declared_params(space, rule)


def test_an_unknown_start_rule_is_refused_before_anything_runs(runner, storage):
    result = optimize(runner, storage, "--start", "middle")
    assert result.exit_code == 2
    assert "'middle' is not one of 'center', 'low-cost', 'baseline'" in result.output
    known = "known: center, low-cost, baseline"
    with pytest.raises(HpsearchError, match=f"unknown start 'middle'; {known}"):
        hpsearch.optimize(space_file("tiny"), trials=1, start="middle", final=False)
