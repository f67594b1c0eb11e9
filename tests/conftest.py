"""Shared fixtures: a click runner, the offline data folder, a throwaway storage."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """``../shared/data``: the offline California housing and MNIST copies."""
    if not (SHARED_DATA / "california_housing" / "cal_housing.data").exists():
        pytest.fail(f"offline data missing: {SHARED_DATA} (see README, 'Offline data')")
    return SHARED_DATA


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
