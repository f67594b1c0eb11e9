"""Search spaces: plain functions, a module of them, or a built-in space by name.

A space (after optuna-examples ``keras/`` and KerasTuner's ``HyperModel.build``) is:

- ``suggest(trial) -> dict``: define-by-run, so a conditional parameter is sampled only
  when it applies.
- ``build(params, input_shape, n_outputs) -> keras.Model``: compiled, a pure function.
- optional ``preprocessor(params)``: an unfitted scikit-learn transformer (fitted on each
  training fold only); ``GRID``: the declared grid for ``--sampler grid``; ``LOW_COST``: the
  cost-related parameters at their cheap end, for ``--start low-cost``; ``BASELINE``: a
  configuration known to train well and cheaply, for ``--start baseline`` (``_start.py``).
- optional ``TASK`` (``multiclass``, ``binary``, ``regression``), ``METRIC`` (a Keras metric
  logged as ``val_<METRIC>``) and ``DIRECTION``; what is left out is inferred from the data.
- ``DATASET`` (a key of ``hpsearch.DATASETS``), or ``load()`` returning the data, unless the
  data is given separately (``--data``, ``hpsearch.optimize(space, data)``).

A module may instead define a KerasTuner ``build_model(hp)`` / ``build(hp)`` or a
``HyperModel``; see ``_kerastuner.py``.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import importlib
import importlib.util
import inspect
import io
import re
import textwrap
import tokenize
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

from hpsearch._errors import SpaceError
from hpsearch.spaces import BUILTIN

TASKS = ("multiclass", "binary", "regression")
DIRECTIONS = ("maximize", "minimize")
#: Metrics a higher value of which is better; every other metric is minimized.
MAXIMIZED = ("accuracy", "auc", "precision", "recall", "f1_score", "r2_score")
DEFAULT_METRICS = {"multiclass": "accuracy", "binary": "accuracy", "regression": "mse"}


@dataclass(frozen=True)
class Space:
    """A search space made of plain functions; picklable (by value, with ``cloudpickle``).

    Attributes:
        suggest: ``suggest(trial) -> dict`` of parameters, define-by-run.
        build: ``build(params, input_shape, n_outputs) -> compiled keras.Model``.
        task: ``multiclass``, ``binary`` or ``regression``; ``None``: inferred from the data.
        metric: Keras metric scored as ``val_<metric>``; ``None``: the task's default.
        direction: ``maximize`` or ``minimize``; ``None``: from the metric.
        preprocessor: ``preprocessor(params)`` -> unfitted scikit-learn transformer, or None.
        name: Names the study by default.
        grid: ``{param: values}`` for ``--sampler grid``.
        low_cost: ``{param: value}``: the cost-related parameters at their cheap end, which
            ``start="low-cost"`` runs first (with the middle of every other range).
        baseline: ``{param: value}``: a configuration known to train well and cheaply on this
            kind of data, which ``start="baseline"`` runs first (the middle for names left out).
        fit: ``fit(params, model, x, y, *, trial, **fit_kwargs) -> keras History``; ``None``:
            ``model.fit``. ``trial`` is the live Optuna trial during the search, else None.
        dataset: A built-in data set's name, for spaces that bring their data.
        load: ``load()`` returning the space's own data, likewise.
        file: The space file's absolute path, ``None`` for built-ins and functions.
        source: The code the fingerprint hashes; by default the functions' source.
    """

    suggest: Callable[[Any], dict[str, Any]]
    build: Callable[..., Any]
    task: str | None = None
    metric: str | None = None
    direction: str | None = None
    preprocessor: Callable[[dict[str, Any]], Any] | None = None
    name: str = "space"
    grid: dict[str, list] | None = None
    low_cost: dict[str, Any] | None = None
    baseline: dict[str, Any] | None = None
    fit: Callable[..., Any] | None = None
    dataset: str | None = None
    load: Callable[[], Any] | None = None
    file: str | None = None
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        for attr in ("suggest", "build"):
            if not callable(getattr(self, attr)):
                raise SpaceError(f"space {self.name!r}: {attr} must be a function.")
        for attr, valid in (("task", TASKS), ("direction", DIRECTIONS)):
            value = getattr(self, attr)
            if value is not None and value not in valid:
                raise SpaceError(
                    f"space {self.name!r}: {attr.upper()} must be one of {valid}, but got "
                    f"{value!r}."
                )
        if not self.source:
            object.__setattr__(self, "source", _functions_source(self))

    def for_task(self, task: str) -> Space:
        """This space with its task, metric and direction filled in (``task`` if unset)."""
        task = self.task or task
        metric = self.metric or DEFAULT_METRICS[task]
        direction = self.direction or ("maximize" if metric in MAXIMIZED else "minimize")
        return replace(self, task=task, metric=metric, direction=direction)

    @property
    def monitor(self) -> str:
        """The Keras log key scored on each validation fold."""
        return f"val_{self.metric}"

    @property
    def fingerprint(self) -> str:
        """Hash of the code tokens: an edited range changes it; comments, blank lines and line
        wrapping do not, so documenting a space does not strand its studies."""
        return _sha16(_code_tokens(self.source))

    @property
    def legacy_fingerprints(self) -> tuple[str, ...]:
        """What older releases recorded for this same code: the raw source's hash, and both
        hashes of the source as it read before the package was renamed ``hpsearch``."""
        before = re.sub(r"\b(from|import) hpsearch\.spaces\b", r"\1 spaces", self.source)
        before = re.sub(r"\b(from|import) hpsearch\b", r"\1 search", before)
        return (_sha16(self.source), _sha16(_code_tokens(before)), _sha16(before))

    def suggested(self, trial: Any) -> dict[str, Any]:
        """``suggest(trial)``, refusing anything but a dict of parameters."""
        params = self.suggest(trial)
        if not isinstance(params, dict):
            raise SpaceError(
                f"space {self.name!r}: suggest(trial) must return a dict of parameters, but "
                f"returned {type(params).__name__}{'' if params is None else f' {params!r}'}."
            )
        return dict(params)

    def make_preprocessor(self, params: dict[str, Any]):
        return self.preprocessor(params) if self.preprocessor else None

    def train(self, params: dict[str, Any], model, x, y, *, trial: Any = None, **fit_kwargs):
        """Trains ``model``: the space's own ``fit`` (a KerasTuner override), else Keras's
        through the engine's feed (:func:`hpsearch._feed.fit_arrays`)."""
        if self.fit is not None:
            return self.fit(params, model, x, y, trial=trial, **fit_kwargs)
        from hpsearch._feed import fit_arrays  # imports Keras, which loading a space does not

        return fit_arrays(model, x, y, **fit_kwargs)


def _sha16(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _code_tokens(source: str) -> str:
    """The source's tokens without comments and non-logical line breaks, space-separated.

    A fragment that does not tokenize on its own (a lambda cut out of a call) counts as is.
    """
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    try:
        kept = [t.string for t in tokens if t.type not in (tokenize.COMMENT, tokenize.NL)]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source
    return " ".join(kept)


def _functions_source(space: Space) -> str:
    """The source of the space's functions (a notebook cell's too, which IPython keeps)."""
    parts = []
    for function in (space.suggest, space.build, space.preprocessor, space.fit):
        if function is None:
            continue
        try:
            parts.append(textwrap.dedent(inspect.getsource(function)))
        except (OSError, TypeError):  # built in a way that left no source: hash the code
            code = getattr(function, "__code__", None)
            parts.append(repr(code.co_code + repr(code.co_consts).encode()) if code else "")
    return "\n".join(parts)


def from_module(module: ModuleType, *, name: str, file: str | None = None) -> Space:
    """The space a module defines (see the module docstring for what it may define)."""
    label = file or repr(name)
    if not hasattr(module, "suggest"):
        from hpsearch._kerastuner import kerastuner_entry, space_from_hypermodel

        entry = kerastuner_entry(module)
        if entry is not None:
            return space_from_hypermodel(entry, name=name, module=module, file=file)
    for attr in ("suggest", "build"):
        if not hasattr(module, attr):
            raise SpaceError(f"space {label} does not define {attr} (see README, 'Spaces').")
    return Space(
        suggest=module.suggest, build=module.build, name=name, file=file,
        task=getattr(module, "TASK", None), metric=getattr(module, "METRIC", None),
        direction=getattr(module, "DIRECTION", None),
        preprocessor=getattr(module, "preprocessor", None), grid=getattr(module, "GRID", None),
        low_cost=getattr(module, "LOW_COST", None), baseline=getattr(module, "BASELINE", None),
        dataset=getattr(module, "DATASET", None), load=getattr(module, "load", None),
        source=module_source(module),
    )  # fmt: skip


def module_source(module: ModuleType) -> str:
    """A space module's code: what an export embedded, else the file's text."""
    return getattr(module, "__hpsearch_source__", None) or inspect.getsource(module)


def describe_builtin(name: str) -> dict[str, str]:
    """A built-in space's task, metric and one-line summary, read from its source.

    ``hpsearch spaces`` lists them without importing the modules, which import Keras (4 s).
    """
    spec = importlib.util.find_spec(BUILTIN[name])
    tree = ast.parse(Path(spec.origin).read_text())
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    summary = (ast.get_docstring(tree) or "").strip().splitlines()
    return {
        "task": str(constants.get("TASK", "?")),
        "metric": str(constants.get("METRIC", "?")),
        "summary": summary[0] if summary else "",
    }


def load_space(name: str | None = None, *, file: str | Path | None = None) -> Space:
    """Loads a built-in space by name, or a user's space from a ``.py`` file."""
    if file is not None:
        return _load_file(Path(file))
    if name not in BUILTIN:
        close = difflib.get_close_matches(str(name), BUILTIN, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise SpaceError(f"unknown space {name!r}.{hint} Known: {', '.join(sorted(BUILTIN))}.")
    return from_module(importlib.import_module(BUILTIN[name]), name=name)


def _load_file(path: Path) -> Space:
    if path.suffix != ".py" or not path.is_file():
        raise SpaceError(f"--space-file must be an existing .py file, but got {str(path)!r}.")
    module = import_file(path)
    return from_module(module, name=path.stem, file=str(path.resolve()))


def import_file(path: Path, source: str | None = None) -> ModuleType:
    """Imports a space file (or ``source``, the text an export embedded) as a module.

    The module is not registered in ``sys.modules``, so ``cloudpickle`` ships its functions
    to worker processes by value: they need no copy of the file.
    """
    spec = importlib.util.spec_from_loader(f"hpsearch_user_space_{path.stem}", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__file__ = str(path)
    try:
        module.__hpsearch_source__ = source if source is not None else path.read_text()
        code = compile(module.__hpsearch_source__, str(path), "exec")
        exec(code, module.__dict__)  # noqa: S102 - the user's own space file, run as an import
    except Exception as exc:  # noqa: BLE001 - user code: report, don't crash
        raise SpaceError(f"cannot import {path}: {exc.__class__.__name__}: {exc}") from None
    return module
