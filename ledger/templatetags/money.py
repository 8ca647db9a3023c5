from django import template

from ..money import format_money

register = template.Library()


@register.filter
def money(value):
    """{{ claim.claimed_amount|money }}: "$1,234.56" in English, "1 234,56 $" in French."""
    return format_money(value)
