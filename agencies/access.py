"""View helpers: one place that turns the visibility and permission rules into 404 / 403."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from . import permissions


def get_visible_or_404(queryset, **lookup):
    """An object the user may not see answers 404: its existence is not revealed."""
    return get_object_or_404(queryset, **lookup)


def require(predicate, user, *args):
    """A visible object with a forbidden action answers 403."""
    if not predicate(user, *args):
        raise PermissionDenied


def role_required(*roles):
    checks = {
        "ipo_staff": permissions.is_ipo_staff,
        "coordinator": permissions.is_coordinator,
        "officer": permissions.is_officer,
    }

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not any(checks[r](request.user) for r in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def add_service_errors(form, exc, aliases: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError next to the fields it names (`aliases` maps the
    service's names to the form's); the rest goes above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            field = (aliases or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def flash_errors(request, exc) -> None:
    """A service's refusal as error messages, when there is no form to show it next to."""
    from django.contrib import messages

    for message in exc.messages:
        messages.error(request, message)


def pdf_download(document, *, record=None) -> FileResponse:
    """A stored PDF (an application's or a claim's document: `file`, `original_name`) as a download:
    never rendered inline, never sniffed, never kept in a cache. `record()` is called once the file is
    found (the read's audit entry); a file missing from storage answers 404."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    if record is not None:
        record()
    response = FileResponse(handle, as_attachment=True, filename=document.original_name,
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response
