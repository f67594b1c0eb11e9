# Source on the lent GPU machine: its Python 3.12 has JAX with CUDA but no TensorFlow, Keras or
# Optuna, and no network. So Keras runs on JAX there, and what is missing comes as wheels
# fetched here (pip download --python-version 3.12; benchmarks/README.md, "GPU").
# Usage: source benchmarks/gpu_env.sh WHEEL_DIR DATA_DIR
python3 -m pip install -q --no-index --no-deps --no-compile "$1"/*.whl &&
  python3 -m pip install -q --no-index --no-deps --no-build-isolation . || return 1
# Several searches share one GPU: each takes memory as it needs it, not 75 % up front.
export KERAS_BACKEND=jax HPSEARCH_DATA_DIR="$2" XLA_PYTHON_CLIENT_PREALLOCATE=false
