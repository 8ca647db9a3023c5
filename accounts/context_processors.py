from . import sessions


def session_limits(request):
    """The idle limit and the warning before it, for the sign-out warning (signed-in pages only)."""
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return {}
    lim = sessions.limits()
    return {"session_limits": {"idle": lim["idle"], "warning": lim["warning"],
                               "warning_minutes": max(1, round(lim["warning"] / 60))}}
