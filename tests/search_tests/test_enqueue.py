"""``optimize --enqueue``: known configurations run first, once, and bad ones stop the run
before anything is created."""

from __future__ import annotations

import json

import optuna
import pytest
from optuna.trial import TrialState

from hpsearch._enqueue import DUPLICATE_OF
from hpsearch._search import FailureGuard
from hpsearch._study import study_names
from hpsearch.cli import cli
from tests.helpers import optimize, trials


def _write(tmp_path, content) -> str:
    path = tmp_path / "start.json"
    path.write_text(json.dumps(content))
    return str(path)


def test_enqueued_params_run_first_and_only_once(runner, storage, tmp_path):
    start = _write(tmp_path, {"units": 7, "learning_rate": 0.0123})  # the rest is sampled
    assert optimize(runner, storage, "--no-final", "--enqueue", start, trials=2).exit_code == 0
    result = optimize(runner, storage, "--no-final", "--enqueue", start, trials=3)
    assert result.exit_code == 0, result.output
    found = trials(storage)
    assert [t.state for t in found] == [TrialState.COMPLETE] * 3
    assert found[0].params["units"] == 7
    assert [t.number for t in found if t.params["learning_rate"] == 0.0123] == [0]  # no rerun
    assert len({t.params["beta_1"] for t in found}) == 3  # missing parameters were sampled


def test_a_start_queued_twice_by_searches_starting_together_runs_once(runner, storage):
    assert optimize(runner, storage, "--no-final", trials=1).exit_code == 0
    study = optuna.load_study(study_name="tiny", storage=storage)
    start = {"units": 9, "learning_rate": 0.0234}
    for _ in range(2):  # what two processes' skip_if_exists checks let through at once
        study.enqueue_trial(start)
    result = optimize(runner, storage, "--no-final", trials=3)
    assert result.exit_code == 0, result.output
    found = trials(storage)
    assert [t.state for t in found] == [TrialState.COMPLETE, TrialState.COMPLETE,
                                        TrialState.FAIL, TrialState.COMPLETE]  # fmt: skip
    assert found[1].params["units"] == found[2].params["units"] == 9
    assert (
        "enqueued configuration of trial 1 was queued again" in found[2].user_attrs["fail_reason"]
    )
    assert "queued again" in result.output  # the progress line says why


class _Study:
    stopped = False

    def stop(self) -> None:
        self.stopped = True


def test_a_skipped_copy_does_not_count_towards_the_failure_guard():
    """A search whose first trial is such a copy must not stop as if its space were broken."""
    copy = optuna.trial.create_trial(
        state=TrialState.FAIL, user_attrs={DUPLICATE_OF: 1, "fail_reason": "queued again"}
    )
    broken = optuna.trial.create_trial(state=TrialState.FAIL, user_attrs={"fail_reason": "x"})
    guard, study = FailureGuard(1), _Study()
    guard(study, copy)
    assert not study.stopped
    guard(study, broken)
    assert study.stopped


def test_an_export_file_is_enqueued_as_its_params(runner, storage, tmp_path):
    assert optimize(runner, storage, "--no-final", trials=2).exit_code == 0
    exported = tmp_path / "best.json"
    export = runner.invoke(cli, ["export", "tiny", "--storage", storage, "-o", str(exported)])
    assert export.exit_code == 0, export.output
    best = json.loads(exported.read_text())["params"]
    result = optimize(
        runner, storage, "--no-final", "--enqueue", str(exported), "--study-name", "again",
        trials=1,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert trials(storage, "again")[0].params == best


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"unit": 7}, "does not ask for unit with these values; it asks for units, optimizer"),
        ({"units": 99}, "units=99 does not fit space 'tiny', which allows an integer in [4, 16]"),
        ({"units": 7.5}, "units=7.5 does not fit"),
        ({"learning_rate": "fast"}, "does not fit space 'tiny': 'fast' is not a valid type"),
        ({"optimizer": "sgd"}, "does not fit space 'tiny': 'sgd' not in ('adam',)"),
        ([1, 2], "must hold a non-empty JSON object of parameters"),
        ({"params": {}}, "must hold a non-empty JSON object of parameters"),
    ],
)
def test_a_bad_file_is_one_line_and_nothing_runs(runner, storage, tmp_path, content, message):
    result = optimize(runner, storage, "--enqueue", _write(tmp_path, content))
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "tiny" not in study_names(storage)


def test_a_missing_or_broken_file_is_named(runner, storage, tmp_path):
    missing = optimize(runner, storage, "--enqueue", str(tmp_path / "nope.json"))
    assert missing.exit_code == 1 and "--enqueue file not found:" in missing.output
    broken = tmp_path / "broken.json"
    broken.write_text("{units: 7")
    result = optimize(runner, storage, "--enqueue", str(broken))
    assert result.exit_code == 1 and "broken.json is not valid JSON" in result.output
