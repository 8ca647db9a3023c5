from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.access import flash_errors, get_visible_or_404
from agencies.selectors import officer_visible_to

from .. import services


@login_required
@require_POST
def officer_invite(request, officer_pk):
    officer = get_visible_or_404(officer_visible_to(request.user), pk=officer_pk)
    try:
        user = services.officer_invite(officer=officer, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("%(name)s is invited: an email to %(email)s lets them choose a password.")
                         % {"name": officer.full_name, "email": user.email})
    return redirect("agencies:officer-detail", pk=officer.pk)
