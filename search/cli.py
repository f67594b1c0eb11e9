"""``hpsearch``: one click command per verb over the engine in ``search``.

Every user-facing error is one line and a non-zero exit; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import getpass
import json
import os
import signal
import sys
from pathlib import Path

import click

from hpsearch._cli_browse import BROWSING
from hpsearch._clitools import (
    OneLineErrors,
    data_dir_option,
    output_option,
    storage_option,
    workers_options,
)
from hpsearch._forkserver import prestart
from hpsearch._heap import skip_collection_at_exit
from hpsearch._quiet import DEBUG_ENV, import_keras_quietly, quiet_logs
from hpsearch._start import STARTS
from hpsearch._storage import release_all
from hpsearch._study import PRUNERS, SAMPLERS


@click.group(cls=OneLineErrors)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Hyperparameter search for Keras models on Optuna."""
    ctx.meta["hpsearch.debug"] = debug
    ctx.call_on_close(release_all)  # a SQLite file in WAL mode is whole once all are closed
    if debug:
        os.environ[DEBUG_ENV] = "1"  # worker processes inherit it
    quiet_logs()


def _command_line(verb: str, study: str) -> str:
    return f"hpsearch {verb} {study} (user {getpass.getuser()})"


@cli.command()
@click.argument("space_name", required=False)
@click.option("--space-file", type=click.Path(dir_okay=False), help="A user space module (.py).")
@click.option(
    "--trials",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Finished (complete or pruned) trials the study ends with, in total.",
)
@click.option("--folds", type=click.IntRange(min=2), help="CV folds [default: 3].")
@click.option("--max-epochs", type=click.IntRange(min=1), help="Epoch cap per fold [default: 20].")
@click.option("--patience", type=click.IntRange(min=1), help="Early stopping [default: 3].")
@click.option(
    "--subsample",
    type=click.FloatRange(0, 1, min_open=True),
    help="Fraction of training rows the search uses [default: 1].",
)
@click.option("--seed", type=click.IntRange(min=0), help="Seed for folds, sampler and trials.")
@click.option("--max-params", type=click.IntRange(min=1), help="Parameter budget per model.")
@click.option(
    "--max-trial-seconds", type=click.FloatRange(min=0, min_open=True),
    help="Time budget per trial; a slower trial is stopped and pruned as infeasible.",
)  # fmt: skip
@click.option(
    "--fold-halving", type=click.IntRange(min=1),
    help="After each fold but the last, prune trials outside the top 1/N of those that "
    "completed as many folds; 1: every trial runs all folds [default: 1].",
)  # fmt: skip
@click.option("--sampler", type=click.Choice(list(SAMPLERS)), help="[default: tpe]")
@click.option("--pruner", type=click.Choice(list(PRUNERS)), help="[default: median]")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds to search.")
@click.option("--study-name", help="Defaults to the space name.")
@click.option("--no-final", is_flag=True, help="Skip the final fit and test evaluation.")
@click.option(
    "--enqueue", "enqueue_files", multiple=True, type=click.Path(dir_okay=False),
    help="Run this configuration first: JSON, an hpsearch export or {param: value}; "
    "missing parameters are sampled; repeatable; skipped if the study already has it.",
)  # fmt: skip
@click.option(
    "--start", type=click.Choice(list(STARTS)),
    help="On a new study with nothing enqueued, trial 0 is the middle of the space (center: "
    "each range's middle, each list's middle entry), the space's LOW_COST with the middle "
    "elsewhere (low-cost), or the space's BASELINE (baseline). Default: the sampler's.",
)  # fmt: skip
@click.option(
    "--trials-per-worker", type=click.IntRange(min=0), default=10, show_default=True,
    envvar="HPSEARCH_TRIALS_PER_WORKER",
    help="Run trials in fresh worker processes of N trials each, so memory stays flat; "
    "0 runs all trials in this process.",
)  # fmt: skip
@click.option(
    "--data", "data_path", type=click.Path(),
    help="Your data: .csv/.parquet (with --target), .npz (x, y[, x_test, y_test]) or a folder "
    "of class subfolders of images. Default: the space's DATASET or load().",
)  # fmt: skip
@click.option("--target", help="The target column of a .csv/.parquet --data file.")
@click.option(
    "--test-data", "test_path", type=click.Path(),
    help="The sealed test split, same format as --data; default: 20 % cut off (seed 42).",
)  # fmt: skip
@workers_options
@click.option(
    "--create-only", is_flag=True,
    help="Create the study (and queue --enqueue) for `hpsearch worker` processes; run nothing.",
)  # fmt: skip
@storage_option
@data_dir_option
@output_option
def optimize(space_name, space_file, trials, timeout, study_name, no_final, enqueue_files,
             trials_per_worker, data_path, target, test_path, workers, gpus, workers_per_gpu,
             create_only, storage, data_dir, output_dir, **options):  # fmt: skip
    """Search SPACE_NAME, then retrain the best and test it once."""
    if trials_per_worker and not create_only:
        prestart(on_gpu=bool(gpus))
    import_keras_quietly()
    from hpsearch._datafiles import DataFile
    from hpsearch._run import optimize as run_optimize

    if bool(space_name) == bool(space_file):
        raise click.UsageError("give either a built-in SPACE_NAME or --space-file, not both.")
    if data_path is None and (target or test_path):
        raise click.UsageError("--target and --test-data go with --data.")
    data = None
    if data_path is not None:
        test = None if test_path is None else str(Path(test_path).resolve())
        data = DataFile(str(Path(data_path).resolve()), target, test)
    run_optimize(
        space_name or Path(space_file), data, trials=trials, timeout=timeout,
        study_name=study_name, storage=storage, data_dir=data_dir, final=not no_final,
        output_dir=Path(output_dir), echo=click.echo, live=sys.stdout.isatty(),
        trials_per_worker=trials_per_worker, enqueue=enqueue_files, workers=workers,
        gpus=gpus, workers_per_gpu=workers_per_gpu, create_only=create_only,
        command=_command_line("optimize", study_name or space_name or space_file), **options,
    )  # fmt: skip


@cli.command()
@click.option("--study", "study_name", required=True, help="The study to work on.")
@click.option(
    "--trials-per-worker", type=click.IntRange(min=0), default=10, show_default=True,
    envvar="HPSEARCH_TRIALS_PER_WORKER", help="Trials per fresh process; 0: all in this one.",
)  # fmt: skip
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds to work.")
@workers_options
@storage_option
@data_dir_option
def worker(study_name, trials_per_worker, timeout, workers, gpus, workers_per_gpu, storage,
           data_dir):  # fmt: skip
    """Join a study on a shared storage and run its trials until it holds its count.

    The study's record gives the space, data and settings, so the storage URL and the study
    name are all it needs; with nothing left to do it exits 0. Run one per GPU or node.
    """
    if trials_per_worker:
        prestart(on_gpu=bool(gpus))
    import_keras_quietly()
    from hpsearch._run import join

    join(
        study_name, storage, data_dir=data_dir, trials_per_worker=trials_per_worker,
        workers=workers, gpus=gpus, workers_per_gpu=workers_per_gpu, timeout=timeout,
        echo=click.echo,
    )  # fmt: skip


@cli.command()
@click.argument("study_name")
@click.option("--force", is_flag=True, help="Evaluate again although already evaluated.")
@storage_option
@data_dir_option
@output_option
def evaluate(study_name, force, storage, data_dir, output_dir):
    """Retrain the best trial of STUDY_NAME on all training data; test it once."""
    import_keras_quietly()
    from hpsearch._evaluate import evaluate as run_evaluate

    result = run_evaluate(
        study_name, storage=storage, data_dir=data_dir, output_dir=Path(output_dir),
        force=force, command=_command_line("evaluate", study_name),
    )  # fmt: skip
    click.echo(json.dumps(result.test))


@cli.command()
@click.argument("study_name")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File (default: stdout).")
@storage_option
def export(study_name, output, storage):
    """Write the best configuration of STUDY_NAME as JSON."""
    import_keras_quietly()
    from hpsearch._export import export_best
    from hpsearch._study import load_study

    text = json.dumps(export_best(load_study(study_name, storage)), indent=2)
    if output:
        Path(output).write_text(text + "\n")
        click.echo(f"wrote {output}")
    else:
        click.echo(text)


@cli.command()
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="A JSON file written by hpsearch export.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Save the model here.")
@click.option("--evaluate", "test", is_flag=True, help="Print test metrics as JSON, last line.")
@data_dir_option
def train(config_path, output, test, data_dir):
    """Rebuild and retrain a model from an exported config; no study needed."""
    import_keras_quietly()
    from hpsearch._export import read_config, train_from_config

    config = read_config(config_path)
    metrics = train_from_config(
        config, data_dir=data_dir, output=Path(output) if output else None, evaluate=test
    )
    if output:
        click.echo(f"wrote {output}")
    if metrics is not None:
        click.echo(json.dumps(metrics))


for _command in BROWSING:
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point.

    SIGTERM (``kill``, a batch scheduler's time limit) stops a run the way Ctrl-C does:
    the running trial is marked failed, finished ones are kept, and the same command resumes.
    """
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        cli(prog_name="hpsearch")
    finally:  # click ends with sys.exit, the storage already released
        skip_collection_at_exit()


if __name__ == "__main__":
    sys.exit(main())
