"""The whole job through the CLI: optimize -> export -> train, and the listing verbs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hpsearch.cli import cli
from tests.conftest import space_file
from tests.helpers import HPSEARCH, TINY, last_json, optimize


def _optimize_california(storage: str, output_dir: Path, data_dir: Path):
    args = ["optimize", "california", "--trials", "3", *TINY, "--storage", storage]
    runner = CliRunner(env={"HPSEARCH_DATA_DIR": str(data_dir)})
    result = runner.invoke(cli, [*args, "--output-dir", str(output_dir)])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def california_study(tmp_path_factory, data_dir):
    """A finished, tested ``california`` study, shared by the read-only tests below."""
    folder = tmp_path_factory.mktemp("california")
    storage = f"sqlite:///{folder}/studies.db"
    return storage, folder / "studies", _optimize_california(storage, folder / "studies", data_dir)


def test_optimize_export_train_end_to_end(california_study, runner):
    storage, output_dir, result = california_study
    assert "trial    2" in result.output and "test: mse=" in result.output
    final = output_dir / "california" / "final"
    report = json.loads((final / "metrics.json").read_text())
    assert (final / "model.keras").stat().st_size > 0
    assert {"learning_curves.png", "predicted_vs_true.png"} <= {p.name for p in final.iterdir()}
    assert set(report["test"]) == {"mse", "rmse", "mae", "r2"} and report["test"]["mse"] > 0
    assert report["test_rows"] == 500 and report["train_rows"] == 1500  # 25 % of 2,000 held out

    result = runner.invoke(cli, ["export", "california", "--storage", storage, "-o", "best.json"])
    assert result.exit_code == 0, result.output
    exported = json.loads(Path("best.json").read_text())
    for field in ("space", "study", "params", "cv", "test", "trial", "seed", "versions"):
        assert field in exported
    assert set(exported["cv"]) == {"mean", "std", "folds"} and len(exported["cv"]["folds"]) == 2
    assert set(exported["versions"]) >= {"python", "tensorflow", "keras", "optuna", "hpsearch"}
    assert exported["test"]["mse"] == pytest.approx(report["test"]["mse"])
    # Folds trained on half of a 20 % subsample: decay stretched 10x for all rows.
    assert exported["schedule_stretch"] == report["schedule_stretch"] == pytest.approx(10.0)

    result = runner.invoke(cli, ["train", "--config", "best.json", "-o", "m.keras", "--evaluate"])
    assert result.exit_code == 0, result.output
    assert Path("m.keras").exists()
    # Same parameters, epochs, seed and data: the reproduction lands on the study's figure.
    assert last_json(result)["mse"] == pytest.approx(exported["test"]["mse"], rel=0.02)


def test_show_studies_spaces_list_what_exists(california_study, runner):
    storage = california_study[0]
    shown = runner.invoke(cli, ["show", "california", "--storage", storage])
    assert shown.exit_code == 0 and "learning_rate" in shown.output and "COMPLETE" in shown.output
    listed = runner.invoke(cli, ["studies", "--storage", storage])
    assert listed.exit_code == 0 and listed.output.startswith("california ")
    spaces = runner.invoke(cli, ["spaces"])
    assert spaces.exit_code == 0
    listed_spaces = {line.split()[0] for line in spaces.output.splitlines()}
    assert {"california", "fashion_cnn"} <= listed_spaces


def test_study_is_readable_by_optunas_own_cli(runner, storage):
    assert optimize(runner, storage, "--no-final", trials=1).exit_code == 0
    optuna_cli = Path(sys.executable).with_name("optuna")
    listed = subprocess.run(
        [str(optuna_cli), "studies", "--storage", storage, "-f", "json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    (study,) = json.loads(listed.stdout)
    assert study["name"] == "tiny" and study["n_trials"] == 1


def test_second_test_evaluation_is_refused_unless_forced(runner, storage, tmp_path, data_dir):
    _optimize_california(storage, tmp_path / "studies", data_dir)
    again = runner.invoke(cli, ["evaluate", "california", "--storage", storage])
    assert again.exit_code == 1 and "already tested" in again.output and "--force" in again.output
    forced = runner.invoke(cli, ["evaluate", "california", "--storage", storage, "--force"])
    assert forced.exit_code == 0, forced.output
    assert "mse" in last_json(forced)
    exported = runner.invoke(cli, ["export", "california", "--storage", storage])
    import optuna

    audit = optuna.load_study(study_name="california", storage=storage).user_attrs[
        "test_evaluations"
    ]
    assert [entry["command"].split()[1] for entry in audit] == ["optimize", "evaluate"]
    assert all("mse" in entry["metrics"] and entry["time"] for entry in audit)
    assert exported.exit_code == 0


@pytest.mark.parametrize("verb", ["spaces", "studies", "optimize --help"])
def test_listing_verbs_do_not_import_tensorflow(verb, tmp_path):
    # Only the objective and the final fit need TensorFlow; these start in about a second
    # instead of five because the package imports lazily and `spaces` reads the modules' text.
    probe = (
        "import sys; from click.testing import CliRunner; from hpsearch.cli import cli; "
        f"result = CliRunner().invoke(cli, {verb.split()!r}); assert result.exit_code == 0; "
        "print(result.output.count('\\n'), sorted({'tensorflow', 'keras'} & set(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path
    )
    assert loaded.returncode == 0, loaded.stderr
    lines, imported = loaded.stdout.split(" ", 1)
    assert imported.strip() == "[]" and int(lines) >= 1


def test_spaces_lists_task_metric_and_summary_without_importing(runner):
    result = runner.invoke(cli, ["spaces"])
    assert result.exit_code == 0
    rows = {line.split()[0]: line.split(None, 3)[1:] for line in result.output.splitlines()}
    assert rows["california"][:2] == ["regression", "mse"]
    assert rows["mnist_cnn"][:2] == ["multiclass", "accuracy"]
    assert rows["fashion_cnn"][2].startswith("Fashion-MNIST")


def test_optimize_prints_no_tensorflow_start_up_lines(tmp_path, data_dir):
    # A real process with two workers: TensorFlow starts three times (parent and each worker).
    run = subprocess.run(
        [HPSEARCH, "optimize", "--space-file", space_file("tiny"), "--trials", "2", *TINY,
         "--trials-per-worker", "1", "--storage", f"sqlite:///{tmp_path}/s.db"],
        cwd=tmp_path, env={**os.environ, "HPSEARCH_DATA_DIR": str(data_dir)},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stderr == ""
    for noise in ("absl", "oneDNN", "cuda", "cpu_feature_guard", "I0000", "E0000"):
        assert noise not in run.stdout
    assert "test: mse=" in run.stdout
