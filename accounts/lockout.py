"""django-axes hooks: sign-in failures are counted per account by its email address, whatever
its case or spacing."""


def username_from_request(request, credentials) -> str:
    value = ""
    if credentials:
        value = credentials.get("username") or credentials.get("email") or ""
    if not value and request is not None:
        value = request.POST.get("username", "")
    return (value or "").strip().lower()


def locked_out_response(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets (HTTP 429), in the page's language."""
    from django.conf import settings
    from django.shortcuts import render

    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)) if settings.AXES_COOLOFF_TIME else 0
    return render(request, "accounts/locked_out.html", {"cooloff_minutes": minutes}, status=429)
