"""Imported once by the workers' fork server (``_forkserver.py``), for its side effects.

Keras with its backend and the engine's worker modules load here, once per search, rather
than in every worker; each worker is then a fork of this warm process. So do the modules
Optuna's RDB storage imports when it first opens a database (SQLAlchemy's ORM, Alembic and
its templates: ~0.3 s a worker here), by opening and closing one in memory. The objects loaded
so far are frozen out of the garbage collector, so that a worker's collections do not
write to their headers and copy the pages it shares with this process.
"""

import gc

from hpsearch._quiet import import_keras_quietly, quiet_logs

import_keras_quietly()
quiet_logs()

import hpsearch._workers  # noqa: E402, F401 - the worker body and all it imports
from hpsearch._storage import open_storage, release_connections  # noqa: E402

release_connections(open_storage("sqlite:///:memory:"))  # no connection outlives the fork

gc.freeze()
