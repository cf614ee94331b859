"""Settings of the benchmarked platform: production settings on the bench SQLite file.

``SQLITE_PATH`` (set by ``bench.run``) points at ``var/bench/<size>-seed<N>.sqlite3``;
persistent connections, DEBUG off, manifest static files (collected into var/bench/static).
"""

from config.settings.prod import *  # noqa: F403
from config.settings.prod import BASE_DIR, DATABASES

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# Plain HTTP on the loopback: no redirect to HTTPS (every request would be a 301), no HSTS.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
STATIC_ROOT = BASE_DIR / "var" / "bench" / "static"
DATABASES["default"]["CONN_MAX_AGE"] = None
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
}
