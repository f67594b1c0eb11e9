"""Prepare a search: what the caller gave (names, files, functions, arrays) -> objects.

The CLI and ``hpsearch.optimize`` both pass their arguments through here, so a built-in
name, a space file, a module, a :class:`Space`, a KerasTuner model, a data set name, a data
file or arrays all arrive at the engine as one :class:`Space` and one data source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path
from types import ModuleType
from typing import Any

from hpsearch._data import BuiltinData, Data, LoadedBySpace, data_from_space, doubt, infer_task
from hpsearch._datafiles import DataFile
from hpsearch._dataset import Dataset
from hpsearch._errors import DataError, SpaceError, StudyError
from hpsearch._loaders import DATASETS
from hpsearch._record import StudyRecord, read_record, upgrade_record
from hpsearch._settings import SearchSettings
from hpsearch._space import Space, from_module, import_file, load_space
from hpsearch._study import load_study, study_names
from hpsearch.spaces import BUILTIN

DEFAULT_SAMPLER, DEFAULT_PRUNER = "tpe", "median"
DATA_SOURCES = (Data, DataFile, BuiltinData, LoadedBySpace)


def as_space(space: Any) -> Space:
    """A :class:`Space` from a built-in name, a ``.py`` path, a module, a KerasTuner
    ``HyperModel`` or ``build(hp)`` function, or a :class:`Space` itself."""
    if isinstance(space, Space):
        return space
    if isinstance(space, Path) or (isinstance(space, str) and space.endswith(".py")):
        return load_space(file=space)
    if isinstance(space, str):
        return load_space(space)
    if isinstance(space, ModuleType):
        return from_module(space, name=space.__name__.rsplit(".", 1)[-1])
    from hpsearch._kerastuner import is_kerastuner_model, space_from_hypermodel

    if is_kerastuner_model(space):
        return space_from_hypermodel(space, name=getattr(space, "__name__", "hypermodel"))
    raise SpaceError(
        f"space must be a built-in name, a .py file, a module, hpsearch.Space or a KerasTuner "
        f"model, but got {type(space).__name__}."
    )


def as_data(data: Any, space: Space, data_dir: str | None = None) -> Any:
    """A data source (``describe()``, ``load()``) from what the caller gave, or the space's."""
    if data is None:
        return data_from_space(space, data_dir)
    if isinstance(data, DATA_SOURCES):
        return data
    if isinstance(data, str) and data in DATASETS:
        return BuiltinData(data, data_dir)
    if isinstance(data, (str, Path)):
        return DataFile(str(Path(data).resolve()))
    if isinstance(data, tuple) and len(data) in (2, 4):
        return Data(*data)
    raise DataError(
        "data must be a built-in data set name, a file path, hpsearch.Data, (x, y) or "
        f"(x, y, x_test, y_test), but got {type(data).__name__}."
    )


def check_suggest(space: Space) -> None:
    """Runs ``suggest`` once on a scratch study, so a space that cannot propose parameters
    (returns no dict, asks for something unsupported) stops before the study is touched."""
    import optuna

    scratch = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    trial = scratch.ask()
    try:
        space.suggested(trial)
    except (SpaceError, DataError):
        raise
    except Exception:  # noqa: BLE001, S110 - a trial-level error: the search will record it
        return


def with_task(space: Space, dataset: Dataset, echo: Callable[[str], None]) -> Space:
    """The space with its task from the space (it always wins), else from the data."""
    if space.task is not None:
        return space.for_task(space.task)
    task = dataset.task or infer_task(dataset.y)
    note = doubt(dataset.y, task)
    if note:
        echo(f"note: {note}")
    return space.for_task(task)


def existing_record(study_name: str, storage: Any, space: Space) -> StudyRecord | None:
    """The record of an existing study (brought up to date), or ``None``."""
    if study_name not in study_names(storage):
        return None
    study = load_study(study_name, storage)
    upgrade_record(study, fingerprint=space.fingerprint, legacy=space.legacy_fingerprints)
    return read_record(study)


def resolve_options(
    options: dict[str, Any], recorded: StudyRecord | None
) -> tuple[SearchSettings, str, str]:
    """Settings, sampler and pruner: explicit options over the study's recorded ones over
    defaults.

    An explicit option that differs from the recorded one survives the merge, so the
    resume check in ``create_or_resume`` refuses it instead of mixing settings.
    """
    explicit = {key: value for key, value in options.items() if value is not None}
    names = [f.name for f in fields(SearchSettings)]
    settings = recorded.settings if recorded else SearchSettings()
    settings = replace(settings, **{key: explicit[key] for key in names if key in explicit})
    sampler = explicit.get("sampler", recorded.sampler if recorded else DEFAULT_SAMPLER)
    pruner = explicit.get("pruner", recorded.pruner if recorded else DEFAULT_PRUNER)
    return settings, sampler, pruner


def record_for(space: Space, source: Any, dataset: Dataset, settings: SearchSettings,
               sampler: str, pruner: str, trials: int | None = None) -> StudyRecord:  # fmt: skip
    return StudyRecord(
        target_trials=trials,
        space=space.name, space_file=space.file, dataset=dataset.name,
        space_fingerprint=space.fingerprint, data_fingerprint=dataset.fingerprint,
        settings=settings, sampler=sampler, pruner=pruner, data_rows=len(dataset.y),
        data_source=source.describe(), test_fingerprint=dataset.test.fingerprint,
        space_source=space.source if space.file else None,
    )  # fmt: skip


def recorded_space(name: str, file: str | None, source: str | None) -> Space:
    """The space a study (or an export) was searched with: built in, a file's code as the
    record embedded it (so the file may have moved or changed since), or the file."""
    if file is not None:
        if source is None:
            return load_space(file=file)
        return from_module(import_file(Path(file), source), name=name, file=file)
    if name in BUILTIN:
        return load_space(name)
    raise StudyError(
        f"study space {name!r} was defined in Python, not in a file; evaluate it from Python: "
        "hpsearch.evaluate(study, data, space=...)."
    )


def recorded_data(described: dict[str, Any], space: Space, data_dir: str | None) -> Any:
    """The data source a study (or an export) was searched on, from its ``describe()``."""
    kind = described["kind"]
    if kind == "builtin":
        return BuiltinData(described["name"], data_dir)
    if kind == "file":
        return DataFile(described["path"], described["target"], described["test_path"])
    if kind == "load" and space.load is not None:
        return LoadedBySpace(space.load, space.file)
    raise StudyError(
        f"this study was searched on data given in Python ({described.get('name')!r}); "
        "evaluate it from Python: hpsearch.evaluate(study, data, space=...)."
    )
