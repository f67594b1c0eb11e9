"""Property-based: random option values and corrupt data never give a traceback or a write."""

from __future__ import annotations

import gzip
import json
import math
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optuna.trial import TrialState

from hpsearch import DataError
from hpsearch._export import ConfigError, read_config
from hpsearch._idx import read_idx
from hpsearch._loaders import parse_cal_housing
from tests.helpers import optimize, trials

FAST = settings(max_examples=60, deadline=None)


@FAST
@given(payload=st.binary(max_size=64), compress=st.booleans())
def test_random_idx_bytes_are_read_or_refused_cleanly(payload, compress):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("f-idx1-ubyte.gz" if compress else "f-idx1-ubyte")
        path.write_bytes(gzip.compress(payload) if compress else payload)
        try:
            array = read_idx(path)
        except DataError as exc:
            assert str(exc) and "\n" not in str(exc)
        else:  # only a consistent header and size is accepted
            assert array.dtype == np.uint8 and 8 + array.size + 4 * (array.ndim - 1) == len(
                payload
            )


@FAST
@given(text=st.text(alphabet="0123456789.,-e \nabc", max_size=200))
def test_random_housing_csv_is_parsed_or_refused_cleanly(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cal_housing.data"
        path.write_text(text)
        try:
            x, y = parse_cal_housing(path)
        except DataError as exc:
            assert "\n" not in str(exc)
        else:
            assert x.shape[1] == 8 and len(x) == len(y)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=8,
)


@FAST
@given(config=st.dictionaries(
    st.sampled_from(["space", "params", "epochs", "seed", "schedule_stretch", "x"]),
    json_values, max_size=6,
))  # fmt: skip
def test_random_configs_are_accepted_only_when_complete(config):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.json"
        path.write_text(json.dumps(config))
        try:
            checked = read_config(path)
        except ConfigError as exc:
            assert "\n" not in str(exc)
        else:
            assert isinstance(checked["params"], dict) and checked["epochs"] >= 1
            assert 0 < checked.get("schedule_stretch", 1.0) < math.inf


option_values = st.one_of(
    st.integers(-3, 5).map(str), st.floats(-1, 2).map(str),
    st.sampled_from(["", "x", "tpe", "grid", "median", "none", "1e999", "nan"]),
)  # fmt: skip
options = st.sampled_from(
    ["--folds", "--max-epochs", "--patience", "--subsample", "--seed", "--max-params",
     "--sampler", "--pruner", "--timeout"]
)  # fmt: skip


@pytest.fixture(scope="module")
def one_trial_study(tmp_path_factory, data_dir) -> Path:
    """A SQLite file whose study holds one finished trial of the two it is asked for."""
    from click.testing import CliRunner

    folder = tmp_path_factory.mktemp("props")
    result = optimize(CliRunner(env={"HPSEARCH_DATA_DIR": str(data_dir)}),
                      f"sqlite:///{folder}/p.db", "--no-final", trials=1)  # fmt: skip
    assert result.exit_code == 0, result.output
    return folder / "p.db"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chosen=st.lists(st.tuples(options, option_values), min_size=1, max_size=4))
def test_random_cli_options_never_traceback_nor_write(chosen, one_trial_study, runner):
    """The study has room for a trial, so a command that is refused must be refused before
    anything is written, and one that is accepted runs exactly the missing trial."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "p.db"
        shutil.copy(one_trial_study, copy)
        args = [part for option, value in chosen for part in (option, value)]
        result = optimize(runner, f"sqlite:///{copy}", "--no-final", *args, trials=2)
        assert result.exit_code in (0, 1, 2), result.output
        assert "Traceback" not in result.output
        states = [t.state for t in trials(f"sqlite:///{copy}")]
    if result.exit_code != 0:
        assert result.output.strip().splitlines()[-1].startswith(("Error", "Try"))
        assert states == [TrialState.COMPLETE]  # nothing written
    else:  # the missing trial ran, or a timeout ended the run before it started
        assert states[0] == TrialState.COMPLETE and len(states) <= 2
        assert TrialState.RUNNING not in states
