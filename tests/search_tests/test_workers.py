"""Trials in recycled worker processes: budget, errors and Ctrl-C as in-process; no orphans."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from tests.conftest import space_file
from tests.helpers import HPSEARCH, TINY, optimize, trials


def test_workers_share_the_budget_and_report_every_trial(runner, storage):
    result = optimize(runner, storage, "--no-final", "--trials-per-worker", "2", trials=3)
    assert result.exit_code == 0, result.output
    assert [t.state for t in trials(storage)] == [TrialState.COMPLETE] * 3
    lines = [line for line in result.output.splitlines() if line.startswith("trial ")]
    assert [line.split()[1] for line in lines] == ["0", "1", "2"]  # progress came back


def test_no_worker_starts_after_the_timeout(runner, storage, monkeypatch):
    # Each worker runs one trial, which outlasts the 1-second limit.
    monkeypatch.setenv("HPSEARCH_TEST_SLOW", "1.5")
    result = optimize(runner, storage, "--no-final", "--trials-per-worker", "1",
                      "--timeout", "1", trials=4)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [t.state for t in trials(storage)] == [TrialState.COMPLETE]


def test_failures_are_counted_across_workers(runner, storage):
    result = optimize(runner, storage, "--no-final", "--trials-per-worker", "2",
                      space="shape_error", trials=20)  # fmt: skip
    assert result.exit_code == 1
    assert "stopped after 5 failed trials in a row" in result.output
    assert len(trials(storage, "shape_error")) == 5  # three workers: 2 + 2 + 1


def test_ctrl_c_in_a_worker_exits_130_and_keeps_finished_trials(runner, storage, monkeypatch):
    # The fork server starts before the variable is set: it still reaches the next worker.
    optimize(runner, storage.replace(".db", "_first.db"), "--no-final", "--trials-per-worker",
             "1", trials=1)  # fmt: skip
    monkeypatch.setenv("HPSEARCH_TEST_INTERRUPT_AT", "1")
    result = optimize(runner, storage, "--no-final", "--trials-per-worker", "5", trials=3)
    assert result.exit_code == 130 and "rerun to resume" in result.output
    assert [t.state for t in trials(storage)] == [TrialState.COMPLETE, TrialState.FAIL]


def _search_stalled_in_trial_1(tmp_path, data_dir) -> tuple[subprocess.Popen, str]:
    """``hpsearch optimize`` in its own process, its worker waiting inside trial 1."""
    storage = f"sqlite:///{tmp_path}/killed.db"
    env = {**os.environ, "HPSEARCH_DATA_DIR": str(data_dir), "HPSEARCH_TEST_STALL_AT": "1"}
    search = subprocess.Popen(
        [HPSEARCH, "optimize", "--space-file", space_file("tiny"), "--trials", "3", *TINY,
         "--no-final", "--trials-per-worker", "5", "--storage", storage],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    _wait_for(lambda: [t.state for t in _trials_or_none(storage)][1:] == [TrialState.RUNNING])
    return search, storage


def _trials_or_none(storage: str) -> list[optuna.trial.FrozenTrial]:
    try:
        return trials(storage)
    except KeyError:  # the study is not created yet
        return []


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"  # exited, not reaped


def _wait_for(condition, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.5)


def test_sigterm_stops_the_search_like_ctrl_c(tmp_path, data_dir):
    search, storage = _search_stalled_in_trial_1(tmp_path, data_dir)
    search.send_signal(signal.SIGTERM)
    output, _ = search.communicate(timeout=120)
    assert search.returncode == 130 and "rerun to resume" in output, output
    assert [t.state for t in trials(storage)] == [TrialState.COMPLETE, TrialState.FAIL]


def test_a_killed_parent_stops_its_worker(tmp_path, data_dir):
    search, storage = _search_stalled_in_trial_1(tmp_path, data_dir)
    search.kill()  # SIGKILL: the parent cannot pass anything on
    search.communicate(timeout=30)
    # The orphaned worker notices, fails its trial, and exits without starting another.
    worker = trials(storage)[1].user_attrs["pid"]
    assert worker != search.pid
    _wait_for(lambda: _process_gone(worker), seconds=60)
    assert [t.state for t in trials(storage)] == [TrialState.COMPLETE, TrialState.FAIL]


#: A user's script as written at the top level, with no ``if __name__ == "__main__"`` guard.
UNGUARDED_SCRIPT = """
import hpsearch
print("the script ran")
result = hpsearch.optimize({space!r}, trials=2, folds=2, max_epochs=2, subsample=0.2, seed=3,
                           workers=2, storage={storage!r}, final=False, echo=lambda line: None)
print("complete", sum(t.state.name == "COMPLETE" for t in result.study.trials))
"""


@pytest.mark.parametrize("source", ["stdin", "file"])
def test_workers_do_not_run_the_parents_script_again(tmp_path, data_dir, source):
    # Before, a script from stdin lost its workers (FileNotFoundError: '<stdin>'), and a file
    # without a guard started its search again in each, which died of a RuntimeError.
    script = UNGUARDED_SCRIPT.format(space=space_file("tiny"),
                                     storage=f"sqlite:///{tmp_path}/script.db")  # fmt: skip
    (tmp_path / "search.py").write_text(script)
    command, stdin = ([sys.executable, "-"], script) if source == "stdin" else (
        [sys.executable, "search.py"], None)  # fmt: skip
    env = {**os.environ, "HPSEARCH_DATA_DIR": str(data_dir), "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(command, input=stdin, cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["the script ran", "complete 2"], done.stdout
