"""The whole job through the CLI: optimize -> export -> train, and the listing verbs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import cli
from tests.helpers import TINY, last_json, optimize


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
    assert report["test_rows"] == 5160 and report["train_rows"] == 15480  # 25 % held out

    result = runner.invoke(cli, ["export", "california", "--storage", storage, "-o", "best.json"])
    assert result.exit_code == 0, result.output
    exported = json.loads(Path("best.json").read_text())
    for field in ("space", "study", "params", "cv", "test", "trial", "seed", "versions"):
        assert field in exported
    assert set(exported["cv"]) == {"mean", "std", "folds"} and len(exported["cv"]["folds"]) == 2
    assert set(exported["versions"]) >= {"python", "tensorflow", "keras", "optuna", "hpsearch"}
    assert exported["test"]["mse"] == pytest.approx(report["test"]["mse"])
    # Folds trained on half of a 5 % subsample: decay stretched 40x for all rows.
    assert exported["schedule_stretch"] == report["schedule_stretch"] == pytest.approx(40.0)

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


def test_listing_verbs_do_not_import_tensorflow():
    # Only the objective and the final fit need TensorFlow; `studies` and `dashboard` start
    # in about a second instead of five because the package imports lazily.
    probe = "import sys, search.cli; print(sorted({'tensorflow', 'keras'} & set(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.returncode == 0 and loaded.stdout.strip() == "[]", loaded.stderr
