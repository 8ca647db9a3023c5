"""The effect of changing a draft's requirements, in words: "Lowering service from 10 to 8 years adds
37 officers, 14 of them women." Both versions are evaluated over one load of the officers (no query
more than one "who could go?"), and the officers gained and lost are counted one by one (a change
that loosens one rule and tightens another may do both)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.models import Clearance, Language, LanguageLevel
from missions.models import Bulletin

from .evaluate import GENDER, WOMAN, Population, evaluate


@dataclass
class Effect:
    before: int
    after: int
    added: int
    added_women: int
    removed: int
    removed_women: int
    changes: list[str]
    sentence: str


def compare(population: Population, base: Bulletin, variant: Bulletin, *, today: date | None = None) -> Effect:
    """Who meets every requirement of `base` and of `variant`, officer by officer."""
    a = evaluate(population, base, today=today).masks
    b = evaluate(population, variant, today=today).masks
    before = after = added = added_women = removed = removed_women = 0
    for o, ma, mb in zip(population.officers, a, b, strict=True):
        woman = o[GENDER] == WOMAN
        before += ma == 0
        after += mb == 0
        if mb == 0 and ma != 0:
            added += 1
            added_women += woman
        elif ma == 0 and mb != 0:
            removed += 1
            removed_women += woman
    changes = describe_changes(base, variant)
    return Effect(before=before, after=after, added=added, added_women=added_women, removed=removed,
                  removed_women=removed_women, changes=changes,
                  sentence=effect_sentence(changes, added=added, added_women=added_women, removed=removed,
                                           removed_women=removed_women, before=before, after=after))


def _officers(n: int) -> str:
    return ngettext("%(n)d officer", "%(n)d officers", n) % {"n": n}


def _women(n: int) -> str:
    return ngettext("%(n)d of them a woman", "%(n)d of them women", n) % {"n": n}


def effect_sentence(changes: list[str], *, added: int, added_women: int, removed: int, removed_women: int,
                    before: int, after: int) -> str:
    if not changes:
        return _("Change a requirement above to see its effect.")
    what = get_text_list(changes, _("and"))
    values = {"changes": what, "added": _officers(added), "added_women": _women(added_women),
              "removed": _officers(removed), "removed_women": _women(removed_women)}
    if added and removed:
        text = _("%(changes)s adds %(added)s, %(added_women)s, and removes %(removed)s, %(removed_women)s.") % values
    elif added:
        text = _("%(changes)s adds %(added)s, %(added_women)s.") % values
    elif removed:
        text = _("%(changes)s removes %(removed)s, %(removed_women)s.") % values
    else:
        text = _("%(changes)s changes no officer's eligibility.") % values
    total = ngettext(
        "%(after)d officer would meet every requirement (%(before)d now).",
        "%(after)d officers would meet every requirement (%(before)d now).", after,
    ) % {"after": after, "before": before}
    return f"{capfirst(text)} {total}"


def _level(bulletin: Bulletin):
    if not bulletin.required_language:
        return None
    return bulletin.min_language_level if bulletin.min_language_level is not None else LanguageLevel.INTERMEDIATE


def describe_changes(base: Bulletin, variant: Bulletin) -> list[str]:
    """Each change from `base` to `variant`, as a phrase ("lowering service from 10 to 8 years")."""
    phrases = []
    old, new = base.min_years_service or 0, variant.min_years_service or 0
    if old != new:
        values = {"old": old, "new": new}
        if not old:
            phrases.append(ngettext("asking for %(new)d year of service", "asking for %(new)d years of service",
                                    new) % values)
        elif not new:
            phrases.append(_("no longer asking for years of service"))
        elif new < old:
            phrases.append(_("lowering service from %(old)d to %(new)d years") % values)
        else:
            phrases.append(_("raising service from %(old)d to %(new)d years") % values)
    languages, levels = dict(Language.choices), dict(LanguageLevel.choices)
    if (base.required_language or "") != (variant.required_language or ""):
        if not variant.required_language:
            phrases.append(_("no longer requiring a language"))
        else:
            phrases.append(_("requiring %(language)s at level %(level)s") % {
                "language": languages.get(variant.required_language, variant.required_language),
                "level": levels.get(_level(variant), "?")})
    elif base.required_language and _level(base) != _level(variant):
        values = {"language": languages.get(base.required_language, ""), "old": levels.get(_level(base), "?"),
                  "new": levels.get(_level(variant), "?")}
        if _level(variant) < _level(base):
            phrases.append(_("lowering the %(language)s level from %(old)s to %(new)s") % values)
        else:
            phrases.append(_("raising the %(language)s level from %(old)s to %(new)s") % values)
    for name, on, off in (
        ("requires_firearms", _("requiring firearms qualification"), _("no longer requiring firearms qualification")),
        ("requires_manual_driving", _("requiring manual driving"), _("no longer requiring manual driving")),
    ):
        if bool(getattr(base, name)) != bool(getattr(variant, name)):
            phrases.append(on if getattr(variant, name) else off)
    for name, set_text, removed_text, lower_text, raise_text in (
        ("min_age", _("setting a minimum age of %(new)d"), _("removing the minimum age (%(old)d)"),
         _("lowering the minimum age from %(old)d to %(new)d"), _("raising the minimum age from %(old)d to %(new)d")),
        ("max_age", _("setting a maximum age of %(new)d"), _("removing the maximum age (%(old)d)"),
         _("lowering the maximum age from %(old)d to %(new)d"), _("raising the maximum age from %(old)d to %(new)d")),
    ):
        old, new = getattr(base, name), getattr(variant, name)
        if old != new:
            text = set_text if old is None else removed_text if new is None else lower_text if new < old else raise_text
            phrases.append(text % {"old": old or 0, "new": new or 0})
    kinds = dict(Clearance.Kind.choices)
    before, after = set(base.required_clearances or ()), set(variant.required_clearances or ())
    for kind in Clearance.Kind.values:
        if kind in after and kind not in before:
            phrases.append(_("requiring the clearance “%(clearance)s”") % {"clearance": kinds[kind]})
        elif kind in before and kind not in after:
            phrases.append(_("no longer requiring the clearance “%(clearance)s”") % {"clearance": kinds[kind]})
    if base.deployment_start != variant.deployment_start and variant.deployment_start:
        phrases.append(_("moving the deployment start from %(old)s to %(new)s") % {
            "old": date_format(base.deployment_start, "SHORT_DATE_FORMAT") if base.deployment_start else "—",
            "new": date_format(variant.deployment_start, "SHORT_DATE_FORMAT")})
    if base.duration_months != variant.duration_months:
        phrases.append(_("changing the tour from %(old)d to %(new)d months") % {
            "old": base.duration_months, "new": variant.duration_months})
    return phrases
