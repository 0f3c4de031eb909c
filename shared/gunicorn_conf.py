"""One gunicorn configuration for every service (`HR_SERVICE` names which).

Migrations and first-start data loading run once in the master (`on_starting`) before the
workers fork, so workers never race each other over the schema. The graceful timeout is
short so that `make run` stops everything well within 20 seconds. A clean shutdown closes
every connection in each worker (`worker_exit`) and checkpoints SQLite's WAL in the master
once the workers have left (`on_exit`); files are created owner-only (umask 077).
"""

import glob
import importlib
import os
import shutil
import tempfile

from shared import server_errors
from shared.db import checkpoint_sqlite, close_databases, private_dir
from shared.settings import Settings
from shared.settings_production import refuse_stored_demo_data

_service = os.environ["HR_SERVICE"]
_settings = Settings(_service)

bind = f"{_settings.host}:{_settings.port}"
workers = int(os.environ.get("HR_WORKERS", "2"))
threads = int(os.environ.get("HR_THREADS", "4"))
worker_class = "gthread"
graceful_timeout = int(os.environ.get("HR_GRACEFUL_TIMEOUT", "5"))
timeout = 30
keepalive = 5
accesslog = None  # the app logs each request as JSON itself
# The server's own limits, answered as problem+json like everything else (shared.server_errors).
limit_request_line = server_errors.LIMIT_REQUEST_LINE
limit_request_fields = server_errors.LIMIT_REQUEST_FIELDS
limit_request_field_size = server_errors.LIMIT_REQUEST_FIELD_SIZE
server_errors.install()
proc_name = f"hr-{_service}"
# gunicorn 27's control socket lives at one path per user: four masters would share it.
control_socket_disable = True
wsgi_app = f"services.{_service}.wsgi:app"

# Prometheus: each worker writes its samples to files here and /<service>/metrics adds them
# up (shared/metrics.py). Set before any worker imports prometheus_client. An operator's own
# directory (one per gunicorn master: two masters sharing one would sum each other) is
# created if missing and its sample files removed at start (a previous run's would be summed
# in); a temporary one is ours, removed at exit. The ownership mark lives in the
# environment, so a configuration reload (HUP) does not forget it.
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix=f"hr-{_service}-metrics-")
    os.environ["HR_METRICS_DIR_OWNED"] = "1"
os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], mode=0o700, exist_ok=True)


# Files at rest hold password hashes and encrypted keys: whatever this process and its
# workers create (SQLite files and their -wal/-shm, credentials) is owner-only.
os.umask(0o077)


def on_starting(server):
    private_dir(_settings.data_dir)
    for stale in glob.glob(os.path.join(os.environ["PROMETHEUS_MULTIPROC_DIR"], "*.db")):
        os.remove(stale)
    _settings.check()
    importlib.import_module(f"services.{_service}.app").prepare(_settings)
    refuse_stored_demo_data(_settings)  # production: e.g. demo users left in auth's store


def child_exit(server, worker):
    from shared.metrics import worker_exited

    worker_exited(worker.pid)


def worker_exit(server, worker):
    """A worker leaving cleanly closes every connection it holds (its WAL checkpointed)."""
    app = getattr(worker, "wsgi", None)
    if app is not None:
        try:
            close_databases(app)
        except Exception:  # shutting down: log, never hang the exit
            server.log.exception("closing %s's databases failed", _service)


def on_exit(server):
    checkpoint_sqlite(_settings.database_url)  # every worker has left: the WAL folds back
    if os.environ.get("HR_METRICS_DIR_OWNED") == "1":
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
