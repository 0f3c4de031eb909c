"""gunicorn settings for `bench.bare_app`: the services' own (shared/gunicorn_conf.py), except
where it listens and what it serves; no migrations, no data loading."""

import os

from shared.gunicorn_conf import (  # noqa: F401 - re-exported as gunicorn settings
    accesslog,
    graceful_timeout,
    keepalive,
    threads,
    timeout,
    worker_class,
    workers,
)

bind = os.environ["HR_BENCH_BIND"]
proc_name = "hr-bench-bare"
wsgi_app = "bench.bare_app:app"
