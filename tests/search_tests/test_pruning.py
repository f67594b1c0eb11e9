"""Pruning against a once-per-trial snapshot decides as Optuna's pruner does, reads the
storage once per trial instead of once per epoch, and sees other processes' trials."""

from __future__ import annotations

import numpy as np
import optuna
import pytest
from optuna.trial import TrialState

from hpsearch._pruning import SnapshotPruner, pruner_name
from hpsearch._start import START_KEY
from hpsearch._study import make_pruner

STEPS = 8


def _median() -> optuna.pruners.MedianPruner:
    return optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1)


def _run(study: optuna.Study, trials: int) -> list[TrialState]:
    """Trials whose curves fall from a random level: some are pruned, some complete."""
    rng = np.random.default_rng(0)

    def objective(trial: optuna.Trial) -> float:
        level = rng.uniform(0.5, 2.0)
        for step in range(STEPS):
            trial.report(level / (step + 1), step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return level / STEPS

    study.optimize(objective, n_trials=trials)
    return [t.state for t in study.trials]


def _study(url: str, pruner: optuna.pruners.BasePruner, name: str = "s") -> optuna.Study:
    return optuna.create_study(study_name=name, storage=url, pruner=pruner, load_if_exists=True)


def test_decisions_match_the_wrapped_pruner(tmp_path):
    plain = _run(_study(f"sqlite:///{tmp_path}/a.db", _median()), 30)
    snapshot = _run(_study(f"sqlite:///{tmp_path}/b.db", SnapshotPruner(_median())), 30)
    assert snapshot == plain
    assert TrialState.PRUNED in plain and TrialState.COMPLETE in plain


def _reads_of_complete_trials(study: optuna.Study, monkeypatch, trials: int) -> int:
    reads = []
    real = study.get_trials

    def counted(*args, **kwargs):
        reads.append(kwargs.get("states") == (TrialState.COMPLETE,))
        return real(*args, **kwargs)

    monkeypatch.setattr(study, "get_trials", counted)
    _run(study, trials)
    return sum(reads)


def test_the_storage_is_read_once_per_trial_not_once_per_epoch(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/a.db"
    snapshot = _reads_of_complete_trials(_study(url, SnapshotPruner(_median())), monkeypatch, 6)
    plain = _reads_of_complete_trials(_study(url, _median(), "plain"), monkeypatch, 6)
    assert snapshot == 6
    assert plain >= 6 * 4  # every step of every trial, pruned ones after at least 4 steps


def test_a_trial_finished_elsewhere_counts_once_the_snapshot_is_old(tmp_path):
    url, now = f"sqlite:///{tmp_path}/a.db", [0.0]
    mine = _study(url, SnapshotPruner(_median(), max_age=10, clock=lambda: now[0]))
    other = _study(url, optuna.pruners.NopPruner())  # another process on the same study

    def complete_elsewhere(value: float) -> None:
        trial = other.ask()
        trial.report(value, 0)
        trial.report(value, 1)
        other.tell(trial, value)

    for _ in range(3):
        complete_elsewhere(1.0)
    running = mine.ask()
    running.report(2.0, 0)
    running.report(0.5, 1)
    assert not running.should_prune()  # 0.5 beats the median 1.0 at step 1
    for _ in range(4):
        complete_elsewhere(0.2)  # the median at step 1 is 0.2 now
    assert not running.should_prune()  # the snapshot is younger than max_age
    now[0] = 11.0
    assert running.should_prune()
    assert _median().prune(mine, mine.trials[running.number])  # as the plain pruner says


class _Recorder(optuna.pruners.BasePruner):
    """Never prunes; records how many RUNNING trials each check saw."""

    def __init__(self) -> None:
        self.running: list[int] = []

    def prune(self, study, trial) -> bool:
        self.running.append(len(study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))))
        return False


def test_other_reads_go_to_the_study(tmp_path):
    recorder = _Recorder()
    study = _study(f"sqlite:///{tmp_path}/a.db", SnapshotPruner(recorder))
    trial = study.ask()
    trial.report(1.0, 0)
    trial.should_prune()
    study.ask()  # a second trial starts: the study has it, though no snapshot does
    trial.should_prune()
    assert recorder.running == [1, 2]


@pytest.mark.parametrize(
    ("pruner", "name"),
    [(SnapshotPruner(_median()), "MedianPruner"), (optuna.pruners.NopPruner(), "NopPruner")],
)
def test_pruner_name_is_the_deciding_pruners(pruner, name):
    assert pruner_name(pruner) == name


@pytest.mark.parametrize(("name", "startup"), [("median", 5), ("median-early", 2)])
def test_the_median_pruners_start_pruning_after_their_number_of_complete_trials(name, startup):
    """A trial far worse than every completed one is kept until ``startup`` have completed."""
    study = optuna.create_study(pruner=make_pruner(name, max_steps=STEPS))
    kept_while_few = []
    for completed in range(startup + 1):
        bad = study.ask()
        for step in range(2):  # step 0 is the warm-up step
            bad.report(100.0, step)
        kept_while_few.append(not bad.should_prune())
        study.tell(bad, state=TrialState.PRUNED)
        good = study.ask()
        for step in range(2):
            good.report(1.0 + completed, step)
        study.tell(good, 1.0 + completed)
    assert kept_while_few == [True] * startup + [False]


def _finish(study: optuna.Study, values: tuple[float, float], **user_attrs) -> None:
    """A COMPLETE trial whose curve is ``values`` at steps 0 and 1."""
    trial = study.ask()
    for key, value in user_attrs.items():
        trial.set_user_attr(key, value)
    for step, value in enumerate(values):
        trial.report(value, step)
    study.tell(trial, values[-1])


@pytest.mark.parametrize(("start_trial", "pruned"), [(False, True), (True, False)])
def test_a_start_trial_does_not_set_the_bar(tmp_path, start_trial, pruned):
    """Sampled trials at 0.1, 1.0 and 1.0, and a fourth at 0.1 (this study minimizes). If the
    fourth is sampled, the median at step 1 is 0.55 and a trial at 0.6 is pruned; if it is a
    start trial, the median is the other three's 1.0 and the same trial is kept."""
    study = _study(f"sqlite:///{tmp_path}/a.db", SnapshotPruner(_median()))
    for value in (0.1, 1.0, 1.0):
        _finish(study, (value, value))
    _finish(study, (0.1, 0.1), **({START_KEY: "baseline"} if start_trial else {}))
    running = study.ask()
    running.report(0.6, 0)
    running.report(0.6, 1)
    assert bool(running.should_prune()) is pruned
