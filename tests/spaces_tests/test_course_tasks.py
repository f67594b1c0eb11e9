"""Course tasks end to end on real data: the grid search the notebooks used, and the
final report each task kind promises."""

from __future__ import annotations

import json

import optuna

from hpsearch.cli import cli

QUICK = ["--folds", "2", "--max-epochs", "1", "--seed", "0"]


def test_mnist_cnn_grid_search_and_multiclass_report(runner, storage, tmp_path):
    args = ["optimize", "mnist_cnn", "--sampler", "grid", "--trials", "3", "--subsample", "0.5"]
    result = runner.invoke(cli, [*args, *QUICK, "--storage", storage])
    assert result.exit_code == 0, result.output
    study = optuna.load_study(study_name="mnist_cnn", storage=storage)
    from hpsearch.spaces.mnist_cnn import GRID

    for trial in study.trials:  # every sampled value comes from the declared grid
        assert all(value in GRID[name] for name, value in trial.params.items())
    assert len({tuple(sorted(t.params.items())) for t in study.trials}) == 3  # no repeats
    final = tmp_path / "studies" / "mnist_cnn" / "final"
    report = json.loads((final / "metrics.json").read_text())
    test = report["test"]
    assert {
        "accuracy",
        "macro_f1",
        "roc_auc_ovr",
        "per_class_accuracy",
        "confusion_matrix",
    } <= set(test)
    assert list(test["per_class_accuracy"]) == [str(d) for d in range(10)]
    assert sum(map(sum, test["confusion_matrix"])) == 200 == report["test_rows"]
    assert report["cv_test_gap"] == test["accuracy"] - report["cv"]["mean"]
    assert {"confusion.png", "learning_curves.png"} <= {p.name for p in final.iterdir()}


def test_california_binary_report(runner, storage, tmp_path):
    # Ten epochs, not QUICK's one: one epoch is a few steps on 450 rows, which leaves the
    # model at chance, and then whether its AUC passes 0.5 depends on which trials were drawn.
    args = ["optimize", "california_binary", "--trials", "2", "--subsample", "0.3", "--folds",
            "2", "--max-epochs", "10", "--seed", "0"]  # fmt: skip
    result = runner.invoke(cli, [*args, "--storage", storage])
    assert result.exit_code == 0, result.output
    final = tmp_path / "studies" / "california_binary" / "final"
    test = json.loads((final / "metrics.json").read_text())["test"]
    assert {"accuracy", "precision", "recall", "f1", "roc_auc", "confusion_matrix"} <= set(test)
    assert 0.5 < test["roc_auc"] <= 1.0
    assert {"confusion.png", "roc.png", "learning_curves.png"} <= {p.name for p in final.iterdir()}


def test_jets_mlp_end_to_end_on_the_fixture(runner, storage, tmp_path, monkeypatch):
    from tests.search_tests.test_loaders import jets_frame

    (tmp_path / "data" / "jets").mkdir(parents=True)
    jets_frame(600).to_csv(tmp_path / "data" / "jets" / "hls4ml_lhc_jets.csv", index=False)
    monkeypatch.setenv("HPSEARCH_DATA_DIR", str(tmp_path / "data"))
    result = runner.invoke(cli, ["optimize", "jets_mlp", "--trials", "2", *QUICK,
                                 "--storage", storage])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "480 training rows from" in result.output and "hls4ml_lhc_jets.csv" in result.output
    test = json.loads((tmp_path / "studies/jets_mlp/final/metrics.json").read_text())["test"]
    assert list(test["per_class_accuracy"]) == ["g", "q", "t", "w", "z"]
