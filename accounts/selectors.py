from django.db.models import Q, QuerySet

from agencies.models import Officer, User
from agencies.selectors import officer_visible_to


def officers_matching(user, text: str) -> QuerySet[Officer]:
    """Officers the user may see whose name or badge number contains the text."""
    qs = officer_visible_to(user)
    for word in (text or "").split()[:4]:
        qs = qs.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(badge_number__iexact=word))
    return qs


def users_matching(text: str) -> QuerySet[User]:
    return User.objects.filter(email__icontains=(text or "").strip())
