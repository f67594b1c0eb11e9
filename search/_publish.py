"""Put the search where people look: optuna-dashboard artifacts and a study note.

The final evaluation's figures, ``metrics.json`` and the exported best config are
uploaded as artifacts of the best trial (a file-system artifact store under
``studies/artifacts``), and the study gets a Markdown note summarizing the search.
Nothing here ever sees the storage URL, so no password can reach the dashboard.
"""

from __future__ import annotations

import json
import mimetypes
import uuid
from pathlib import Path
from typing import Any

import optuna
from optuna.artifacts import FileSystemArtifactStore
from optuna.trial import FrozenTrial, TrialState

from hpsearch._errors import StudyError
from hpsearch._final import AUDIT_KEY, best_trial, cv_summary
from hpsearch._record import read_record


def attach_artifact(
    study: optuna.Study, trial: FrozenTrial, path: Path, store: FileSystemArtifactStore
) -> str:
    """Stores ``path`` and lists it among ``trial``'s artifacts in optuna-dashboard.

    Optuna's ``upload_artifact`` (and the dashboard's upload API) refuse finished trials,
    but the final report exists only after the search. optuna-dashboard also lists, for a
    trial, the study system attrs ``dashboard:artifacts:<trial_id>:<artifact_id>``; that
    is where this records it. The dashboard test checks the trial's artifact list.
    """
    artifact_id = str(uuid.uuid4())
    with path.open("rb") as stream:
        store.write(artifact_id, stream)
    meta = {
        "artifact_id": artifact_id,
        "filename": path.name,
        "mimetype": mimetypes.guess_type(path.name)[0] or "application/octet-stream",
        "encoding": None,
    }
    key = f"dashboard:artifacts:{trial._trial_id}:{artifact_id}"
    study._storage.set_study_system_attr(study._study_id, key, json.dumps(meta))
    return artifact_id


def publish_final(
    study: optuna.Study, folder: Path, best_config: dict[str, Any], store: FileSystemArtifactStore
) -> list[str]:
    """Attaches the final report's files and ``best.json`` to the best trial."""
    (folder / "best.json").write_text(json.dumps(best_config, indent=2) + "\n")
    files = sorted(folder.glob("*.png")) + [folder / "metrics.json", folder / "best.json"]
    trial = best_trial(study)
    return [attach_artifact(study, trial, path, store) for path in files]


def _wall_time(study: optuna.Study) -> str:
    trials = [t for t in study.get_trials(deepcopy=False) if t.datetime_complete]
    if not trials:
        return "-"
    span = max(t.datetime_complete for t in trials) - min(t.datetime_start for t in trials)
    return f"{span.total_seconds() / 60:.1f} min"


def study_note(study: optuna.Study) -> str:
    """The Markdown summary shown on the study's dashboard page."""
    record = read_record(study)
    states = [t.state for t in study.get_trials(deepcopy=False)]
    counts = ", ".join(f"{states.count(s)} {s.name.lower()}" for s in TrialState if s in states)
    lines = [
        f"# {study.study_name}: `{record.space}` on `{record.dataset}`",
        f"- **budget**: {len(states)} trials ({counts}); settings {record.settings.as_dict()}",
        f"- **sampler / pruner**: {record.sampler} / {record.pruner}",
        f"- **search wall time**: {_wall_time(study)}",
    ]
    try:
        best = best_trial(study)
    except StudyError:
        return "\n".join([*lines, "- **best**: no complete trial yet"])
    cv = cv_summary(best)
    std = "" if cv["std"] is None else f" ± {cv['std']:.4g}"
    audit = study.user_attrs.get(AUDIT_KEY)
    test = "not evaluated"
    if audit:
        figures = ", ".join(f"{k} {v:.4g}" for k, v in audit[-1]["metrics"].items())
        test = f"{figures} (evaluated {audit[-1]['time']})"
    lines += [
        f"- **best trial**: #{best.number}, CV {cv['mean']:.5g}{std} "
        f"over {len(cv['folds'])} folds",
        f"- **test**: {test}",
        "",
        "| parameter | value |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in best.params.items()),
    ]
    return "\n".join(lines)


def save_study_note(study: optuna.Study) -> None:
    from optuna_dashboard import save_note

    save_note(study, study_note(study))
