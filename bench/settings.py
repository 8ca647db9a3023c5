"""Settings for `manage.py bench_pages --full`: production's, served over plain HTTP on loopback.

Production always marks the session and CSRF cookies Secure (and redirects to HTTPS unless
SECURE_SSL_REDIRECT=false); the benchmark talks plain HTTP to 127.0.0.1, so only those are
relaxed here. Everything else (DEBUG off, the manifest static storage, middleware, sessions,
the MFA setting from ROSTER_MFA_REQUIRED, CONN_MAX_AGE from the environment) is production's.
"""

from config.settings.production import *  # noqa: F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
# With REDIS_URL set, the publish test's delivery tasks go to a queue of their own (nothing consumes
# them; the benchmark purges it), never to the queue a real worker on the same Redis reads.
CELERY_TASK_DEFAULT_QUEUE = "roster-bench"
