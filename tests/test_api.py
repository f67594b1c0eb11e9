"""The Python API: ``hpsearch.optimize(space, data)`` on arrays and plain functions, its result,
``evaluate`` and ``load_result``, and what is inferred from the data."""

from __future__ import annotations

import json

import keras
import numpy as np
import optuna
import pytest
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.preprocessing import StandardScaler

import hpsearch
from hpsearch.cli import cli


def suggest(trial):
    units = trial.suggest_int("units", 4, 32)
    return {"units": units, "learning_rate": trial.suggest_float("lr", 1e-3, 5e-2, log=True)}


def build(params, input_shape, n_outputs):
    binary = n_outputs == 1
    model = keras.Sequential([
        keras.Input(input_shape),
        keras.layers.Dense(params["units"], activation="relu"),
        keras.layers.Dense(n_outputs, activation="sigmoid" if binary else "softmax"),
    ])  # fmt: skip
    loss = "binary_crossentropy" if binary else "sparse_categorical_crossentropy"
    model.compile(keras.optimizers.Adam(params["learning_rate"]), loss, metrics=["accuracy"])
    return model


SPACE = hpsearch.Space(suggest=suggest, build=build, name="cancer",
                       preprocessor=lambda params: StandardScaler())  # fmt: skip
QUICK = {"trials": 3, "folds": 2, "max_epochs": 3, "seed": 0}


def test_arrays_and_functions_in_memory_give_the_whole_result(tmp_path):
    x, y = load_breast_cancer(return_X_y=True)
    result = hpsearch.optimize(SPACE, hpsearch.Data(x, y), **QUICK, echo=lambda line: None)
    assert result.study.metric_names == ["val_accuracy"]  # binary -> accuracy, inferred
    assert set(result.best_params) == {"units", "lr"}
    assert len(result.cv["folds"]) == 2 and result.cv["mean"] == result.study.best_value
    assert {"accuracy", "roc_auc", "confusion_matrix"} <= set(result.test)
    assert result.final["test_rows"] == 114 and result.final["train_rows"] == 455
    predicted = result.model.predict(StandardScaler().fit_transform(x[:5]), verbose=0)
    assert predicted.shape == (5, 1)
    exported = result.export(tmp_path / "best.json")
    assert json.loads((tmp_path / "best.json").read_text())["params"] == exported["params"]
    # The final fit trained for the epoch the best trial was scored at, and exports it.
    scored_at = result.study.best_trial.user_attrs["cv_epochs"]
    assert result.final["epochs"] == exported["epochs"] == scored_at
    assert result.cv["mean"] == pytest.approx(sum(result.cv["folds"]) / 2)
    assert result.report(tmp_path / "report").exists()
    assert list(result.trials()["number"])[0] == result.study.best_trial.number


def test_an_explicit_task_wins_over_the_inferred_one():
    x, y = load_wine(return_X_y=True)
    notes: list[str] = []
    space = hpsearch.Space(suggest=suggest, build=build, task="multiclass", name="wine")
    result = hpsearch.optimize(space, hpsearch.Data(x, y.astype(float)), **QUICK, final=False,
                               echo=notes.append)  # fmt: skip
    assert not any(line.startswith("note:") for line in notes)  # stated, so not guessed
    assert result.study.direction.name == "MAXIMIZE" and result.test is None


def test_a_stored_study_is_evaluated_once_and_loaded_back(tmp_path, runner):
    x, y = load_breast_cancer(return_X_y=True)
    data = hpsearch.Data(x, y, name="cancer arrays")
    storage = f"sqlite:///{tmp_path}/api.db"
    searched = hpsearch.optimize(SPACE, data, **QUICK, storage=storage, final=False,
                                 echo=lambda line: None)  # fmt: skip
    assert searched.test is None and searched.model is None
    evaluated = hpsearch.evaluate(searched.study, data, space=SPACE)
    assert evaluated.test["accuracy"] > 0.8 and evaluated.model is not None
    with pytest.raises(hpsearch.StudyError, match="already tested"):
        hpsearch.evaluate(searched.study, data, space=SPACE)
    loaded = hpsearch.load_result("cancer", storage)
    assert loaded.test["accuracy"] == pytest.approx(evaluated.test["accuracy"])
    shown = runner.invoke(cli, ["show", "cancer", "--storage", storage])  # the same study
    assert shown.exit_code == 0 and "units" in shown.output
    # Arrays given in Python cannot be reloaded by the CLI: it says so, in one line.
    again = runner.invoke(cli, ["evaluate", "cancer", "--storage", storage, "--force"])
    assert again.exit_code == 1 and "hpsearch.evaluate(study, data, space=...)" in again.output


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        (np.ones((10, 2)), np.arange(9) % 2, "x has 10 rows but y has 9"),
        (np.ones((10, 2)), np.zeros(10, dtype=int), "the target has one class only"),
        (np.ones((10, 2)), np.r_[np.nan, np.ones(9)], "1 NaN or infinite values in the target"),
    ],
)
def test_bad_arrays_are_refused_before_the_study_exists(x, y, expected, tmp_path):
    storage = f"sqlite:///{tmp_path}/bad.db"
    with pytest.raises(hpsearch.DataError, match=expected):
        hpsearch.optimize(SPACE, (x, y), **QUICK, storage=storage)
    assert optuna.get_all_study_summaries(storage) == []
