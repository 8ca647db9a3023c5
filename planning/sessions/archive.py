"""The officer's planning records in the Privacy Act archive (privacy.hooks): their assessment session
registrations with their results, and their talent pool entry, as the requester may read them on the
planning pages. Three queries."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from config.typography import label_value
from privacy.hooks import ArchiveSection, ArchiveTable

from ..pool.models import PoolLanguage, Region, Speciality
from ..pool.selectors import pool_visible_to
from .models import AssessmentResult
from .selectors import registration_visible_to


def _at(value):
    return timezone.localtime(value).isoformat() if value else None


def _day(value):
    return value.isoformat() if value else None


def _registrations(officer, user):
    registrations = (registration_visible_to(user).filter(officer=officer)
                     .prefetch_related(Prefetch("results", queryset=AssessmentResult.objects.order_by("id")))
                     .order_by("session__starts_on", "id"))
    data, rows = [], []
    for r in registrations:
        s = r.session
        results = [{"component": x.component, "label": x.get_component_display(), "result": x.result,
                    "result_label": x.get_result_display(), "recorded_at": _at(x.recorded_at)}
                   for x in r.results.all()]
        data.append({
            "session": {"kind": s.kind, "kind_label": s.get_kind_display(), "starts_on": _day(s.starts_on),
                        "ends_on": _day(s.ends_on), "place": s.place, "language": s.language,
                        "status": s.status},
            "state": r.state, "state_label": r.get_state_display(), "registered_at": _at(r.created_at),
            "withdrawn_at": _at(r.withdrawn_at), "note": r.note, "outcome": r.outcome or None,
            "outcome_label": r.get_outcome_display() if r.outcome else None, "results": results,
        })
        rows.append([s.get_kind_display(), s.starts_on, s.place, r.get_state_display(),
                     "; ".join(label_value(x["label"], x["result_label"]) for x in results),
                     r.get_outcome_display() if r.outcome else None, r.note])
    table = ArchiveTable(
        caption=_("Assessment sessions"),
        columns=[_("Session"), _("First day"), _("Place"), _("State"), _("Results"), _("Outcome"), _("Note")],
        rows=rows, empty=_("No assessment session."))
    return data, table


def _labels(codes, choices) -> str:
    names = dict(choices)
    return ", ".join(str(names.get(c, c)) for c in codes)


def _pool(officer, user):
    entry = pool_visible_to(user).filter(officer=officer).first()
    if entry is None:
        return None, ArchiveTable(caption=_("Talent pool"), columns=[_("Field"), _("Value")], rows=[],
                                  empty=_("Not in the talent pool."))
    data = {"regions": entry.regions, "languages": entry.languages, "specialities": entry.specialities,
            "available_from": _day(entry.available_from), "note": entry.note, "support": entry.support,
            "support_label": entry.get_support_display(), "support_at": _at(entry.support_at),
            "support_note": entry.support_note, "joined_at": _at(entry.created_at)}
    rows = [
        [_("Regions"), _labels(entry.regions, Region.choices)],
        [_("Languages"), _labels(entry.languages, PoolLanguage.choices)],
        [_("Specialities"), _labels(entry.specialities, Speciality.choices)],
        [_("Available from"), entry.available_from],
        [_("Note"), entry.note],
        [_("Agency support"), entry.get_support_display()],
        [_("Agency's note"), entry.support_note],
    ]
    return data, ArchiveTable(caption=_("Talent pool"), columns=[_("Field"), _("Value")], rows=rows)


def section(officer, user) -> ArchiveSection:
    registrations, registration_table = _registrations(officer, user)
    pool, pool_table = _pool(officer, user)
    return ArchiveSection(key="planning", title=_("Assessment sessions and talent pool"),
                          data={"assessment_sessions": registrations, "talent_pool": pool},
                          tables=[registration_table, pool_table])
