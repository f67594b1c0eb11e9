"""KerasTuner models searched unchanged, through the CLI and the Python API."""

from __future__ import annotations

import json
from pathlib import Path

import optuna
from optuna.trial import TrialState

import hpsearch
from hpsearch.cli import cli
from tests.conftest import FIXTURES

QUICK = ["--folds", "2", "--max-epochs", "2", "--seed", "1"]


def kerastuner_file(name: str) -> str:
    return str(FIXTURES / "kerastuner" / f"{name}.py")


def _assert_only_active(trial: optuna.trial.FrozenTrial) -> None:
    """The guide's model: ``units_i`` exists for exactly the layers the trial built."""
    params = trial.params
    layers = {f"units_{i}" for i in range(params["num_layers"])}
    assert set(params) == {"num_layers", "activation", "dropout", "lr"} | layers
    assert all(params[f"units_{i}"] % 32 == 0 for i in range(params["num_layers"]))


def test_getting_started_build_model_through_the_cli(runner, storage):
    args = ["optimize", "--space-file", kerastuner_file("getting_started"), "--trials", "4",
            *QUICK, "--subsample", "0.5", "--storage", storage]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    study = optuna.load_study(study_name="getting_started", storage=storage)
    assert study.metric_names == ["val_accuracy"]  # the guide's objective
    for trial in study.trials:
        _assert_only_active(trial)
    assert len({t.params["num_layers"] for t in study.trials}) > 1  # conditionals exercised
    report = json.loads(Path("studies/getting_started/final/metrics.json").read_text())
    assert report["test_rows"] == 200 and len(report["test"]["per_class_accuracy"]) == 10
    assert report["test"]["accuracy"] > 0.5  # one-hot labels, 2 epochs on 800 digits


def test_getting_started_build_model_through_the_python_api(data_dir):
    from tests.fixtures.kerastuner import getting_started

    x, y = getting_started.load()
    result = hpsearch.optimize(
        getting_started.build_model, hpsearch.Data(x[:600], y[:600]), trials=3, folds=2,
        max_epochs=1, seed=2,
    )  # fmt: skip
    assert result.study.metric_names == ["val_loss"]  # KerasTuner's default objective
    for trial in result.study.trials:
        _assert_only_active(trial)
    assert set(result.best_params) >= {"num_layers", "lr"} and result.model is not None
    assert 0.0 <= result.test["accuracy"] <= 1.0 and result.test == result.final["test"]


def test_conditional_hypermodel_in_workers_stores_only_the_active_branch(runner, storage):
    args = ["optimize", "--space-file", kerastuner_file("conditional"), "--trials", "6", *QUICK,
            "--subsample", "0.3", "--trials-per-worker", "3", "--pruner", "none",
            "--storage", storage]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    trials = optuna.load_study(study_name="conditional", storage=storage).trials
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 6
    for trial in trials:
        branch = trial.params["kind"]
        other = "wide" if branch == "narrow" else "narrow"
        assert f"{branch}_units" in trial.params
        assert not any(name.startswith(other) for name in trial.params)
        assert trial.params["batch_size"] in (32, 64)  # sampled by the fit() override
    assert {t.params["kind"] for t in trials} == {"narrow", "wide"}
    assert "final fit" in result.output  # the final fit replays fit()'s batch size too


def test_a_hypermodel_instance_through_the_python_api(data_dir):
    from tests.fixtures.kerastuner.conditional import ConditionalModel

    result = hpsearch.optimize(
        ConditionalModel(), "california", data_dir=str(data_dir), trials=3, folds=2,
        max_epochs=1, subsample=0.3, seed=3, final=False, echo=lambda line: None,
    )  # fmt: skip
    assert result.study.metric_names == ["val_loss"] and result.study.direction.name == "MINIMIZE"
    assert all("batch_size" in t.params and "kind" in t.params for t in result.study.trials)


def test_an_unsupported_hp_method_is_named_and_nothing_is_written(runner, storage):
    args = ["optimize", "--space-file", kerastuner_file("unsupported"), *QUICK,
            "--storage", storage]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "hp.Float('lr', sampling='reverse_log') is not supported" in result.output
    assert optuna.get_all_study_summaries(storage) == []
