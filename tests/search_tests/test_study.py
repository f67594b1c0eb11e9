"""Studies: resume to N finished trials, refuse mixed settings or edited code, reproducible
with --seed."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from hpsearch._record import RECORD_KEY
from hpsearch._space import load_space
from hpsearch.cli import cli
from tests.conftest import space_file
from tests.helpers import TINY, optimize, trials


def test_rerun_resumes_the_same_study_up_to_n_trials(runner, storage):
    assert optimize(runner, storage, "--no-final", trials=2).exit_code == 0
    result = optimize(runner, storage, "--no-final", trials=4)
    assert result.exit_code == 0, result.output
    assert "2/4 trials finished" in result.output
    finished = [t for t in trials(storage) if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    assert len(finished) == 4
    # Resumed trials are new samples, not a replay of the first ones.
    assert (
        len({t.params["units"] for t in finished} | {t.params["learning_rate"] for t in finished})
        > 4
    )
    again = optimize(runner, storage, "--no-final", trials=4)
    assert again.exit_code == 0 and len(trials(storage)) == 4  # nothing left to do


def test_resume_with_different_settings_is_refused(runner, storage):
    assert optimize(runner, storage, "--no-final", trials=1).exit_code == 0
    result = optimize(runner, storage, "--no-final", "--folds", "3", trials=2)
    assert result.exit_code == 1
    assert "this run's settings differ from study 'tiny''s: folds 3 (the study has 2)" in (
        result.output
    )
    assert "Leave those options out to resume it, or use a new --study-name" in result.output
    assert len(trials(storage)) == 1  # nothing was mixed in


def test_a_comment_edit_keeps_the_study_and_a_range_edit_does_not(runner, storage, tmp_path):
    space = tmp_path / "tiny.py"
    source = Path(space_file("tiny")).read_text()
    space.write_text(source)
    args = ["optimize", "--space-file", str(space), *TINY, "--storage", storage, "--no-final"]
    assert runner.invoke(cli, [*args, "--trials", "1"]).exit_code == 0
    old_range = '"units", 4, widest)'
    assert old_range in source
    wrapped = source.replace(old_range, '\n        "units", 4, widest  # per layer\n    )')
    space.write_text("# A reworded note.\n\n" + wrapped)
    resumed = runner.invoke(cli, [*args, "--trials", "2"])
    assert resumed.exit_code == 0, resumed.output
    space.write_text(source.replace(old_range, '"units", 10, widest)'))
    refused = runner.invoke(cli, [*args, "--trials", "3"])
    assert refused.exit_code == 1
    assert f"the space's code changed since study 'tiny' was created ({space})" in refused.output
    assert "use a new --study-name, or undo the change" in refused.output
    assert len(trials(storage)) == 2


#: What version 1 of the study record held.
LEGACY_KEYS = ("space", "space_file", "dataset", "space_fingerprint", "data_fingerprint",
               "settings", "sampler", "pruner")  # fmt: skip


def test_an_older_study_record_resumes_and_is_upgraded(runner, storage):
    assert optimize(runner, storage, "--no-final", trials=1).exit_code == 0
    space = load_space(file=space_file("tiny"))
    study = optuna.load_study(study_name="tiny", storage=storage)
    record = study.user_attrs[RECORD_KEY]
    settings = {k: v for k, v in record["settings"].items() if k != "max_trial_seconds"}
    # As version 1 recorded studies: before comments stopped counting, before the time budget.
    legacy = {k: v for k, v in record.items() if k in LEGACY_KEYS}
    legacy |= {"space_fingerprint": space.legacy_fingerprints[0], "settings": settings}
    study.set_user_attr(RECORD_KEY, legacy)
    result = optimize(runner, storage, "--no-final", trials=2)
    assert result.exit_code == 0, result.output
    study = optuna.load_study(study_name="tiny", storage=storage)
    upgraded = study.user_attrs[RECORD_KEY]
    assert upgraded["space_fingerprint"] == space.fingerprint and upgraded["version"] == 2
    assert upgraded["settings"]["max_trial_seconds"] is None
    assert len(trials(storage)) == 2


def test_a_study_made_before_the_rename_to_hpsearch_resumes(runner, storage):
    from hpsearch._space import _code_tokens, _sha16

    assert optimize(runner, storage, "--no-final", trials=1).exit_code == 0
    source = Path(space_file("tiny")).read_text()
    assert "from hpsearch import blocks" in source
    before = source.replace("from hpsearch import blocks", "from search import blocks")
    study = optuna.load_study(study_name="tiny", storage=storage)
    record = study.user_attrs[RECORD_KEY]
    study.set_user_attr(RECORD_KEY, record | {"space_fingerprint": _sha16(_code_tokens(before))})
    result = optimize(runner, storage, "--no-final", trials=2)
    assert result.exit_code == 0, result.output
    space = load_space(file=space_file("tiny"))
    study = optuna.load_study(study_name="tiny", storage=storage)
    assert study.user_attrs[RECORD_KEY]["space_fingerprint"] == space.fingerprint


def test_study_name_reused_with_another_space_is_refused(runner, storage):
    assert optimize(runner, storage, "--no-final", trials=1).exit_code == 0
    result = optimize(runner, storage, "--no-final", "--study-name", "tiny", space="diverging")
    assert result.exit_code == 1
    assert "study 'tiny' was created for space 'tiny', not 'diverging'" in result.output


def test_same_seed_gives_same_parameters_and_scores(runner, tmp_path):
    first, second = (f"sqlite:///{tmp_path}/{name}.db" for name in ("a", "b"))
    assert optimize(runner, first, "--no-final", trials=3).exit_code == 0
    assert optimize(runner, second, "--no-final", trials=3).exit_code == 0
    for a, b in zip(trials(first), trials(second), strict=True):
        assert a.params == b.params
        assert a.user_attrs["seed"] == b.user_attrs["seed"]
        assert a.value == pytest.approx(b.value, rel=1e-4)
