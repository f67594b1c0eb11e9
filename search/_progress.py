"""Progress while optimizing: one line per trial, plus a live bar on a terminal.

In non-interactive output (CI logs, pipes) only the per-trial lines are printed, so logs
stay readable; on a terminal a rich bar shows trial i/N, best so far, ETA and the
current trial's fold and epoch.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import optuna
from optuna.trial import FrozenTrial, TrialState
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hpsearch._study import count_finished


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _best(study: optuna.Study) -> str:
    try:
        return f"{study.best_value:.5g} (#{study.best_trial.number})"
    except ValueError:  # no complete trial yet
        return "-"


def _why(trial: FrozenTrial) -> str:
    if "over_budget" in trial.user_attrs:
        return f"  ({trial.user_attrs['over_budget']})"
    if trial.state == TrialState.PRUNED and "pruned_at" in trial.user_attrs:
        where = trial.user_attrs["pruned_at"]
        return f"  (fold {where['fold']}, epoch {where['epoch']}: {where.get('pruner', '')})"
    if trial.state == TrialState.FAIL:
        return f"  ({trial.user_attrs.get('fail_reason', 'failed')})"
    return ""


class ProgressLine:
    """Study callback printing one line per finished trial: state, score, best, ETA.

    The ETA is the sooner of two bounds, and the line says which applies: the trials left
    at the pace so far, or the time left of ``--timeout`` (``eta 0:01:10 (timeout)``).
    """

    def __init__(
        self, n_trials: int, echo: Callable[[str], None], *, timeout: float | None = None
    ) -> None:
        self.n_trials, self.echo, self.timeout = n_trials, echo, timeout
        self.started = time.monotonic()
        self.ran = 0

    def eta(self, elapsed: float, done: int) -> str:
        by_trials = elapsed / self.ran * max(self.n_trials - done, 0)
        if self.timeout is not None and self.timeout - elapsed < by_trials:
            return f"{_clock(max(self.timeout - elapsed, 0))} (timeout)"
        return _clock(by_trials)

    def line(self, study: optuna.Study, trial: FrozenTrial) -> str:
        self.ran += 1
        done = count_finished(study)
        elapsed = time.monotonic() - self.started
        value = "-" if trial.value is None else f"{trial.value:.5g}"
        return (
            f"trial {trial.number:>4}  {trial.state.name.lower():<8} value={value:<9} "
            f"best={_best(study):<16} [{done}/{self.n_trials}]  "
            f"elapsed {_clock(elapsed)}  eta {self.eta(elapsed, done)}{_why(trial)}"
        )

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        self.echo(self.line(study, trial))

    def on_epoch(self, trial: int, fold: int, epoch: int, value: float | None) -> None:
        """Per-epoch hook; lines are per trial, so nothing to print."""

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, *exc_info) -> None:
        return None


class LiveProgress(ProgressLine):
    """The per-trial lines above a live bar that follows the current trial's epochs."""

    def __init__(self, n_trials: int, done: int, *, timeout: float | None = None) -> None:
        self.bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TextColumn("eta {task.fields[eta]}  best {task.fields[best]}"),
        )  # fmt: skip
        super().__init__(n_trials, self.bar.console.print, timeout=timeout)
        self.task = self.bar.add_task("trials", total=n_trials, completed=done, eta="-", best="-")

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        line = self.line(study, trial)
        self.echo(line, highlight=False)
        eta = line.rsplit("eta ", 1)[1].split("  (")[0]
        self.bar.update(self.task, completed=count_finished(study), eta=eta, best=_best(study))

    def on_epoch(self, trial: int, fold: int, epoch: int, value: float | None) -> None:
        score = "" if value is None else f" {value:.4g}"
        self.bar.update(self.task, description=f"trial {trial} fold {fold} epoch {epoch}{score}")

    def __enter__(self) -> LiveProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.bar.stop()
