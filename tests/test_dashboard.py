"""optuna-dashboard on a real small study: HTTP API, a headless browser, and a live search."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import optuna
import pytest
from click.testing import CliRunner

from hpsearch.cli import cli
from tests.conftest import space_file
from tests.helpers import HPSEARCH, TINY

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 10.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


class Dashboard:
    """``hpsearch dashboard`` as a user runs it, on loopback, stopped at the end."""

    def __init__(self, storage: str, artifact_dir: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [HPSEARCH, "dashboard", "--storage", storage, "--port", str(self.port),
             "--artifact-dir", str(artifact_dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                _get(f"{self.url}/api/meta", timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError("optuna-dashboard did not start within 60 s")

    def api(self, path: str) -> dict:
        status, body = _get(f"{self.url}{path}")
        assert status == 200
        return json.loads(body)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.fixture(scope="module")
def tested_study(tmp_path_factory, data_dir):
    """A finished, tested tiny study served by a real dashboard for this module's tests."""
    folder = tmp_path_factory.mktemp("dashboard")
    storage = f"sqlite:///{folder}/studies.db"
    args = ["optimize", "--space-file", space_file("tiny"), "--trials", "3", *TINY]
    runner = CliRunner(env={"HPSEARCH_DATA_DIR": str(data_dir)})
    result = runner.invoke(cli, [*args, "--storage", storage, "--output-dir", str(folder)])
    assert result.exit_code == 0, result.output
    dashboard = Dashboard(storage, folder / "artifacts")
    yield dashboard
    dashboard.stop()


def test_api_lists_study_trials_note_and_best_trial_artifacts(tested_study):
    (summary,) = tested_study.api("/api/studies")["study_summaries"]
    assert summary["study_name"] == "tiny"
    detail = tested_study.api(f"/api/studies/{summary['study_id']}?after=0")
    assert len(detail["trials"]) == 3
    assert detail["objective_names"] == ["val_mse"]  # plots name the metric, not "Objective 0"
    best = detail["best_trials"][0]
    note = detail["note"]["body"]
    assert "**test**: mse" in note and "sampler / pruner" in note
    names = {a["filename"]: a for a in best["artifacts"]}
    assert {"learning_curves.png", "predicted_vs_true.png", "metrics.json", "best.json"} <= set(
        names
    )
    artifact = names["metrics.json"]["artifact_id"]
    status, body = _get(
        f"{tested_study.url}/artifacts/{summary['study_id']}/{best['trial_id']}/{artifact}"
    )
    assert status == 200 and "test" in json.loads(body)
    assert all(t["intermediate_values"] for t in detail["trials"])  # per-epoch curves
    assert "fold_scores" in {a["key"] for a in best["user_attrs"]}


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed")
def test_headless_browser_shows_the_best_trial_and_note(tested_study, tmp_path):
    from playwright.sync_api import sync_playwright

    (summary,) = tested_study.api("/api/studies")["study_summaries"]
    best = tested_study.api(f"/api/studies/{summary['study_id']}?after=0")["best_trials"][0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        page = browser.new_page()
        study_page = f"{tested_study.url}/dashboard/studies/{summary['study_id']}"
        page.goto(study_page)
        page.get_by_text("Best Trial (number=").first.wait_for(timeout=30_000)
        best_card = page.inner_text("body")
        page.goto(f"{study_page}/note")
        page.get_by_text("sampler / pruner").first.wait_for(timeout=30_000)
        note = page.inner_text("body")
        page.goto(f"{study_page}/trials?numbers={best['number']}")
        page.get_by_text("metrics.json").first.wait_for(timeout=30_000)
        page.screenshot(path=str(tmp_path / "best_trial.png"))
        browser.close()
    assert f"Best Trial (number={best['number']})" in best_card
    assert "tiny: tiny on california" in note and "test: mse" in note


def test_dashboard_opened_during_a_search_does_not_disturb_it(tmp_path, data_dir):
    storage = f"sqlite:///{tmp_path}/live.db"
    env = {**os.environ, "HPSEARCH_DATA_DIR": str(data_dir)}
    search = subprocess.Popen(
        [HPSEARCH, "optimize", "--space-file", space_file("tiny"), "--trials", "6", *TINY,
         "--no-final", "--pruner", "none", "--storage", storage],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not (tmp_path / "live.db").exists():
        assert time.monotonic() < deadline, "the search made no storage in 120 s"
        time.sleep(0.2)
    dashboard = Dashboard(storage, tmp_path / "artifacts")
    answered = 0
    try:
        while search.poll() is None:
            assert time.monotonic() < deadline + 180, "the search did not end in 5 minutes"
            studies = dashboard.api("/api/studies")["study_summaries"]
            for study in studies:
                dashboard.api(f"/api/studies/{study['study_id']}?after=0")
                answered += 1
            time.sleep(0.2)
    finally:
        dashboard.stop()
        if search.poll() is None:
            search.kill()
    output = search.stdout.read()
    assert search.returncode == 0, output
    assert answered > 5
    finished = optuna.load_study(study_name="tiny", storage=storage).get_trials()
    assert [t.state for t in finished] == [optuna.trial.TrialState.COMPLETE] * 6
