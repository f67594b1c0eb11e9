"""``examples/notebook.ipynb`` end to end in a real Jupyter kernel (nbclient + ipykernel), on a
tiny budget, with worker processes: the notebook's own functions must reach them."""

from __future__ import annotations

import os

import nbformat
import optuna
from nbclient import NotebookClient

from tests.conftest import REPO

NOTEBOOK = REPO / "examples" / "notebook.ipynb"
TINY_BUDGET = (
    "TRIALS, FOLDS, MAX_EPOCHS = 4, 2, 3\n"
    "TRIALS_PER_WORKER = 2\n"
    'STORAGE = "sqlite:///studies/notebook.db"'
)


def _outputs(cell) -> str:
    return "".join(
        output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
        for output in cell.outputs
    )


def test_the_example_notebook_runs_with_its_functions_in_worker_processes(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    (parameters,) = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    parameters.source = TINY_BUDGET
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )  # fmt: skip
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    client.execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert not any(o.get("output_type") == "error" for c in code for o in c.outputs)
    search = _outputs(code[3])
    assert "study 'wine'" in search and "final fit" in search and "test: accuracy=" in search
    assert "cultivar 3" in _outputs(code[-2])  # the test's per-class figures, by name
    study = optuna.load_study(
        study_name="wine", storage=f"sqlite:///{tmp_path}/studies/notebook.db"
    )
    finished = [t for t in study.trials if t.state.is_finished()]
    assert len(finished) == 4
    # Two workers of two trials each ran the notebook's suggest and build (by value).
    assert len({t.user_attrs["pid"] for t in study.trials}) == 2
    assert (tmp_path / "best.json").exists()
