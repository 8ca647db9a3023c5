"""Writing to the audit trail. Every app may call these; this app imports none of ours.

- `track(Model, ...)`: record every create, update and delete of a model (django-auditlog),
  with the officer concerned taken from the model's `get_additional_data()`.
- `audit_read(...)`: a read of personal data (a profile, a document, an export and its rows).
- `audit_security(...)`: a security event (sign-in, failure, lockout, reset, MFA, role change).

Entries are written in the caller's transaction when there is one, so a refused change leaves
no trace of a change that did not happen; reads and security events are committed as they
happen (a failed sign-in has no transaction to roll back).
"""

from auditlog.context import disable_auditlog
from auditlog.registry import auditlog
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from .models import AuditEntry

# Never recorded in a change's before/after: secrets and bookkeeping.
ALWAYS_EXCLUDED = ["password", "last_login", "updated_at", "created_at"]


def track(model, *, exclude_fields=(), mask_fields=()) -> None:
    if auditlog.contains(model):
        return
    auditlog.register(
        model,
        exclude_fields=[*ALWAYS_EXCLUDED, *exclude_fields],
        mask_fields=list(mask_fields),
    )


def _client(request):
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def audit_read(*, actor, obj=None, model=None, event: str, officer_id=None, rows=None, request=None,
               detail: dict | None = None, officer_user_id=None) -> AuditEntry | None:
    """Record that `actor` read personal data: `obj` (one record) or `model` (a list or export).
    A person reading their own record (`officer_user_id` is theirs) is not recorded."""
    if officer_user_id is not None and getattr(actor, "pk", None) == officer_user_id:
        return None
    target_model = model or type(obj)
    return AuditEntry.objects.create(
        kind=AuditEntry.Kind.READ,
        action=AuditEntry.Action.ACCESS,
        event=event,
        content_type=ContentType.objects.get_for_model(target_model),
        object_pk=str(obj.pk) if obj is not None else "",
        object_id=obj.pk if obj is not None and isinstance(obj.pk, int) else None,
        object_repr=str(obj) if obj is not None else str(target_model._meta.verbose_name_plural),
        actor=_actor(actor),
        officer_id=officer_id,
        rows=rows,
        remote_addr=_client(request),
        additional_data=detail or None,
    )


def audit_security(*, event: str, user=None, actor=None, email: str = "", request=None,
                   detail: dict | None = None) -> AuditEntry:
    """Record a security event about `user` (the account concerned, if known), done by `actor`
    (the user themself when omitted)."""
    user_model = get_user_model()
    subject = user if isinstance(user, user_model) else None
    who = _actor(actor) if actor is not None else _actor(subject)
    officer = getattr(subject, "officer", None) if subject is not None else None
    return AuditEntry.objects.create(
        kind=AuditEntry.Kind.SECURITY,
        action=AuditEntry.Action.ACCESS,
        event=event,
        content_type=ContentType.objects.get_for_model(user_model),
        object_pk=str(subject.pk) if subject is not None else "",
        object_id=subject.pk if subject is not None else None,
        object_repr=(subject.email if subject is not None else (email or "").strip().lower()[:254]),
        actor=who,
        subject_user_id=subject.pk if subject is not None else None,
        officer_id=getattr(officer, "pk", None),
        remote_addr=_client(request),
        additional_data=detail or None,
    )


def untracked():
    """A block whose saves are not recorded as changes (the caller records one event instead),
    e.g. anonymising an officer must not copy the data it erases into the trail."""
    return disable_auditlog()
