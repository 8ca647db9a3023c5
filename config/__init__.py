from .prometheus import use_container_process_ids

use_container_process_ids()  # before any metric exists (config/prometheus.py)

from .celery import app as celery_app  # noqa: E402

__all__ = ("celery_app",)
