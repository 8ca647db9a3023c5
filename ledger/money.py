"""Amounts in Canadian dollars as each language writes them: "$1,234.56" in English,
"1 234,56 $" in French (a no-break space between thousands and before the sign, so an amount never
breaks across lines). Exact: the Decimal is rounded to the cent, never through a float."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import translation

NBSP = "\u00a0"
CENT = Decimal("0.01")


def _grouped(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return separator.join(groups)


def format_money(value, language: str | None = None) -> str:
    """`value` (a Decimal, an int or a decimal string; None or "" gives "") in the language's format."""
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        value = repr(value)  # the shortest text that reads back as this float, not its binary expansion
    try:
        amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    negative = amount < 0
    units, cents = f"{abs(amount):.2f}".split(".")
    lang = (language or translation.get_language() or "en")[:2]
    if lang == "fr":
        text = f"{_grouped(units, NBSP)},{cents}{NBSP}$"
    else:
        text = f"${_grouped(units, ',')}.{cents}"
    return f"-{text}" if negative else text
