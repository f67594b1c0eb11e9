"""Reading a user's JSON file (``--config``, ``--enqueue``) with one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_json(path: str | Path, *, label: str, error: type[Exception]) -> Any:
    """The parsed content of ``path``; ``error`` names a missing file as ``label``."""
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise error(f"{label} not found: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{path} is not valid JSON: {exc}") from None
