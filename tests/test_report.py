"""``hpsearch report`` and ``show --format``: every promised file, nothing referenced twice."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd

from hpsearch.cli import cli
from tests.helpers import optimize


def test_report_writes_every_file_it_references(runner, storage, tmp_path):
    assert optimize(runner, storage, trials=4).exit_code == 0
    result = runner.invoke(cli, ["report", "tiny", "--storage", storage, "-o", "rep"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "rep" / "index.html").read_text()
    referenced = set(re.findall(r'src="([^"]+)"', page))
    written = {p.name for p in (tmp_path / "rep").iterdir()} - {"index.html"}
    assert referenced == written  # references only what it wrote, and wrote nothing unshown
    expected = {"history.png", "parallel.png", "slice.png", "intermediate.png",
                "final_learning_curves.png", "final_predicted_vs_true.png"}  # fmt: skip
    assert expected <= written
    assert "importances.png" in written or "Hyperparameter importances</b>: not drawn" in page
    assert "CV mean ± std" in page and "test (single evaluation)" in page and "mse" in page


def test_report_before_the_test_says_not_evaluated(runner, storage, tmp_path):
    assert optimize(runner, storage, "--no-final", trials=2).exit_code == 0
    result = runner.invoke(cli, ["report", "tiny", "--storage", storage, "-o", "rep"])
    assert result.exit_code == 0, result.output
    assert "Not evaluated on the test set yet" in (tmp_path / "rep" / "index.html").read_text()


def test_show_formats(runner, storage):
    assert optimize(runner, storage, "--no-final", trials=3).exit_code == 0
    table = runner.invoke(cli, ["show", "tiny", "--storage", storage])
    assert table.exit_code == 0 and "best trials" in table.output and "units" in table.output
    csv = runner.invoke(cli, ["show", "tiny", "--storage", storage, "--format", "csv"])
    frame = pd.read_csv(io.StringIO(csv.stdout))
    assert len(frame) == 3 and {"number", "value", "state", "units"} <= set(frame.columns)
    assert list(frame["value"]) == sorted(frame["value"])  # best (lowest MSE) first
    rows = json.loads(runner.invoke(cli, ["show", "tiny", "--storage", storage,
                                          "--format", "json"]).stdout)  # fmt: skip
    assert [r["number"] for r in rows] == list(frame["number"])
    assert Path("studies").exists() is False  # --no-final wrote nothing
