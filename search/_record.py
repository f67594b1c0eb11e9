"""The study record: what a study was created with, as one typed structure.

It lives in the study's user attrs under ``hpsearch``, so later commands need only the
study's name and storage. A resume whose space, data or settings differ from the record is
refused in plain words instead of silently mixing trials. Every reader (export, note,
report, final fit) goes through :class:`StudyRecord`, never through raw keys.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import optuna

from hpsearch._errors import StudyError
from hpsearch._settings import SearchSettings

RECORD_KEY = "hpsearch"
#: 1: the untyped dict of earlier releases (no ``version``, ``data_rows``); 2: this type.
RECORD_VERSION = 2
#: Settings added since the first studies, as a study recorded without them ran.
_BEFORE_RECORDED = {"fold_halving": 1}


@dataclass(frozen=True)
class StudyRecord:
    """What defines a study, recorded when it is created.

    Attributes:
        space: The space's name (built-in name, or a user file's stem).
        space_file: Absolute path of a user space file; ``None`` for built-ins.
        dataset: The data set's name.
        space_fingerprint: Hash of the space's code tokens (see ``Space.fingerprint``).
        data_fingerprint: Hash of the training arrays.
        settings: The objective's settings.
        sampler: Sampler name (see ``hpsearch._study.SAMPLERS``).
        pruner: Pruner name (see ``hpsearch._study.PRUNERS``).
        data_rows: Training rows; ``None`` in records older than version 2.
        data_source: How to load the data again (``describe()`` of its source, ``_data.py``):
            a built-in name, a file and target, a space's ``load()``, or arrays; ``None``
            in records older than version 2 (a built-in data set).
        test_fingerprint: Hash of the sealed test split, so a changed test file is noticed.
        space_source: A user space file's code, so an export rebuilds it without the file.
        target_trials: The trial count the latest ``optimize`` asked for, which
            ``hpsearch worker`` works toward; it may change between resumes.
        version: The record's format version.
    """

    space: str
    space_file: str | None
    dataset: str
    space_fingerprint: str
    data_fingerprint: str
    settings: SearchSettings
    sampler: str
    pruner: str
    data_rows: int | None = None
    data_source: dict[str, Any] | None = None
    test_fingerprint: str | None = None
    space_source: str | None = None
    target_trials: int | None = None
    version: int = RECORD_VERSION

    def to_attrs(self) -> dict[str, Any]:
        return asdict(self) | {"settings": self.settings.as_dict()}

    @classmethod
    def from_attrs(cls, attrs: dict[str, Any]) -> StudyRecord:
        """Reads any version; settings added since a study was made get their defaults."""
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in attrs.items() if key in known}
        settings = {**SearchSettings().as_dict(), **_BEFORE_RECORDED, **attrs.get("settings", {})}
        source = attrs.get("data_source") or {"kind": "builtin", "name": attrs["dataset"]}
        return cls(**values | {"settings": SearchSettings(**settings), "data_source": source,
                               "version": RECORD_VERSION})  # fmt: skip

    def refuse_other(self, current: StudyRecord, study_name: str, source: str) -> None:
        """Raises StudyError, in plain words, if ``current`` may not resume this study.

        Args:
            current: The record this run would write.
            study_name: For the message.
            source: Where this run's data came from, for the message.
        """
        fix = "use a new --study-name"
        if current.space != self.space:
            raise StudyError(
                f"study {study_name!r} was created for space {self.space!r}, not "
                f"{current.space!r}; {fix} for this space."
            )
        if current.space_fingerprint != self.space_fingerprint:
            where = current.space_file or f"built-in space {current.space!r}"
            raise StudyError(
                f"the space's code changed since study {study_name!r} was created ({where}); "
                f"{fix}, or undo the change."
            )
        if current.data_fingerprint != self.data_fingerprint:
            rows = "" if self.data_rows is None else f"{self.data_rows} rows then, "
            raise StudyError(
                f"the training data changed since study {study_name!r} was created ({rows}"
                f"{current.data_rows} rows now, from {source}); {fix}, or restore the data."
            )
        if None not in (self.test_fingerprint, current.test_fingerprint) and (
            self.test_fingerprint != current.test_fingerprint
        ):
            raise StudyError(
                f"the test split changed since study {study_name!r} was created (from "
                f"{source}); {fix}, or restore the test data."
            )
        changed = _setting_changes(self, current)
        if changed:
            raise StudyError(
                f"this run's settings differ from study {study_name!r}'s: {'; '.join(changed)}. "
                f"Leave those options out to resume it, or {fix}."
            )


def _setting_changes(recorded: StudyRecord, current: StudyRecord) -> list[str]:
    """``'folds 3 (the study has 2)'`` for every setting, sampler or pruner that differs."""
    then = recorded.settings.as_dict() | {"sampler": recorded.sampler, "pruner": recorded.pruner}
    now = current.settings.as_dict() | {"sampler": current.sampler, "pruner": current.pruner}
    changed = [key for key in now if now[key] != then[key]]
    return [f"{key} {now[key]} (the study has {then[key]})" for key in changed]


def read_record(study: optuna.Study) -> StudyRecord:
    """The study's record; refuses studies not made by hpsearch."""
    attrs = study.user_attrs.get(RECORD_KEY)
    if attrs is None:
        raise StudyError(f"study {study.study_name!r} was not created by hpsearch.")
    return StudyRecord.from_attrs(attrs)


def write_record(study: optuna.Study, record: StudyRecord) -> None:
    study.set_user_attr(RECORD_KEY, record.to_attrs())


def upgrade_record(study: optuna.Study, *, fingerprint: str, legacy: tuple[str, ...]) -> None:
    """Rewrites an older record in the current format, so the study resumes.

    A space fingerprint an older release recorded for the same code (``legacy``: the raw
    source's hash, the source before the rename to ``hpsearch``) becomes ``fingerprint``.
    """
    attrs = study.user_attrs.get(RECORD_KEY)
    if not attrs:
        return
    record = StudyRecord.from_attrs(attrs)
    if record.space_fingerprint in legacy:
        record = replace(record, space_fingerprint=fingerprint)
    if record.to_attrs() != attrs:
        write_record(study, record)
