"""KerasTuner models searched unchanged: ``build_model(hp)``, ``build(hp)`` or a ``HyperModel``.

Each ``hp.Int`` / ``hp.Float`` / ``hp.Choice`` / ``hp.Boolean`` call becomes the matching
``trial.suggest_*`` at the moment the model's code makes it, so the search is define-by-run
like KerasTuner's own: a hyperparameter inside an inactive ``conditional_scope`` (or a
``units_2`` of a two-layer model) is never sampled or stored. ``hp.Fixed`` values are used,
not stored. Parameters keep KerasTuner's names. A ``HyperModel.fit`` override trains each
fold, with hpsearch's callbacks and validation data among its arguments.
"""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import Any

import keras_tuner
import optuna
from keras_tuner.engine import hyperparameters as kt_hp

from hpsearch._errors import SpaceError, TrialError
from hpsearch._space import Space, module_source

#: KerasTuner's default objective is ``val_loss``: its spaces compile their own metrics.
DEFAULT_METRIC = "loss"


class _TrialHyperParameters(keras_tuner.HyperParameters):
    """KerasTuner's ``HyperParameters`` whose values come from an Optuna trial."""

    def __init__(self, trial: Any) -> None:
        super().__init__()
        self._trial = trial

    def _retrieve(self, hp):
        if hp.name not in self.values and self._conditions_are_active(hp.conditions):
            value = _suggest(self._trial, hp)
            if value is not None:
                self.values[hp.name] = value
        return super()._retrieve(hp)


def _suggest(trial: Any, hp) -> Any:
    """The trial's value for one KerasTuner hyperparameter (``None`` for ``Fixed``)."""
    sampling = getattr(hp, "sampling", "linear") or "linear"
    if sampling not in ("linear", "log"):
        raise SpaceError(
            f"hp.{type(hp).__name__}({hp.name!r}, sampling={sampling!r}) is not supported by "
            "hpsearch's KerasTuner bridge; use sampling='linear' or 'log'."
        )
    if isinstance(hp, kt_hp.Fixed):
        return None
    if isinstance(hp, kt_hp.Boolean):
        return trial.suggest_categorical(hp.name, [False, True])
    if isinstance(hp, kt_hp.Choice):
        return trial.suggest_categorical(hp.name, list(hp.values))
    if isinstance(hp, kt_hp.Int):
        return _suggest_int(trial, hp, log=sampling == "log")
    if isinstance(hp, kt_hp.Float):
        if sampling == "log" or hp.step is None:
            return trial.suggest_float(hp.name, hp.min_value, hp.max_value, log=sampling == "log")
        return trial.suggest_float(hp.name, hp.min_value, hp.max_value, step=hp.step)
    raise SpaceError(
        f"hp.{type(hp).__name__} ({hp.name!r}) is not supported by hpsearch's KerasTuner "
        "bridge; it supports Int, Float, Choice, Boolean, Fixed and conditional_scope."
    )


def _suggest_int(trial: Any, hp, *, log: bool) -> int:
    step = hp.step or 1
    if log and step > 1:  # KerasTuner's log step is a factor: min, min*step, ... <= max
        values, value = [], hp.min_value
        while value <= hp.max_value:
            values.append(value)
            value *= step
        return trial.suggest_categorical(hp.name, values)
    return trial.suggest_int(hp.name, hp.min_value, hp.max_value, step=step, log=log)


def _unsupported(name: str):
    def refuse(*args, **kwargs):
        raise SpaceError(
            f"build(hp) calls hp.{name}, which hpsearch's KerasTuner bridge does not support; "
            "it supports Int, Float, Choice, Boolean, Fixed and conditional_scope."
        )

    return refuse


# Methods that would read or change the space itself rather than ask for a value.
for _name in ("merge", "copy", "from_config", "get_config", "name_scope"):
    setattr(_TrialHyperParameters, _name, _unsupported(_name))


def is_kerastuner_model(value: Any) -> bool:
    """A ``HyperModel`` (instance or subclass) or a one-argument ``build(hp)`` function."""
    if isinstance(value, keras_tuner.HyperModel):
        return True
    if inspect.isclass(value):
        return issubclass(value, keras_tuner.HyperModel) and value is not keras_tuner.HyperModel
    return inspect.isfunction(value) and len(inspect.signature(value).parameters) == 1


def kerastuner_entry(module: ModuleType) -> Any:
    """A KerasTuner ``HyperModel`` (instance or subclass) or ``build_model(hp)`` / ``build(hp)``
    in ``module``, or None."""
    for value in vars(module).values():
        if isinstance(value, keras_tuner.HyperModel):
            return value
        if (
            inspect.isclass(value)
            and issubclass(value, keras_tuner.HyperModel)
            and value is not keras_tuner.HyperModel
            and value.__module__ == module.__name__
        ):
            return value()
    for name in ("build_model", "build"):
        function = getattr(module, name, None)
        if callable(function) and len(inspect.signature(function).parameters) == 1:
            return function
    return None


def space_from_hypermodel(
    entry: Any, *, name: str, module: ModuleType | None = None, file: str | None = None,
    **overrides: Any,
) -> Space:  # fmt: skip
    """A :class:`Space` that searches a KerasTuner ``build(hp)`` or ``HyperModel`` as written.

    ``TASK``, ``METRIC``, ``DIRECTION``, ``DATASET``, ``preprocessor(params)`` and ``load()``
    in ``module`` (or the same keyword ``overrides``) apply as for any space; the metric
    defaults to ``loss``.
    """
    if inspect.isclass(entry):
        entry = entry()
    hypermodel = entry if isinstance(entry, keras_tuner.HyperModel) else None
    build_hp = hypermodel.build if hypermodel else entry

    def suggest(trial):
        hp = _TrialHyperParameters(trial)
        build_hp(hp)
        return dict(hp.values)

    def build(params, input_shape, n_outputs):
        return build_hp(_TrialHyperParameters(optuna.trial.FixedTrial(params)))

    fit = None
    if hypermodel is not None and type(hypermodel).fit is not keras_tuner.HyperModel.fit:

        def fit(params, model, x, y, *, trial=None, **kwargs):
            # The search's live trial samples what fit asks for (KerasTuner lets fit define
            # hyperparameters); the final fit replays the best trial's values.
            hp = _TrialHyperParameters(trial or optuna.trial.FixedTrial(params))
            hp.values.update(params)  # build's values, as KerasTuner's fit(hp) sees them
            history = hypermodel.fit(hp, model, x, y, **kwargs)
            if not hasattr(history, "history"):
                raise TrialError(
                    "HyperModel.fit must return what model.fit returns (a History): hpsearch "
                    f"scores and prunes each epoch, but it returned {type(history).__name__}."
                )
            return history

    settings = {
        key.lower(): getattr(module, key)
        for key in ("TASK", "METRIC", "DIRECTION", "DATASET", "preprocessor")
        if module is not None and hasattr(module, key)
    }
    options = {"metric": DEFAULT_METRIC, **settings, **overrides}
    source = module_source(module) if module is not None else ""
    return Space(
        suggest=suggest, build=build, fit=fit, name=name, file=file,
        load=getattr(module, "load", None), source=source or _source_of(entry), **options,
    )  # fmt: skip


def _source_of(entry: Any) -> str:
    try:
        return inspect.getsource(entry if callable(entry) and not isinstance(
            entry, keras_tuner.HyperModel) else type(entry))  # fmt: skip
    except (OSError, TypeError):
        return repr(entry)
