"""Small helpers the test modules share."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import optuna
from click.testing import CliRunner, Result

from hpsearch.cli import cli
from tests.conftest import space_file

#: The installed console script, for tests that need a real process (signals, a server).
HPSEARCH = str(Path(sys.executable).with_name("hpsearch"))

#: A fast search: 20 % of the California fixture's 1,500 training rows, 2 folds, 2 epochs,
#: fixed seed.
TINY = ["--subsample", "0.2", "--folds", "2", "--max-epochs", "2", "--seed", "3"]


def optimize(runner: CliRunner, storage: str, *extra: str, space: str = "tiny",
             trials: int = 3) -> Result:  # fmt: skip
    """``hpsearch optimize --space-file tests/fixtures/spaces/<space>.py`` on a tiny budget."""
    args = ["optimize", "--space-file", space_file(space), "--trials", str(trials)]
    return runner.invoke(cli, [*args, *TINY, "--storage", storage, *extra])


def last_json(result: Result) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])


def trials(storage: str, name: str = "tiny") -> list[optuna.trial.FrozenTrial]:
    return optuna.load_study(study_name=name, storage=storage).get_trials()
