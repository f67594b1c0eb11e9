"""Imported once by the workers' fork server (``_forkserver.py``), for its side effects.

Keras with its backend and the engine's worker modules load here, once per search, rather
than in every worker; each worker is then a fork of this warm process. The objects loaded
so far are frozen out of the garbage collector, so that a worker's collections do not
write to their headers and copy the pages it shares with this process.
"""

import gc

from hpsearch._quiet import import_keras_quietly, quiet_logs

import_keras_quietly()
quiet_logs()

import hpsearch._workers  # noqa: E402, F401 - the worker body and all it imports

gc.freeze()
