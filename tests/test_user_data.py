"""A user's own data through the CLI: CSV, Parquet, NPZ and image folders, a given test split,
resume and ``train --config`` from the study record, and every kind of bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_wine

from hpsearch import Data
from hpsearch.cli import cli
from tests.conftest import REPO, space_file
from tests.helpers import last_json

#: The example space for any numeric table; its study is named after the file.
TABULAR = str(REPO / "examples" / "tabular_space.py")

QUICK = ["--trials", "2", "--folds", "2", "--max-epochs", "2", "--seed", "0"]


def cancer_frame() -> pd.DataFrame:
    """scikit-learn's bundled breast-cancer set: 569 rows, 30 features, 0/1 ``diagnosis``."""
    bunch = load_breast_cancer(as_frame=True)
    return bunch.frame.rename(columns={"target": "diagnosis"})


def _optimize(runner, storage, *args):
    return runner.invoke(cli, ["optimize", "--space-file", TABULAR, *QUICK,
                               "--storage", storage, *args])  # fmt: skip


def _metrics(name: str) -> dict:
    return json.loads((Path("studies") / name / "final" / "metrics.json").read_text())


def test_csv_through_workers_then_export_and_train_after_the_space_file_moved(
    runner, storage, tmp_path
):
    cancer_frame().to_csv("cancer.csv", index=False)
    moved = tmp_path / "my_space.py"
    shutil.copy(TABULAR, moved)
    data = ["--data", "cancer.csv", "--target", "diagnosis"]
    args = ["optimize", "--space-file", str(moved), *QUICK, "--storage", storage, *data,
            "--trials-per-worker", "1"]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "455 training rows from cancer.csv" in result.output  # 20 % cut off for the test
    report = _metrics("my_space")
    assert report["test_rows"] == 114 and {"accuracy", "roc_auc"} <= set(report["test"])
    exported = runner.invoke(cli, ["export", "my_space", "--storage", storage, "-o", "b.json"])
    assert exported.exit_code == 0, exported.output
    config = json.loads(Path("b.json").read_text())
    assert config["data_source"]["kind"] == "file" and "def suggest" in config["space_source"]
    moved.unlink()  # the export carries the space's code and where its data is
    trained = runner.invoke(cli, ["train", "--config", "b.json", "--evaluate"])
    assert trained.exit_code == 0, trained.output
    assert last_json(trained)["accuracy"] == pytest.approx(report["test"]["accuracy"], abs=0.03)


def test_parquet_with_a_given_test_file_is_the_split_evaluated(runner, storage):
    frame = cancer_frame()
    frame.iloc[:400].to_parquet("train.parquet")
    frame.iloc[400:].to_parquet("test.parquet")
    result = _optimize(runner, storage, "--data", "train.parquet", "--target", "diagnosis",
                       "--test-data", "test.parquet")  # fmt: skip
    assert result.exit_code == 0, result.output
    report = _metrics("tabular_space")
    assert report["train_rows"] == 400 and report["test_rows"] == 169
    given = Data(
        frame.iloc[:400].drop(columns="diagnosis"),
        frame["diagnosis"][:400],
        frame.iloc[400:].drop(columns="diagnosis"),
        frame["diagnosis"][400:],
    ).load()
    assert report["data_fingerprint"]["test"] == given.test.fingerprint


def test_npz_with_its_own_test_split_and_the_split_stays_sealed(runner, storage, monkeypatch):
    x, y = load_wine(return_X_y=True)
    np.savez("wine.npz", x=x[:150], y=y[:150], x_test=x[150:], y_test=y[150:])
    reads = []
    original = __import__("hpsearch._dataset", fromlist=["SealedTest"]).SealedTest.open

    def spy(self):
        from hpsearch import _dataset

        reads.append(_dataset._active_searches)  # > 0: asked while a search runs
        return original(self)

    monkeypatch.setattr("hpsearch._dataset.SealedTest.open", spy)
    result = _optimize(runner, storage, "--data", "wine.npz")
    assert result.exit_code == 0, result.output
    assert reads == [0]  # read once, by the final test, never during the search
    report = _metrics("tabular_space")
    assert report["test_rows"] == 28 and len(report["test"]["per_class_accuracy"]) == 3


def test_an_image_folder_of_class_subfolders(runner, storage, data_dir):
    import keras

    from hpsearch._idx import read_idx

    folder = data_dir / "fashion-mnist"
    images = read_idx(folder / "train-images-idx3-ubyte.gz")
    labels = read_idx(folder / "train-labels-idx1-ubyte.gz")
    for name, label in (("trouser", 1), ("bag", 8)):
        Path("images", name).mkdir(parents=True)
        for i, image in enumerate(images[labels == label][:30]):
            keras.utils.save_img(f"images/{name}/{i}.png", image[..., None], scale=False)
    # A built-in space on the user's images: its preprocessor flattens and standardizes them.
    result = runner.invoke(cli, ["optimize", "fashion_mlp", *QUICK, "--storage", storage,
                                 "--data", "images"])  # fmt: skip
    assert result.exit_code == 0, result.output
    report = _metrics("fashion_mlp")
    assert report["train_rows"] == 48 and list(report["test"]["confusion_matrix"]) != []
    assert report["test"]["accuracy"] > 0.8  # trousers and bags are easy apart


def test_resume_with_an_edited_data_file_is_refused(runner, storage):
    cancer_frame().to_csv("cancer.csv", index=False)
    data = ["--data", "cancer.csv", "--target", "diagnosis", "--no-final"]
    assert _optimize(runner, storage, *data).exit_code == 0
    cancer_frame().iloc[:-10].to_csv("cancer.csv", index=False)
    result = runner.invoke(cli, ["optimize", "--space-file", TABULAR, *QUICK,
                                 "--trials", "3", "--storage", storage, *data])  # fmt: skip
    assert result.exit_code == 1
    assert "the training data changed since study 'tabular_space' was created (455 rows then, " \
           "447 rows now" in result.output  # fmt: skip
    assert len(optuna.load_study(study_name="tabular_space", storage=storage).trials) == 2


def test_string_labels_become_named_classes_and_a_doubtful_task_is_said(runner, storage):
    wine = load_wine(as_frame=True)
    frame = wine.frame.assign(target=wine.target.map(dict(enumerate(wine.target_names))))
    frame.to_csv("named.csv", index=False)
    result = _optimize(runner, storage, "--data", "named.csv", "--target", "target")
    assert result.exit_code == 0, result.output
    assert list(_metrics("tabular_space")["test"]["per_class_accuracy"]) == list(wine.target_names)
    frame.assign(target=wine.target.astype(float)).to_csv("wine.csv", index=False)  # 0.0, 1.0
    doubtful = runner.invoke(cli, ["optimize", "--space-file", TABULAR, *QUICK,
                                   "--storage", storage, "--study-name", "wine", "--no-final",
                                   "--data", "wine.csv", "--target", "target"])  # fmt: skip
    notes = [line for line in doubtful.output.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "only 3 distinct values, so it is treated as regression" in notes[0]


def _bad_inputs(tmp: Path) -> dict[str, tuple[list[str], str]]:
    frame = cancer_frame()
    frame.to_csv(tmp / "ok.csv", index=False)
    frame.assign(site="a").to_csv(tmp / "text.csv", index=False)
    frame.assign(**{"mean radius": np.where(frame.index < 7, np.nan, 1.0)}).to_csv(
        tmp / "nan.csv", index=False)  # fmt: skip
    frame.assign(diagnosis=1).to_csv(tmp / "one_class.csv", index=False)
    frame.drop(columns="mean area").to_csv(tmp / "other_columns.csv", index=False)
    np.savez(tmp / "no_y.npz", x=np.ones((5, 2)))
    np.savez(tmp / "lengths.npz", x=np.ones((5, 2)), y=np.ones(4))
    (tmp / "data.json").write_text("{}")
    table = ["--target", "diagnosis"]
    return {
        "no target column": (["--data", "ok.csv", "--target", "label"],
                             "ok.csv has no column 'label'; its columns: mean radius,"),
        "no --target": (["--data", "ok.csv"], "ok.csv is a table: name its target column"),
        "text features": (["--data", "text.csv", *table], "columns site are not numeric"),
        "NaN features": (["--data", "nan.csv", *table], "7 NaN or infinite values in the "
                         "features; drop those rows, or impute them"),
        "one class": (["--data", "one_class.csv", *table], "the target has one class only"),
        "test columns": (["--data", "ok.csv", *table, "--test-data", "other_columns.csv"],
                         "the training file has"),
        "npz without y": (["--data", "no_y.npz"], "no_y.npz lacks y; an .npz needs arrays x"),
        "x and y lengths": (["--data", "lengths.npz"], "x has 5 rows but y has 4"),
        "unknown format": (["--data", "data.json"], "unknown data format '.json'; use .csv"),
        "missing file": (["--data", "ok.csv", *table, "--test-data", "gone.csv"],
                         "data file not found"),
    }  # fmt: skip


def test_bad_data_is_one_line_and_writes_nothing(runner, tmp_path):
    storage = f"sqlite:///{tmp_path}/bad.db"
    for case, (args, expected) in _bad_inputs(tmp_path).items():
        result = _optimize(runner, storage, *args)
        assert result.exit_code != 0, case
        assert "Traceback" not in result.output, case
        (line,) = [x for x in result.output.splitlines() if x.startswith(("Error", "Usage"))]
        assert expected in line, (case, line)
    assert optuna.get_all_study_summaries(storage) == []  # no case created a study


@pytest.mark.parametrize(
    ("broken", "expected"),
    [("raise", "load() of"), ("shape", "must return hpsearch.Data, (x, y) or (x, y, x_test, "
                                        "y_test), but returned tuple of 3 items.")],
)  # fmt: skip
def test_a_broken_load_is_one_line(broken, expected, runner, tmp_path, monkeypatch):
    monkeypatch.setenv("HPSEARCH_TEST_LOAD", broken)
    storage = f"sqlite:///{tmp_path}/bad.db"
    result = runner.invoke(cli, ["optimize", "--space-file", space_file("loads_its_data"),
                                 *QUICK, "--storage", storage])  # fmt: skip
    assert result.exit_code == 1 and expected in result.output
    assert optuna.get_all_study_summaries(storage) == []


def test_a_space_that_loads_its_own_data_resumes_and_evaluates_from_the_record(runner, storage):
    args = ["--space-file", space_file("loads_its_data"), *QUICK, "--storage", storage]
    assert runner.invoke(cli, ["optimize", *args, "--no-final"]).exit_code == 0
    evaluated = runner.invoke(cli, ["evaluate", "loads_its_data", "--storage", storage])
    assert evaluated.exit_code == 0, evaluated.output
    assert len(last_json(evaluated)["per_class_accuracy"]) == 3  # wine: three cultivars
