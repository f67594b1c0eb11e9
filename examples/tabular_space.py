"""A classifier for any numeric table: an MLP with standardized features, searched over depth,
width, dropout, L2, optimizer and learning-rate schedule. No DATASET, TASK or METRIC: hpsearch
infers them from ``--data`` (binary for two classes, multiclass for more; accuracy).

    hpsearch optimize --space-file examples/tabular_space.py --data my.csv --target label
"""

from sklearn.preprocessing import StandardScaler

from hpsearch import blocks


def suggest(trial):
    params = blocks.suggest_dense_stack(trial, layers=(1, 3), units=(8, 256), dropout=(0.0, 0.5))
    params["l2"] = trial.suggest_float("l2", 1e-7, 1e-2, log=True)
    params |= blocks.suggest_optimizer(trial, families=("sgd", "adam"), learning_rate=(1e-4, 1e-1))
    params |= blocks.suggest_schedule(trial)
    params["batch_size"] = trial.suggest_categorical("batch_size", [16, 32, 64])
    return params


def preprocessor(params):
    """Features on very different scales (areas, ratios): standardized per training fold."""
    return StandardScaler()


def build(params, input_shape, n_outputs):
    task = "binary" if n_outputs == 1 else "multiclass"
    return blocks.mlp(params, input_shape, n_outputs, task, "accuracy")
