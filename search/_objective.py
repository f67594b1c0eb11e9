"""The Optuna objective: k-fold cross-validation on the training data, with pruning.

Every epoch of every fold reports its validation score at step
``fold * max_epochs + epoch``, so steps never collide across folds and a hopeless
configuration is pruned inside its first fold rather than after K full fits.
"""

from __future__ import annotations

import functools
import math
import os
import socket
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np
import optuna
from optuna.trial import TrialState

from hpsearch._cv_score import cv_score
from hpsearch._dataset import Dataset, labels_of
from hpsearch._enqueue import refuse_duplicate_start
from hpsearch._errors import HpsearchError, Infeasible, OverTime, SpaceError, TrialError
from hpsearch._fit import FitResult, FoldModels, fit_model
from hpsearch._fold_cache import FoldCache
from hpsearch._fold_halving import promoted
from hpsearch._graphs import released_custom_gradients
from hpsearch._held_writes import commit_held, holding
from hpsearch._pruning import pruner_name
from hpsearch._seeded_sampler import trial_seed
from hpsearch._settings import SearchSettings
from hpsearch._space import Space
from hpsearch._splits import cv_splits, subsample


def _rss_mib() -> float | None:
    """Resident memory of this process in MiB (Linux), else None."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    kib = next(
        (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")), 0
    )
    return round(kib / 1024, 1)


class _PruningReporter(keras.callbacks.Callback):
    """Reports each epoch's validation score to Optuna and stops the fit when pruned.

    ``seconds`` is the time spent in the storage and the pruner: inside ``fit``, yet not
    training (a remote database makes it large).
    """

    def __init__(self, trial: optuna.Trial, monitor: str, step_offset: int) -> None:
        super().__init__()
        self.trial, self.monitor, self.step_offset = trial, monitor, step_offset
        self.pruned_at: int | None = None
        self.step: int | None = None
        self.value: float | None = None
        self.seconds = 0.0

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        logs = logs or {}
        if self.monitor not in logs:
            raise SpaceError(
                f"metric {self.monitor!r} is not logged by the model; logged: {sorted(logs)}. "
                "Check the space's METRIC against the metrics its build() compiles."
            )
        value = float(logs[self.monitor])
        if not math.isfinite(value):
            return  # the divergence check fails the trial after fit
        self.step, self.value = self.step_offset + epoch, value
        started = time.perf_counter()
        self.trial.report(value, self.step)
        with warnings.catch_warnings():
            # Early stopping ends folds at different epochs, so trials rarely share every
            # step; WilcoxonPruner compares the shared ones and warns about the rest.
            warnings.filterwarnings("ignore", "WilcoxonPruner finds steps", UserWarning)
            prune = self.trial.should_prune()
        self.seconds += time.perf_counter() - started
        if prune:
            self.pruned_at = epoch
            self.model.stop_training = True


class _TrialClock(keras.callbacks.Callback):
    """Stops a trial that runs past its time budget, checked after every call of Keras's
    training loop (one or a few batches: ``hpsearch._fit.STEPS_PER_EXECUTION``).

    On 2 CPU cores one sampled CNN took 46 minutes for a CV score of 0.48
    (``bench_fashion_cnn_v5`` trial 2); a budget ends such a trial when it runs out, even
    mid-epoch, since one epoch of a large CNN took 19 minutes there.
    """

    def __init__(self, limit: float, total_epochs: int) -> None:
        super().__init__()
        self.limit, self.total_epochs = limit, total_epochs
        self.start, self.epochs_done = time.monotonic(), 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epochs_done += 1

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        elapsed = time.monotonic() - self.start
        if elapsed > self.limit:
            steps = self.params.get("steps") or batch + 1
            done = self.epochs_done + (batch + 1) / steps
            raise OverTime(elapsed, elapsed * self.total_epochs / done, self.limit)


class Objective:
    """Callable objective: the folds' mean validation score at the epoch where it is best
    (:mod:`hpsearch._cv_score`).

    The data set's test split is never touched here: only ``dataset.x``/``dataset.y``.
    """

    def __init__(
        self,
        space: Space,
        dataset: Dataset,
        settings: SearchSettings,
        *,
        on_epoch: Callable[[int, int, int, float | None], None] | None = None,
    ) -> None:
        self.space, self.settings, self.on_epoch = space, settings, on_epoch
        stratified = space.task != "regression"
        self.cv_seed = settings.seed if settings.seed is not None else 0
        self.x, self.y = subsample(
            dataset.x, dataset.y, fraction=settings.subsample, stratified=stratified,
            seed=self.cv_seed,
        )  # fmt: skip
        self.n_classes = len(dataset.class_names or ()) or None
        self.splits = cv_splits(
            labels_of(self.y), stratified=stratified, folds=settings.folds, seed=self.cv_seed
        )
        self.mode = "max" if space.direction == "maximize" else "min"
        self._report_seconds = 0.0  # the running trial's, summed over its folds
        self.fold_cache = FoldCache()  # preprocessed folds, shared by this search's trials
        self._distributions: dict[str, optuna.distributions.BaseDistribution] | None = None

    def _check_distributions(self, trial: optuna.Trial) -> None:
        """Refuses a space whose ranges changed under the same study (e.g. read from env)."""
        if self._distributions is None:
            self._distributions = {}
            for done in trial.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
                self._distributions.update(done.distributions)
        for name, distribution in trial.distributions.items():
            known = self._distributions.setdefault(name, distribution)
            if known != distribution:
                raise SpaceError(
                    f"parameter {name!r} was sampled from {known} in this study's earlier trials "
                    f"but from {distribution} now; a changed space needs a new --study-name."
                )

    def _progress(self, number: int, fold: int) -> list[keras.callbacks.Callback]:
        if self.on_epoch is None:
            return []
        hook, monitor = self.on_epoch, self.space.monitor
        return [
            keras.callbacks.LambdaCallback(
                on_epoch_end=lambda epoch, logs: hook(number, fold, epoch + 1, logs.get(monitor))
            )
        ]

    def __call__(self, trial: optuna.Trial) -> float:
        with holding(trial):  # committed in steps, as ``_held_writes.py`` says
            return self._run(trial)

    def _run(self, trial: optuna.Trial) -> float:
        # Which process runs the trial: a RUNNING trial whose process is gone was abandoned.
        trial.set_user_attr("host", socket.gethostname())
        trial.set_user_attr("pid", os.getpid())
        if "CUDA_VISIBLE_DEVICES" in os.environ:  # the GPU a worker was given
            trial.set_user_attr("cuda_visible_devices", os.environ["CUDA_VISIBLE_DEVICES"])
        commit_held(trial)  # before the space's code runs, which may hang or kill the process
        self._report_seconds = 0.0
        params = self.space.suggested(trial)
        self._check_distributions(trial)
        seed = trial_seed(self.settings.seed, trial.number)  # fresh without --seed
        trial.set_user_attr("seed", seed)
        commit_held(trial)  # its parameters, for the dashboard while the first fold trains
        try:
            refuse_duplicate_start(trial)
            with released_custom_gradients():  # else TensorFlow keeps the trial's graphs
                return self._cross_validate(trial, params, seed)
        except (HpsearchError, optuna.TrialPruned):
            raise
        except Infeasible as exc:
            raise self._infeasible(trial, exc) from None
        except TrialError as exc:
            trial.set_user_attr("fail_reason", str(exc))
            raise
        except Exception as exc:  # noqa: BLE001 - a user's build/fit error fails its trial only
            reason = f"{exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            trial.set_user_attr("fail_reason", reason)
            raise TrialError(reason) from exc
        finally:
            trial.set_user_attr("rss_mib", _rss_mib())  # memory creep shows in the dashboard
            trial.set_user_attr("report_seconds", round(self._report_seconds, 3))

    def _cross_validate(self, trial: optuna.Trial, params: dict[str, Any], seed: int) -> float:
        """Fits fold after fold, recording each as it ends, so pruned trials keep theirs.

        ``fold_scores`` and ``best_epochs`` are each fold's own best, which fold halving
        ranks; the trial's value is read at one epoch for all folds, ``cv_epochs``.
        """
        folds: dict[str, list] = {"fold_scores": [], "best_epochs": [], "fit_seconds": []}
        curves = []
        limit, max_epochs = self.settings.max_trial_seconds, self.settings.max_epochs
        clock = [] if limit is None else [_TrialClock(limit, len(self.splits) * max_epochs)]
        models = FoldModels()
        for fold, (train, val) in enumerate(self.splits):
            reporter = _PruningReporter(trial, self.space.monitor, fold * max_epochs)
            callbacks = [reporter, *clock]
            result = self._fit_fold(trial, params, seed=seed + fold, fold=fold, rows=(train, val),
                                    callbacks=callbacks, models=models)  # fmt: skip
            self._report_seconds += reporter.seconds
            curve = result.history[self.space.monitor]
            curves.append(curve)
            best = int(np.nanargmax(curve) if self.mode == "max" else np.nanargmin(curve))
            folds["fold_scores"].append(float(curve[best]))
            folds["best_epochs"].append(best + 1)
            folds["fit_seconds"].append(round(result.seconds, 2))
            for key, values in folds.items():
                trial.set_user_attr(key, values)
            if fold == 0:  # the folds share one model
                trial.set_user_attr("n_params", int(result.model.count_params()))
            commit_held(trial)  # fold halving in other processes reads fold_scores
            if reporter.pruned_at is not None:
                self._record_pruning(trial, fold, reporter)
            if fold < len(self.splits) - 1:
                self._halve(trial, fold, folds["fold_scores"], len(curve))
        score = cv_score(curves, maximize=self.mode == "max")
        trial.set_user_attr("cv_epochs", score.epochs)
        trial.set_user_attr("cv_fold_scores", score.fold_scores)
        return score.value

    def _halve(self, trial: optuna.Trial, fold: int, scores: list[float], epochs: int) -> None:
        """Prunes the trial after ``fold`` unless it ranks in the top of that rung."""
        reduction = self.settings.fold_halving
        if reduction <= 1:
            return
        rivals = [t for t in trial.study.get_trials(deepcopy=False) if t.number != trial.number]
        if promoted(scores, rivals, reduction=reduction, maximize=self.mode == "max"):
            return
        pruner = f"fold halving (top 1/{reduction})"
        trial.set_user_attr("pruned_at", {
            "fold": fold, "epoch": epochs, "step": None, "value": float(np.mean(scores)),
            "pruner": pruner, "fold_complete": True,
        })  # fmt: skip
        raise optuna.TrialPruned(f"pruned by {pruner} after fold {fold}")

    def _fit_fold(self, trial, params, *, seed, fold, rows, callbacks, models) -> FitResult:
        train, val = rows
        # A space may tune epochs; capped so report steps stay inside each fold's block.
        epochs = min(int(params.get("epochs", self.settings.max_epochs)), self.settings.max_epochs)
        stopper = keras.callbacks.EarlyStopping(
            monitor=self.space.monitor, mode=self.mode, patience=self.settings.patience
        )
        return fit_model(
            self.space, params, self.x[train], self.y[train],
            epochs=epochs, seed=seed, validation=(self.x[val], self.y[val]),
            callbacks=[*callbacks, stopper, *self._progress(trial.number, fold)],
            max_params=self.settings.max_params, n_classes=self.n_classes, trial=trial,
            reuse=models, preprocess=functools.partial(self.fold_cache.fit_transform, fold=fold),
        )  # fmt: skip

    @staticmethod
    def _infeasible(trial: optuna.Trial, exc: Infeasible) -> optuna.TrialPruned:
        """Records a broken budget as a violated constraint; the trial is pruned, not failed."""
        for key, value in exc.attrs.items():
            trial.set_user_attr(key, value)
        trial.set_user_attr("over_budget", str(exc))
        trial.set_constraint(exc.constraint, exc.violation)
        return optuna.TrialPruned(str(exc))

    @staticmethod
    def _record_pruning(trial: optuna.Trial, fold: int, reporter: _PruningReporter) -> None:
        """Where and why the trial stopped, for the progress line and the dashboard."""
        epoch = reporter.pruned_at + 1
        pruner = pruner_name(trial.study.pruner)
        where = {"fold": fold, "epoch": epoch, "step": reporter.step, "value": reporter.value}
        trial.set_user_attr("pruned_at", where | {"pruner": pruner})
        raise optuna.TrialPruned(f"pruned by {pruner} in fold {fold} at epoch {epoch}")
