"""Shared fixtures: a click runner, the data folders, a throwaway storage.

The suite runs from a fresh clone with nothing beside it: ``data_dir`` is the small real
samples shipped in ``tests/fixtures/data``. Only tests that need every row take
``full_data_dir`` (``$HPSEARCH_DATA_DIR`` or ``../shared/data``), and skip without one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_DATA = FIXTURES / "data"
#: Where full offline copies are looked for, first found wins (read at import, before any
#: test changes the environment).
FULL_DATA_CANDIDATES = [
    Path(p) for p in (os.environ.get("HPSEARCH_DATA_DIR"), REPO.parent / "shared" / "data") if p
]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The small real data samples in ``tests/fixtures/data`` (see its README)."""
    return FIXTURE_DATA


@pytest.fixture(scope="session")
def full_data_dir() -> Path:
    """A full offline copy laid out like ``shared/data``; the test skips without one."""
    for folder in FULL_DATA_CANDIDATES:
        if (folder / "california_housing" / "cal_housing.data").exists():
            return folder
    pytest.skip(
        "needs the full offline data (HPSEARCH_DATA_DIR or ../shared/data, README "
        "'Offline data'); the fixtures in tests/fixtures/data are samples"
    )


@pytest.fixture()
def runner(data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    """Runs the CLI in a fresh working folder (so ``studies/`` is per test), data offline."""
    monkeypatch.setenv("HPSEARCH_DATA_DIR", str(data_dir))
    # In-process trials keep the suite fast; tests/search_tests/test_workers.py covers workers.
    monkeypatch.setenv("HPSEARCH_TRIALS_PER_WORKER", "0")
    monkeypatch.chdir(tmp_path)
    return CliRunner()


@pytest.fixture()
def storage(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/studies.db"


def space_file(name: str) -> str:
    """Path of a test space module under ``tests/fixtures/spaces``."""
    return str(FIXTURES / "spaces" / f"{name}.py")
