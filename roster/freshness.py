"""Figures worked out once and kept until the data under them changes.

A page of figures over the whole history (the dashboard) costs far more to work out than to show.
`cached_figures()` keeps them in the cache under a key that holds the *change stamp*: the newest
change recorded in the audit trail (every create, update and delete of a tracked model: officers,
clearances, agencies, missions, bulletins, applications, deployments, and the welfare, ledger and
planning records), and the newest officer row (anonymisation saves its officer outside the trail).
Reading the stamp is one query of two index probes. Any recorded change gives a new stamp, so the
next view works the figures out again: what the cache returns is what the database holds, never
older. The entries also expire after ROSTER["FIGURES_CACHE_SECONDS"], which bounds the one window
the stamp cannot see (a change whose audit entry was stamped before one that committed earlier).
The day is part of every key, since "ending soon" and "expiring" count from today. So is the code that
works them out (`code_stamp`: the project's Python sources), so that a new release never reads what an
older one kept in a shape it no longer expects: the first view after a deployment works them out again.

What is not in the audit trail is left out of what is kept, unless the stamp also reads it: the IPO
staff's home keeps its worklist (whose bulletins open, close and enter the week by the clock: see
`clock`) but counts the failed emails on every view (roster.views.home). An app whose figures rest on
rows the trail does not record adds, with `also`, what moves whenever those rows change (welfare's
check-ins: the newest one, and how many still await a follow-up; see welfare.panels).
"""

import functools
import hashlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.translation import get_language

from agencies.models import Officer
from audit.models import AuditEntry


def change_stamp(*, also: tuple[str, ...] = ()) -> str:
    """The newest recorded change and the newest officer row, as a short string. `also`: more scalar
    subqueries (SQL with no parameter, each one value) read in the same query, for rows the audit
    trail does not record; each should use an index, since every view that asks for it runs it."""
    entries, officers = AuditEntry._meta.db_table, Officer._meta.db_table
    qn = connection.ops.quote_name
    extra = "".join(f", ({sql})" for sql in also)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT {qn('id')} FROM {qn(entries)} WHERE {qn('kind')} = %s "
            f"ORDER BY {qn('timestamp')} DESC, {qn('id')} DESC LIMIT 1), "
            f"(SELECT {qn('updated_at')} FROM {qn(officers)} "
            f"ORDER BY {qn('updated_at')} DESC, {qn('id')} DESC LIMIT 1){extra}",
            [AuditEntry.Kind.CHANGE],
        )
        entry, officer, *more = cursor.fetchone()
    text = "|".join([str(entry or 0), str(officer or ""), *("" if v is None else str(v) for v in more)])
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


@functools.cache
def code_stamp() -> str:
    """The project's Python sources (every app under BASE_DIR, and the settings' package), as a short
    string: read once per process."""
    base = Path(settings.BASE_DIR).resolve()
    roots = {Path(app.path).resolve() for app in apps.get_app_configs()} | {base / "config"}
    roots = {root for root in roots if root.is_relative_to(base) and "site-packages" not in root.parts}
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted({p for root in roots for p in root.rglob("*.py")}):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def scope_of(user) -> str:
    """Whose figures: the whole program's (IPO staff) or one agency's (a coordinator)."""
    agency = getattr(user, "agency_id", None)
    return f"{user.role}:{agency or ''}"


def cached_figures(name: str, user, today, build, *, stamp=None, clock: str = "", per_user: bool = False):
    """`build()`'s result for `user`'s scope, the active language and `today`, from the cache while
    nothing has changed since it was worked out. `clock` is for figures that also change with the
    time of day: the next moments at which they would (e.g. the next bulletin to close), so the key
    changes once the clock passes one of them. `stamp`: the change stamp to use (a string, or a
    function read only when the cache is on); by default `change_stamp()`. `per_user`: kept for `user`
    alone rather than for everyone of their scope (what rests on their own record: an officer's)."""
    timeout = int(settings.ROSTER["FIGURES_CACHE_SECONDS"])
    if timeout <= 0:
        return build()
    stamp = stamp() if callable(stamp) else stamp if stamp is not None else change_stamp()
    if clock:
        stamp = f"{stamp}:{hashlib.blake2b(clock.encode(), digest_size=8).hexdigest()}"
    scope = f"{scope_of(user)}:{user.pk}" if per_user else scope_of(user)
    key = f"roster:figures:{code_stamp()}:{name}:{scope}:{get_language()}:{today.isoformat()}:{stamp}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    return value
