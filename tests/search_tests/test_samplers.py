"""Every sampler by name, one shared suite (after Optuna's ``tests/samplers_tests``): a seed
repeats a search, and processes sharing a study never propose the same sample."""

from __future__ import annotations

import importlib.util

import optuna
import pytest

from hpsearch._seeded_sampler import trial_seed
from hpsearch._study import SAMPLERS, make_sampler

GRID = {"x": [i / 10 for i in range(10)], "n": [1, 2, 3, 4]}
NAMES = [
    pytest.param(
        name,
        marks=pytest.mark.skipif(
            name == "gp" and importlib.util.find_spec("torch") is None,
            reason="--sampler gp needs PyTorch",
        ),
    )
    for name in SAMPLERS
]


def _ask(study: optuna.Study) -> optuna.Trial:
    trial = study.ask()
    trial.suggest_float("x", 0.0, 0.9)
    trial.suggest_int("n", 1, 4)
    return trial


def _value(params: dict) -> float:
    return (params["x"] - 0.3) ** 2 + params["n"]


@pytest.mark.parametrize("name", NAMES)
def test_the_same_seed_repeats_the_search(name):
    runs = []
    for _ in range(2):
        study = optuna.create_study(sampler=make_sampler(name, seed=5, grid=GRID))
        for _ in range(6):
            trial = _ask(study)
            study.tell(trial, _value(trial.params))
        runs.append([t.params for t in study.trials])
    assert runs[0] == runs[1]


@pytest.mark.parametrize("name", NAMES)
def test_processes_sharing_a_study_never_propose_the_same_sample(name, storage):
    # Two workers made the same way (same --seed, same history), each asking its next
    # trial before the other's finishes: two `hpsearch optimize` processes on one study.
    workers = [
        optuna.create_study(
            study_name="shared",
            storage=storage,
            load_if_exists=True,
            sampler=make_sampler(name, seed=5, grid=GRID),
        )  # fmt: skip
        for _ in range(2)
    ]
    for _ in range(4):
        running = [_ask(study) for study in workers]
        for study, trial in zip(workers, running, strict=True):
            study.tell(trial, _value(trial.params))
    proposals = [tuple(t.params.values()) for t in workers[0].trials]
    assert len(set(proposals)) == len(proposals) == 8


@pytest.mark.parametrize("name", [n for n in NAMES if n.values[0] != "grid"])
def test_neighbouring_seeds_share_no_sample(name):
    # With a study seed of `--seed + trial number`, seed 6's trial n was seed 5's trial n + 1.
    # The grid is left out: its seed only orders one fixed set of points, which both share.
    runs = {}
    for seed in (5, 6):
        study = optuna.create_study(sampler=make_sampler(name, seed=seed, grid=GRID))
        for _ in range(6):
            trial = _ask(study)
            study.tell(trial, _value(trial.params))
        runs[seed] = {t.params["x"] for t in study.trials}
    assert not runs[5] & runs[6]


def test_trial_seeds_are_distinct_over_seeds_and_numbers():
    seeds = [trial_seed(seed, number) for seed in range(20) for number in range(20)]
    assert len(set(seeds)) == len(seeds)
    assert all(0 <= s < 2**31 for s in seeds)
