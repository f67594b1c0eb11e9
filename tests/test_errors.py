"""Bad input and bad training: one clear line, a non-zero exit, nothing finished lost."""

from __future__ import annotations

import gzip
import os
import subprocess

import optuna
import pytest
from optuna.trial import TrialState
from optuna_dashboard import get_note

from hpsearch.cli import cli
from tests.conftest import space_file
from tests.helpers import HPSEARCH, TINY, optimize, trials


def _one_line_error(result, code: int = 1) -> str:
    """The one error line of a failed command (which must have exactly one)."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith(("Error", "Usage"))]
    return line


def test_unknown_space_names_the_nearest_and_the_known(runner, storage):
    result = runner.invoke(cli, ["optimize", "californa", "--storage", storage])
    message = _one_line_error(result)
    assert "unknown space 'californa'. Did you mean 'california'?" in message
    assert "fashion_cnn" in message


def test_bad_option_values_are_usage_errors(runner, storage):
    for args in (["--folds", "1"], ["--subsample", "1.5"], ["--sampler", "bogus"]):
        result = runner.invoke(cli, ["optimize", "california", *args, "--storage", storage])
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output


@pytest.mark.parametrize(
    ("url", "expected"),
    [("not a url", "malformed storage URL"), ("nosuchdb://x/y", "cannot open storage")],
)
def test_bad_storage_url_is_one_line(runner, url, expected):
    assert expected in _one_line_error(runner.invoke(cli, ["studies", "--storage", url]))


def test_unreachable_storage_never_prints_its_password(runner):
    url = "postgresql://alice:s3cret-pw@127.0.0.1:9/db"  # nothing listens on port 9
    for verb in (["studies"], ["export", "x"], ["show", "x"], ["optimize", "california"]):
        result = runner.invoke(cli, [*verb, "--storage", url])
        message = _one_line_error(result)
        assert "s3cret-pw" not in message and "alice:***@127.0.0.1" in message


def test_uncreatable_sqlite_folder_is_one_line(runner, tmp_path):
    (tmp_path / "file").write_text("")
    result = runner.invoke(cli, ["studies", "--storage", f"sqlite:///{tmp_path}/file/x/s.db"])
    assert "cannot create" in _one_line_error(result)


def test_space_whose_ranges_change_under_the_same_study_is_refused(runner, storage, monkeypatch):
    assert optimize(runner, storage, "--no-final", trials=2).exit_code == 0
    monkeypatch.setenv("HPSEARCH_TEST_WIDE", "1")
    result = optimize(runner, storage, "--no-final", trials=4)
    message = _one_line_error(result)
    assert "parameter 'units' was sampled from" in message and "--study-name" in message
    done = trials(storage)
    assert [t.state for t in done[:2]] == [TrialState.COMPLETE] * 2  # finished ones kept


def test_unknown_study_lists_the_known_ones(runner, storage):
    assert optimize(runner, storage, "--no-final", trials=1).exit_code == 0
    result = runner.invoke(cli, ["export", "nope", "--storage", storage])
    assert "no study 'nope'" in _one_line_error(result) and "studies there: tiny" in result.output


def test_space_file_missing_build_is_refused(runner, storage):
    result = optimize(runner, storage, space="no_build")
    assert "does not define build" in _one_line_error(result)


def test_missing_data_is_one_line(runner, storage, tmp_path, monkeypatch):
    monkeypatch.setenv("HPSEARCH_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setattr("sklearn.datasets.fetch_california_housing", _offline)
    result = runner.invoke(cli, ["optimize", "california", "--storage", storage])
    assert "California housing is not available offline" in _one_line_error(result)


def _offline(*args, **kwargs):
    raise OSError("no network")


def test_corrupt_idx_file_is_one_line(runner, storage, tmp_path, monkeypatch):
    folder = tmp_path / "data" / "fashion-mnist"
    folder.mkdir(parents=True)
    with gzip.open(folder / "train-images-idx3-ubyte.gz", "wb") as f:
        f.write(b"\x00\x00\x08\x04" + b"\x00" * 20)  # wrong magic number
    monkeypatch.setenv("HPSEARCH_DATA_DIR", str(tmp_path / "data"))
    result = runner.invoke(cli, ["optimize", "fashion_cnn", "--storage", storage])
    assert "magic number 2052, expected 2049 or 2051" in _one_line_error(result)


def test_malformed_config_names_the_field(runner, tmp_path):
    (tmp_path / "bad.json").write_text('{"space": "california", "params": {}, "seed": 1}')
    result = runner.invoke(cli, ["train", "--config", str(tmp_path / "bad.json")])
    assert "lacks the field 'epochs'" in _one_line_error(result)
    (tmp_path / "bad.json").write_text("{not json")
    result = runner.invoke(cli, ["train", "--config", "bad.json"])
    assert "not valid JSON" in _one_line_error(result)
    complete = '"space": "california", "params": {}, "seed": 1, "epochs": 2'
    (tmp_path / "bad.json").write_text("{" + complete + ', "schedule_stretch": NaN}')
    result = runner.invoke(cli, ["train", "--config", str(tmp_path / "bad.json")])
    assert "'schedule_stretch' must be a positive number, but got nan" in _one_line_error(result)


def test_diverging_trials_fail_with_reason_and_the_study_goes_on(runner, storage):
    result = optimize(runner, storage, "--no-final", space="diverging", trials=2)
    assert result.exit_code == 0, result.output
    done = trials(storage, "diverging")
    failed = [t for t in done if t.state == TrialState.FAIL]
    complete = [t for t in done if t.state == TrialState.COMPLETE]
    assert [t.number for t in failed] == [1] and len(complete) == 2
    assert all("diverged" in t.user_attrs["fail_reason"] for t in failed)
    assert all(t.number % 2 == 0 for t in complete)


def test_a_budget_no_model_fits_prunes_every_trial_and_says_why(runner, storage):
    # The tiny space's smallest model has 41 parameters.
    result = optimize(runner, storage, "--max-params", "10", "--trials-per-worker", "0")
    assert "has no complete trial yet" in _one_line_error(result)
    done = trials(storage)
    assert [t.state for t in done] == [TrialState.PRUNED] * 3  # finished: no extra trials
    assert all(t.constraints["max_params"] > 0 for t in done)
    assert result.output.count("over the budget of 10.)") == 3  # on each progress line


def test_a_time_budget_no_trial_meets_prunes_every_trial_and_says_why(runner, storage):
    result = optimize(runner, storage, "--max-trial-seconds", "0.000001")
    assert "has no complete trial yet" in _one_line_error(result)
    done = trials(storage)
    assert [t.state for t in done] == [TrialState.PRUNED] * 3
    assert all(t.constraints["max_trial_seconds"] > 0 for t in done)
    assert result.output.count("over the limit of 1e-06 s per trial") == 3


def test_a_space_whose_every_trial_raises_stops_with_the_error(runner, storage):
    result = optimize(runner, storage, "--no-final", space="shape_error", trials=20)
    message = _one_line_error(result)
    assert "stopped after 5 failed trials in a row" in message and "Reshape" in message
    done = trials(storage, "shape_error")
    assert len(done) == 5 and all("Reshape" in t.user_attrs["fail_reason"] for t in done)


def test_misnamed_metric_stops_the_run(runner, storage):
    result = optimize(runner, storage, "--no-final", space="wrong_metric")
    assert "metric 'val_accuracy_typo' is not logged" in _one_line_error(result)


def test_ctrl_c_keeps_finished_trials_and_the_command_resumes(runner, storage, monkeypatch):
    monkeypatch.setenv("HPSEARCH_TEST_INTERRUPT_AT", "2")
    result = optimize(runner, storage, "--no-final", trials=4)
    assert result.exit_code == 130 and "rerun to resume" in result.output
    states = [t.state for t in trials(storage)]
    assert states == [TrialState.COMPLETE, TrialState.COMPLETE, TrialState.FAIL]
    monkeypatch.delenv("HPSEARCH_TEST_INTERRUPT_AT")
    resumed = optimize(runner, storage, "--no-final", trials=4)
    assert resumed.exit_code == 0, resumed.output
    states = [t.state for t in trials(storage)]
    assert states[:3] == [TrialState.COMPLETE, TrialState.COMPLETE, TrialState.FAIL]
    assert len([s for s in states if s in (TrialState.COMPLETE, TrialState.PRUNED)]) == 4


def test_storage_url_is_never_recorded_in_study_export_or_note(runner, tmp_path):
    secret = tmp_path / "pw-s3cret"  # stands in for a password: the URL must not be kept
    storage = f"sqlite:///{secret}/studies.db"
    assert optimize(runner, storage, trials=1).exit_code == 0
    exported = runner.invoke(cli, ["export", "tiny", "--storage", storage])

    study = optuna.load_study(study_name="tiny", storage=storage)
    metrics = (tmp_path / "studies/tiny/final/metrics.json").read_text()
    recorded = [exported.stdout, str(study.user_attrs), str(study.trials[0].user_attrs),
                get_note(study), metrics]  # fmt: skip
    assert "sampler / pruner" in recorded[3]
    assert not any("s3cret" in text for text in recorded)


def test_data_changed_since_the_study_was_created_is_refused(runner, storage, tmp_path,
                                                             data_dir, monkeypatch):  # fmt: skip
    assert optimize(runner, storage, "--no-final", trials=1).exit_code == 0
    edited = tmp_path / "edited" / "california_housing"
    edited.mkdir(parents=True)
    rows = (data_dir / "california_housing" / "cal_housing.data").read_text().splitlines()
    (edited / "cal_housing.data").write_text("\n".join(rows[:-40]) + "\n")
    monkeypatch.setenv("HPSEARCH_DATA_DIR", str(edited.parent))
    message = _one_line_error(optimize(runner, storage, "--no-final", trials=2))
    assert "the training data changed since study 'tiny' was created" in message
    assert "(1500 rows then, 1470 rows now, from " in message and "restore the data" in message
    assert len(trials(storage)) == 1


#: Every run-stopping error path: the arguments, and the line the user must read.
ERROR_PATHS = {
    "suggest returns None": (
        ["--space-file", space_file("no_params")],
        "space 'no_params': suggest(trial) must return a dict of "
        "parameters, but returned NoneType.",
    ),  # fmt: skip
    "more folds than rows": (
        ["--space-file", space_file("tiny"), "--folds", "100000"],
        "cannot split 300 training rows into 100000 folds",
    ),
    "misnamed metric": (
        ["--space-file", space_file("wrong_metric")],
        "metric 'val_accuracy_typo' is not logged",
    ),
    "every trial raises": (
        ["--space-file", space_file("shape_error")],
        "stopped after 5 failed trials in a row",
    ),
}


@pytest.mark.parametrize("per_worker", ["0", "2"], ids=["in-process", "workers"])
@pytest.mark.parametrize("case", sorted(ERROR_PATHS))
def test_every_error_is_one_line_in_process_and_from_workers(case, per_worker, tmp_path,
                                                             data_dir):  # fmt: skip
    """A real ``hpsearch`` process: stderr holds the error line and nothing else (no
    traceback from a worker, no TensorFlow start-up lines, no guess about memory)."""
    args, expected = ERROR_PATHS[case]
    run = subprocess.run(  # args after TINY: a repeated option's last value wins
        [HPSEARCH, "optimize", "--trials", "20", *TINY, *args, "--no-final",
         "--trials-per-worker", per_worker, "--storage", f"sqlite:///{tmp_path}/s.db"],
        cwd=tmp_path, env={**os.environ, "HPSEARCH_DATA_DIR": str(data_dir)},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith("Error: ") and expected in line, run.stderr
    assert "memory" not in line
