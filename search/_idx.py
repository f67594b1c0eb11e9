"""Reader for the IDX files of (Fashion-)MNIST, gzip-compressed or not.

Written by hand because the format is 20 lines and every failure mode (wrong
magic number, truncated file) must become one clear :class:`DataError`.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from hpsearch._errors import DataError

_MAGIC_DIMS = {2049: 1, 2051: 3}  # labels are 1-d, images are 3-d (n, rows, cols)


def read_idx(path: Path) -> np.ndarray:
    """Reads an IDX file of unsigned bytes.

    Args:
        path: The ``*-idx1-ubyte`` (labels) or ``*-idx3-ubyte`` (images) file, ``.gz`` or raw.

    Returns:
        A ``uint8`` array of shape ``(n,)`` or ``(n, rows, cols)``.

    Raises:
        DataError: If the file is missing, not IDX, or its size disagrees with its header.
    """
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as stream:
            raw = stream.read()
    except FileNotFoundError:
        raise DataError(f"data file not found: {path}") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"cannot read {path}: {exc}") from None
    if len(raw) < 8:
        raise DataError(f"{path} is not an IDX file: only {len(raw)} bytes.")
    magic = int.from_bytes(raw[:4], "big")
    if magic not in _MAGIC_DIMS:
        raise DataError(
            f"{path} is not an IDX ubyte file: magic number {magic}, expected 2049 or 2051."
        )
    n_dims = _MAGIC_DIMS[magic]
    header_end = 4 + 4 * n_dims
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(n_dims)]
    expected = header_end + int(np.prod(dims))
    if len(raw) != expected:
        raise DataError(
            f"{path} is truncated or padded: {len(raw)} bytes, but its header {dims} "
            f"needs {expected}."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_end).reshape(dims)
