"""Template filters of the officer pages. They only read, through agencies.selectors."""

from django import template

from .. import selectors

register = template.Library()


@register.filter
def clearance_reference_for(clearance, user):
    """`{{ clearance|clearance_reference_for:user }}`: the reference, or "Confidential" where `user`
    has no need to know it (agencies.permissions.can_read_clearance_details)."""
    return selectors.clearance_reference_for(user, clearance)
