"""Built-in search spaces: one module per task, found by name.

A new task is one new file in this folder; :data:`BUILTIN` picks it up. The
contract every space module follows is documented in ``search/_space.py``.
"""

from __future__ import annotations

import pkgutil

#: Space name -> importable module path, one entry per public module in this package.
BUILTIN: dict[str, str] = {
    info.name: f"{__name__}.{info.name}"
    for info in pkgutil.iter_modules(__path__)
    if not info.name.startswith("_")
}

__all__ = ["BUILTIN"]
