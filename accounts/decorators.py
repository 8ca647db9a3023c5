from functools import wraps

from django.contrib.auth.views import redirect_to_login

from . import sessions


def recent_auth_required(view):
    """A sensitive action (exporting personal data, changing a login's role or agency, downloading
    another person's records in bulk) asks for the password or a code again when it was not given
    in the last few minutes (ROSTER_REAUTH_SECONDS)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not sessions.recently_authenticated(request):
            return redirect_to_login(request.get_full_path(), login_url="accounts:reauth")
        return view(request, *args, **kwargs)

    return wrapped
