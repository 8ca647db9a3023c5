"""A mission's officers against its authorised strength, drawn the same way on the mission page
(`{% strength_bar strength %}`) and on every row of the missions list (`strength_html`, with the
texts translated once for the page: `StrengthTexts`): a stacked bar and one line of figures.
`s` is a missions.selectors.Strength, the one definition of authorised, filled, vacant and over."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

BAR = ('<div class="progress" role="progressbar" style="width: {}%" aria-label="{}" aria-valuenow="{}" '
       'aria-valuemin="0" aria-valuemax="{}"><div class="progress-bar {}"></div></div>')
STRENGTH = ('<div class="progress-stacked mb-1" style="height: 1.25rem;">{}</div>\n'
            '<div class="small" data-testid="strength" data-authorised="{}" data-filled="{}" data-vacant="{}" '
            'data-over="{}">{} · {}\n<span class="d-block text-body-secondary">{}</span></div>')


class StrengthTexts:
    """The labels and sentences of `strength_html`, translated in the current language."""

    def __init__(self):
        self.in_mission = _("In mission")
        self.planned = _("Planned")
        self.selected = _("Selected, not yet deployed")
        self.filled_of = _("%(filled)s filled of %(authorised)s authorised")
        self.over = _("%(over)s over strength")
        self.vacant = _("%(vacant)s vacant")
        self.roster = _("%(in_mission)s in mission, %(planned)s planned")
        self.selected_count = _("%(selected)s selected, not yet deployed")


def strength_html(s, texts: StrengthTexts | None = None) -> SafeString:
    t = texts or StrengthTexts()
    bars = format_html_join("", BAR, (
        (s.bar_in_mission, t.in_mission, s.in_mission, s.authorised, "bg-success"),
        (s.bar_planned, t.planned, s.planned, s.authorised, "bg-primary"),
        (s.bar_selected, t.selected, s.selected, s.authorised, "progress-bar-striped bg-info"),
    ))
    if s.over:
        balance = format_html('<strong class="text-danger">{}</strong>', t.over % {"over": s.over})
    else:
        balance = t.vacant % {"vacant": s.vacant}
    roster = t.roster % {"in_mission": s.in_mission, "planned": s.planned}
    if s.selected:
        roster += " · " + t.selected_count % {"selected": s.selected}
    return format_html(STRENGTH, bars, s.authorised, s.filled, s.vacant, s.over,
                       t.filled_of % {"filled": s.filled, "authorised": s.authorised}, balance, roster)


@register.simple_tag
def strength_bar(s) -> SafeString:
    return strength_html(s)
