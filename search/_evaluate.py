"""The pipeline's last step: the best trial retrained on all training rows, tested once.

``optimize`` ends with :func:`final_once`; ``hpsearch evaluate`` (:func:`evaluate`) runs
the same step later on a study from its record alone. Either way the test split is opened
once per study, unless asked again with ``force`` (and the audit log says so), and the
model, metrics and plots become dashboard artifacts.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import optuna

from hpsearch._export import export_best
from hpsearch._final import AUDIT_KEY, evaluate_study
from hpsearch._prepare import (
    as_data,
    as_space,
    record_for,
    recorded_data,
    recorded_space,
    with_task,
)
from hpsearch._publish import publish_final, save_study_note
from hpsearch._quiet import import_keras_quietly, quiet_logs
from hpsearch._record import read_record, upgrade_record
from hpsearch._result import SearchResult
from hpsearch._storage import artifact_store
from hpsearch._study import load_study


def final_once(study, space, dataset, output_dir, echo, command: str) -> SearchResult:
    """The final test at the end of ``optimize``, unless this study was tested already."""
    audit = study.user_attrs.get(AUDIT_KEY, [])
    if audit:
        echo(
            f"test set already evaluated on {audit[-1]['time']}: {audit[-1]['metrics']}; "
            f"not evaluating again (hpsearch evaluate {study.study_name} --force does)."
        )
        return SearchResult(study)
    report, model = _evaluate_and_publish(study, space, dataset, output_dir, command, force=False)
    echo(f"best trial #{report['trial']}: CV {space.metric} {report['cv']['mean']:.5g}")
    echo(
        f"final fit {report['epochs']} epochs on {report['train_rows']} rows; test: "
        + ", ".join(f"{k}={v:.4g}" for k, v in report["test"].items() if isinstance(v, float))
    )
    if output_dir is not None:
        echo(f"wrote {Path(output_dir) / study.study_name / 'final'}")
    return SearchResult(study, model, report)


def evaluate(
    study: optuna.Study | str, data: Any = None, *, space: Any = None, storage: Any = None,
    data_dir: str | None = None, output_dir: str | Path | None = None, force: bool = False,
    command: str | None = None,
) -> SearchResult:  # fmt: skip
    """The final fit and single test of an existing study (``hpsearch evaluate``).

    Args:
        study: The study, or its name in ``storage``.
        data: The data it was searched on; ``None``: reloaded from the study's record (a
            built-in data set, a data file, or the space's ``load()``).
        space: The space it was searched with; ``None``: from the record (a built-in space,
            or a space file's code). Needed for a space defined in Python.
        force: Evaluate again although the study was tested already (it is logged).
    """
    quiet_logs()
    import_keras_quietly()
    study = load_study(study, storage) if isinstance(study, str) else study
    recorded = read_record(study)
    space = as_space(space) if space is not None else recorded_space(
        recorded.space, recorded.space_file, recorded.space_source)  # fmt: skip
    upgrade_record(study, fingerprint=space.fingerprint, legacy=space.legacy_fingerprints)
    recorded = read_record(study)
    source = as_data(data, space, data_dir) if data is not None else recorded_data(
        recorded.data_source, space, data_dir)  # fmt: skip
    dataset = source.load()
    space = with_task(space, dataset, lambda line: None)
    now = record_for(space, source, dataset, recorded.settings, recorded.sampler, recorded.pruner)
    recorded.refuse_other(now, study.study_name, dataset.source)
    command = command or f"hpsearch.evaluate (user {getpass.getuser()})"
    report, model = _evaluate_and_publish(study, space, dataset, output_dir, command, force=force)
    return SearchResult(study, model, report)


def _evaluate_and_publish(study, space, dataset, output_dir, command: str, *, force: bool):
    """The single test, then its files as dashboard artifacts and the note updated."""
    folder = None if output_dir is None else Path(output_dir) / study.study_name / "final"
    report, model = evaluate_study(study, space, dataset, folder=folder, command=command,
                                   force=force)  # fmt: skip
    if folder is not None:
        store = artifact_store(Path(output_dir) / "artifacts")
        publish_final(study, folder, export_best(study), store)
    save_study_note(study)
    return report, model
