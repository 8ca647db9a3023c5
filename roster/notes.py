"""System notes: what the roster itself writes on a timeline, stored as a code with parameters and
put into words when read, in the reader's language (a page's or an email recipient's).

A service records `note_code` and `note_params` (JSON: codes, ISO dates, numbers, mission codes;
never a sentence, never personal data) instead of a sentence in the actor's language. Each code has
one translatable text with named placeholders; a parameter that needs words of its own (a clearance's
kind, a date) is turned into them at reading time by the entry's `prepare`. A code this registry
does not know reads as nothing: an old row is never shown as a raw code.

Human-written notes (a reason, a comment) stay as typed, in the `note` field beside the code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


def _date(value) -> str:
    """An ISO date in the active language's format (a value that is not one is shown as stored)."""
    try:
        return formats.date_format(dt.date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return str(value)


def _clearance(params: dict) -> dict:
    from agencies.models import Clearance

    labels = dict(Clearance.Kind.choices)
    kind = params.get("kind", "")
    return {**params, "name": labels.get(kind, kind), **({"date": _date(params["date"])} if "date" in params else {})}


@dataclass(frozen=True)
class NoteText:
    text: Promise
    prepare: Callable[[dict], dict] = field(default=lambda params: params)


# The registry: code -> text. Every placeholder of a text is a key of the params its services store
# (after `prepare`). tests/roster/test_system_notes.py renders each in both languages.
NOTES: dict[str, NoteText] = {
    # application timelines (roster.services.deployments, through application_transition)
    "application.deployed": NoteText(_("Deployed to %(mission)s")),
    "application.deployment_cancelled": NoteText(_("Deployment to %(mission)s cancelled before departure.")),
    # a deployment's history: the warnings overridden when it was created (roster.services.deployments)
    "clearance.missing": NoteText(_("%(name)s is missing."), _clearance),
    "clearance.expires": NoteText(_("%(name)s expires on %(date)s, before the planned end."), _clearance),
    "strength.mission": NoteText(
        _("%(mission)s would exceed its authorised strength of %(n)d (%(now)d deployed or planned)."),
    ),
    "strength.ceiling": NoteText(
        _("The program ceiling of %(n)d officers would be exceeded (%(now)d deployed or planned)."),
    ),
}


def render_note(code: str, params: dict | None = None) -> str:
    """The note in words, in the active language; "" for an unknown code or missing parameters."""
    entry = NOTES.get(code or "")
    if entry is None:
        return ""
    try:
        return str(entry.text) % entry.prepare(dict(params or {}))
    except (KeyError, TypeError, ValueError):
        return ""


class SystemNote:
    """A system note that turns into words only when shown (`str()`), so a message rendered for a
    French-speaking recipient, or a page for a French reader, reads it in French."""

    __slots__ = ("code", "params")

    def __init__(self, code: str, params: dict | None = None):
        self.code, self.params = code, dict(params or {})

    def __str__(self) -> str:
        return render_note(self.code, self.params)

    def __bool__(self) -> bool:
        return bool(self.code in NOTES)

    def __eq__(self, other) -> bool:
        if isinstance(other, SystemNote):
            return (self.code, self.params) == (other.code, other.params)
        return str(self) == other

    def __hash__(self) -> int:
        return hash(self.code)

    def __repr__(self) -> str:
        return f"SystemNote({self.code!r}, {self.params!r})"


def issue(code: str, **params) -> dict:
    """One stored warning or fact: {"code": ..., "params": {...}} (JSON)."""
    return {"code": code, "params": params}


def render_issue(item) -> str:
    """A stored item in words: a {"code", "params"} dict through the registry; a sentence stored by an
    older version as it is."""
    if isinstance(item, dict):
        return render_note(item.get("code", ""), item.get("params"))
    return str(item)


class EventNote:
    """An event's note as a reader gets it: its system note in words (in the language active when it
    is shown), then what a person typed. Empty when it has neither."""

    __slots__ = ("system", "typed")

    def __init__(self, system: SystemNote | None, typed: str = ""):
        self.system, self.typed = system, typed or ""

    def __str__(self) -> str:
        return "\n".join(t for t in (str(self.system) if self.system else "", self.typed) if t)

    def __bool__(self) -> bool:
        return bool(self.system) or bool(self.typed)

    def __eq__(self, other) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __repr__(self) -> str:
        return f"EventNote({self.system!r}, {self.typed!r})"
