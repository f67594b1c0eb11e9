"""California housing, value >= $200k or not: the `california` MLP with a sigmoid output."""

from __future__ import annotations

import keras

from hpsearch import blocks
from hpsearch.spaces.california import preprocessor, suggest

__all__ = ["DATASET", "DIRECTION", "METRIC", "TASK", "build", "preprocessor", "suggest"]

DATASET = "california_binary"
TASK = "binary"
METRIC = "accuracy"
DIRECTION = "maximize"


def build(params: dict, input_shape: tuple, n_outputs: int) -> keras.Model:
    return blocks.mlp(params, input_shape, n_outputs, TASK, METRIC)
