"""Fashion-MNIST CNN: conv blocks (one or two convolutions each, VGG-style), filters, kernels,
pooling, batch norm, dropouts, init, L2."""

from __future__ import annotations

import keras

from hpsearch import blocks

DATASET = "fashion_mnist"
TASK = "multiclass"
METRIC = "accuracy"
DIRECTION = "maximize"


def suggest(trial) -> dict:
    params = {"n_blocks": trial.suggest_int("n_blocks", 1, 3)}
    # Filters double with each block, the usual CNN design: pooling quarters the map, so a
    # wide first block is the costly one (on 2 CPU cores, 128 filters twice at 28x28 took
    # 80 s per epoch on 6,000 images; one block of 32 then one of 64, 10 s on 7,500).
    params["filters"] = trial.suggest_categorical("filters", [16, 32, 64])
    params["convs_per_block"] = trial.suggest_int("convs_per_block", 1, 2)
    params["kernel_size"] = trial.suggest_categorical("kernel_size", [3, 5])
    params["pooling"] = trial.suggest_categorical("pooling", ["max", "average"])
    params["batch_norm"] = trial.suggest_categorical("batch_norm", [False, True])
    params["spatial_dropout"] = trial.suggest_float("spatial_dropout", 0.0, 0.3)
    params["initializer"] = trial.suggest_categorical(
        "initializer", ["glorot_uniform", "he_normal", "he_uniform"]
    )
    params["l2"] = trial.suggest_float("l2", 1e-6, 1e-2, log=True)
    params |= blocks.suggest_dense_stack(trial, layers=(1, 2), units=(32, 512))
    params |= blocks.suggest_optimizer(
        trial, families=("adam", "nadam", "adamw", "rmsprop", "sgd"), learning_rate=(1e-4, 1e-2)
    )
    params |= blocks.suggest_schedule(trial)
    params["batch_size"] = trial.suggest_categorical("batch_size", [64, 128, 256])
    return params


def build(params: dict, input_shape: tuple, n_outputs: int) -> keras.Model:
    pool = {"max": keras.layers.MaxPooling2D, "average": keras.layers.AveragePooling2D}
    inputs = keras.Input(input_shape)
    x = inputs
    for i in range(params["n_blocks"]):
        for _ in range(params["convs_per_block"]):
            x = keras.layers.Conv2D(
                params["filters"] * 2**i, params["kernel_size"], padding="same",
                kernel_initializer=params["initializer"],
                kernel_regularizer=blocks.make_regularizer(params),
            )(x)  # fmt: skip
            if params["batch_norm"]:
                # Keras' default momentum (0.99) lags on a few dozen steps per epoch: the
                # validation accuracy of one sampled model fell to 0.16-0.22 while it trained
                # to 0.66, and early stopping ended good folds. 0.9 tracks training
                # (benchmarks.bn_momentum: 0.72 vs 0.42 after 5 epochs).
                x = keras.layers.BatchNormalization(momentum=0.9)(x)
            x = keras.layers.Activation("relu")(x)
        x = pool[params["pooling"]](2)(x)
        if params["spatial_dropout"] > 0:
            x = keras.layers.SpatialDropout2D(params["spatial_dropout"])(x)
    x = keras.layers.Flatten()(x)
    x = blocks.dense_stack(x, params, initializer=params["initializer"])
    outputs = blocks.output_layer(TASK, n_outputs)(x)
    return blocks.compile_model(keras.Model(inputs, outputs), params, TASK, METRIC)
