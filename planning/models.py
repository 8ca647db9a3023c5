"""The planning app's models, one module per area (planning/<area>/models.py)."""

from .pool.models import AgencySupport, PoolEntry, PoolLanguage, Region, Speciality  # noqa: F401
from .sessions.models import *  # noqa: F401,F403
