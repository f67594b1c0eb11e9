"""Loading and checking search-space modules.

A space is a plain module (after optuna-examples ``keras/`` and KerasTuner's
``HyperModel.build``) that defines:

- ``DATASET``: a key of ``search.DATASETS``; ``TASK``: ``multiclass``, ``binary`` or
  ``regression``; ``METRIC``: a Keras metric name logged as ``val_<METRIC>``;
  ``DIRECTION``: ``maximize`` or ``minimize``.
- ``suggest(trial) -> dict``: define-by-run, so a conditional parameter is sampled only
  when it applies.
- ``build(params, input_shape, n_outputs) -> keras.Model``: compiled, a pure function.
- optional ``preprocessor(params)``: an unfitted scikit-learn transformer (fitted on each
  training fold only), and ``GRID``: the declared grid for ``--sampler grid``.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import importlib
import importlib.util
import inspect
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from search._errors import SpaceError
from search._loaders import DATASETS
from spaces import BUILTIN

TASKS = ("multiclass", "binary", "regression")
DIRECTIONS = ("maximize", "minimize")


@dataclass(frozen=True)
class Space:
    """A loaded, checked space module.

    Attributes:
        name: The built-in name, or the file's stem for ``--space-file``.
        module: The module itself.
        file: Absolute path for a user space file, ``None`` for built-ins.
    """

    name: str
    module: ModuleType
    file: str | None = None

    dataset = property(lambda self: self.module.DATASET)
    task = property(lambda self: self.module.TASK)
    metric = property(lambda self: self.module.METRIC)
    direction = property(lambda self: self.module.DIRECTION)
    grid = property(lambda self: getattr(self.module, "GRID", None))

    @property
    def monitor(self) -> str:
        """The Keras log key scored on each validation fold."""
        return f"val_{self.metric}"

    @property
    def fingerprint(self) -> str:
        """Hash of the module's code tokens: an edited range changes it; comments, blank lines
        and line wrapping do not, so documenting a space does not strand its studies."""
        return _sha16(_code_tokens(inspect.getsource(self.module)))

    @property
    def legacy_fingerprint(self) -> str:
        """Hash of the raw source, as studies recorded it before comments stopped counting."""
        return _sha16(inspect.getsource(self.module))

    def suggest(self, trial: Any) -> dict[str, Any]:
        params = self.module.suggest(trial)
        if not isinstance(params, dict):
            raise SpaceError(
                f"space {self.name!r}: suggest(trial) must return a dict of parameters, but "
                f"returned {type(params).__name__}{'' if params is None else f' {params!r}'}."
            )
        return dict(params)

    def build(self, params: dict[str, Any], input_shape: tuple[int, ...], n_outputs: int):
        return self.module.build(params, input_shape, n_outputs)

    def preprocessor(self, params: dict[str, Any]):
        make = getattr(self.module, "preprocessor", None)
        return make(params) if make else None


def _sha16(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _code_tokens(source: str) -> str:
    """The source's tokens without comments and non-logical line breaks, space-separated."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return " ".join(t.string for t in tokens if t.type not in (tokenize.COMMENT, tokenize.NL))


def _check(module: ModuleType, label: str) -> None:
    """Raises SpaceError naming the first thing the module lacks or gets wrong."""
    for attr in ("DATASET", "TASK", "METRIC", "DIRECTION", "suggest", "build"):
        if not hasattr(module, attr):
            raise SpaceError(f"space {label} does not define {attr} (see README, 'Spaces').")
    for attr in ("suggest", "build"):
        if not callable(getattr(module, attr)):
            raise SpaceError(f"space {label}: {attr} must be a function.")
    checks = (("DATASET", tuple(DATASETS)), ("TASK", TASKS), ("DIRECTION", DIRECTIONS))
    for attr, valid in checks:
        value = getattr(module, attr)
        if value not in valid:
            raise SpaceError(f"space {label}: {attr} must be one of {valid}, but got {value!r}.")


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
    module = importlib.import_module(BUILTIN[name])
    _check(module, repr(name))
    return Space(name, module)


def _load_file(path: Path) -> Space:
    if path.suffix != ".py" or not path.is_file():
        raise SpaceError(f"--space-file must be an existing .py file, but got {str(path)!r}.")
    spec = importlib.util.spec_from_file_location(f"hpsearch_user_space_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - user code: report, don't crash
        raise SpaceError(f"cannot import {path}: {exc.__class__.__name__}: {exc}") from None
    _check(module, str(path))
    return Space(path.stem, module, str(path.resolve()))
