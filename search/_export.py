"""The best configuration as JSON, and retraining from that JSON with no study at all."""

from __future__ import annotations

import importlib.metadata
import math
import platform
from pathlib import Path
from typing import Any

import keras
import optuna

from hpsearch._errors import HpsearchError, StudyError
from hpsearch._final import (
    FINAL_KEY,
    best_trial,
    cv_summary,
    evaluate_on_test,
    final_epochs,
    retrain,
    schedule_stretch,
)
from hpsearch._jsonfile import read_json
from hpsearch._record import read_record


class ConfigError(HpsearchError):
    """A ``--config`` file is not valid JSON or lacks a field ``train`` needs."""


def versions() -> dict[str, str]:
    """The software a result came from; the Keras backend says which framework trained it."""
    found = {"python": platform.python_version(), "keras_backend": keras.backend.backend()}
    for dist in ("tensorflow", "tensorflow-cpu", "jax", "keras", "optuna", "hpsearch"):
        try:
            found[dist.removesuffix("-cpu")] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return found


def export_best(study: optuna.Study) -> dict[str, Any]:
    """Everything needed to rebuild and retrain the best model, and how good it was."""
    record = read_record(study)
    best = best_trial(study)
    final = study.user_attrs.get(FINAL_KEY)
    stretch = schedule_stretch(record.settings.as_dict())
    return {
        "space": record.space,
        "space_file": record.space_file,
        "space_source": record.space_source,
        "data_source": record.data_source,
        "study": study.study_name,
        "trial": best.number,
        "params": best.params,
        "epochs": final_epochs(best),
        # What the test evaluation used (1.0 before the stretch existed), else what it will use.
        "schedule_stretch": (final.get("schedule_stretch", 1.0) if final else stretch),
        "seed": best.user_attrs.get("seed"),
        "cv": cv_summary(best),
        "test": final["test"] if final else None,
        "settings": record.settings.as_dict(),
        "sampler": record.sampler,
        "pruner": record.pruner,
        "data_fingerprint": record.data_fingerprint,
        "versions": versions(),
    }


_FIELDS = {"space": str, "params": dict, "epochs": int, "seed": int}


def read_config(path: str | Path) -> dict[str, Any]:
    """Parses and checks an exported config, naming the first missing or bad field."""
    config = read_json(path, label="config file", error=ConfigError)
    if not isinstance(config, dict):
        raise ConfigError(f"{path} must hold a JSON object, but holds {type(config).__name__}.")
    for field, kind in _FIELDS.items():
        if field not in config:
            raise ConfigError(f"{path} lacks the field {field!r} (see hpsearch export).")
        if not isinstance(config[field], kind) or isinstance(config[field], bool):
            raise ConfigError(
                f"{path}: field {field!r} must be {kind.__name__}, but got {config[field]!r}."
            )
    if config["epochs"] < 1:
        raise ConfigError(
            f"{path}: field 'epochs' must be at least 1, but got {config['epochs']}."
        )
    stretch = config.get("schedule_stretch", 1.0)  # absent in exports made before it existed
    valid = isinstance(stretch, (int, float)) and not isinstance(stretch, bool)
    if not (valid and math.isfinite(stretch) and stretch > 0):
        raise ConfigError(
            f"{path}: field 'schedule_stretch' must be a positive number, but got {stretch!r}."
        )
    return config


def train_from_config(
    config: dict[str, Any], *, data_dir: str | None, output: Path | None, evaluate: bool
) -> dict[str, Any] | None:
    """Rebuilds and retrains the model a config describes; optionally tests it.

    Returns:
        The test metrics when ``evaluate`` is set, else ``None``.
    """
    from hpsearch._prepare import recorded_data, recorded_space, with_task

    try:
        space = recorded_space(config["space"], config.get("space_file"),
                               config.get("space_source"))  # fmt: skip
    except StudyError as exc:
        raise ConfigError(str(exc)) from None
    described = config.get("data_source") or {"kind": "builtin", "name": space.dataset}
    try:
        dataset = recorded_data(described, space, data_dir).load()
    except StudyError as exc:
        raise ConfigError(str(exc)) from None
    space = with_task(space, dataset, lambda line: None)
    try:
        result = retrain(
            space, config["params"], dataset, epochs=config["epochs"], seed=config["seed"],
            stretch=config.get("schedule_stretch", 1.0),
        )  # fmt: skip
    except ValueError as exc:  # FixedTrial: a parameter the space asks for is missing
        raise ConfigError(f"config params do not fit space {space.name!r}: {exc}") from None
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        result.model.save(output)
    return evaluate_on_test(result, space, dataset, None) if evaluate else None
