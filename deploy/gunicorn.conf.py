"""gunicorn's settings in the container image (the Dockerfile's CMD, docker-compose.yml's web).

Caddy (deploy/Caddyfile) terminates TLS in front of it and passes X-Forwarded-Proto, which the
production settings trust (SECURE_PROXY_SSL_HEADER).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Worker heartbeats in memory rather than on the container's overlay file system.
worker_tmp_dir = "/dev/shm"
# No control socket: the user's home (/app) is read-only to it, and nothing in the stack uses gunicornc.
control_socket_disable = True

# The access log, on stdout: one line a request. It leaves out the query string and the referrer,
# since both can carry what someone typed (a search for an officer's name); the client address is
# the X-Forwarded-For that Caddy sets.
accesslog = "-"
errorlog = "-"
# The path with a password-reset link's token cut out (config.logging.GunicornLogger).
logger_class = "config.logging.GunicornLogger"
access_log_format = '%({x-forwarded-for}i)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'

# gunicorn's own log (start-up, worker exits and timeouts, from the master too) in the same structured
# format as the application's (JSON unless LOG_FORMAT=console), on stderr. gunicorn has put its working
# folder (/app) on sys.path before it reads this file.
from config.logging import gunicorn_logconfig_dict as _gunicorn_logconfig_dict  # noqa: E402

logconfig_dict = _gunicorn_logconfig_dict()
