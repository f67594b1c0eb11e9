"""Trials in recycled worker processes: same budget, same errors, same Ctrl-C as in-process."""

from __future__ import annotations

from optuna.trial import TrialState

from tests.helpers import optimize, trials


def test_workers_share_the_budget_and_report_every_trial(runner, storage):
    result = optimize(runner, storage, "--no-final", "--trials-per-worker", "2", trials=3)
    assert result.exit_code == 0, result.output
    assert [t.state for t in trials(storage)] == [TrialState.COMPLETE] * 3
    lines = [line for line in result.output.splitlines() if line.startswith("trial ")]
    assert [line.split()[1] for line in lines] == ["0", "1", "2"]  # progress came back


def test_failures_are_counted_across_workers(runner, storage):
    result = optimize(runner, storage, "--no-final", "--trials-per-worker", "2",
                      space="shape_error", trials=20)  # fmt: skip
    assert result.exit_code == 1
    assert "stopped after 5 failed trials in a row" in result.output
    assert len(trials(storage, "shape_error")) == 5  # three workers: 2 + 2 + 1


def test_ctrl_c_in_a_worker_exits_130_and_keeps_finished_trials(runner, storage, monkeypatch):
    monkeypatch.setenv("HPSEARCH_TEST_INTERRUPT_AT", "1")
    result = optimize(runner, storage, "--no-final", "--trials-per-worker", "5", trials=3)
    assert result.exit_code == 130 and "rerun to resume" in result.output
    assert [t.state for t in trials(storage)] == [TrialState.COMPLETE, TrialState.FAIL]
