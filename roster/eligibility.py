"""An officer against a bulletin's requirements, rule by rule.

Each rule answers pass, fail or unknown (data missing) with a sentence saying why, e.g.
"9 years of service; this bulletin asks for 10". An ineligible officer may still apply
(after a warning); the application is then flagged.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.models import Clearance, LanguageLevel, Officer
from missions.models import Bulletin

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"


@dataclass(frozen=True)
class RuleResult:
    rule: str
    label: str
    outcome: str
    reason: str

    @property
    def passed(self):
        return self.outcome == PASS


@dataclass
class Eligibility:
    results: list[RuleResult] = field(default_factory=list)

    @property
    def failures(self):
        return [r for r in self.results if r.outcome == FAIL]

    @property
    def unknowns(self):
        return [r for r in self.results if r.outcome == UNKNOWN]

    @property
    def eligible(self) -> bool:
        """No rule failed (unknowns are for the agency to fill in, not a refusal)."""
        return not self.failures

    @property
    def summary(self) -> str:
        if self.failures:
            return ngettext(
                "%(n)d of %(total)d requirements not met", "%(n)d of %(total)d requirements not met",
                len(self.failures),
            ) % {"n": len(self.failures), "total": len(self.results)}
        if self.unknowns:
            return ngettext(
                "%(n)d requirement cannot be checked (data missing)",
                "%(n)d requirements cannot be checked (data missing)",
                len(self.unknowns),
            ) % {"n": len(self.unknowns)}
        return _("Meets every requirement")

    @property
    def outcome(self) -> str:
        return FAIL if self.failures else UNKNOWN if self.unknowns else PASS


def _level_label(level):
    return dict(LanguageLevel.choices).get(level, "?")


def check(officer: Officer, bulletin: Bulletin, *, today: date | None = None, clearances=None) -> Eligibility:
    """Check every requirement. `clearances` may be passed (prefetched) to avoid a query."""
    today = today or timezone.localdate()
    start = bulletin.deployment_start or today
    results: list[RuleResult] = []

    # Years of service, on the deployment start
    if bulletin.min_years_service:
        label = _("Years of police service")
        years = officer.years_of_service(on=start)
        if years is None:
            results.append(RuleResult("service", label, UNKNOWN,
                                      _("Service start date unknown; this bulletin asks for %(n)d years.")
                                      % {"n": bulletin.min_years_service}))
        else:
            ok = years >= bulletin.min_years_service
            results.append(RuleResult("service", label, PASS if ok else FAIL,
                                      _("%(years)d years of service; this bulletin asks for %(n)d.")
                                      % {"years": years, "n": bulletin.min_years_service}))

    # Working language and level
    if bulletin.required_language:
        lang_name = bulletin.get_required_language_display()
        need = bulletin.min_language_level if bulletin.min_language_level is not None else LanguageLevel.INTERMEDIATE
        label = _("%(lang)s proficiency") % {"lang": lang_name}
        have = officer.language_level(bulletin.required_language)
        if have is None:
            results.append(RuleResult("language", label, UNKNOWN,
                                      _("%(lang)s level unknown; this bulletin asks for %(need)s.")
                                      % {"lang": lang_name, "need": _level_label(need)}))
        else:
            ok = have >= need
            results.append(RuleResult("language", label, PASS if ok else FAIL,
                                      _("%(lang)s level %(have)s; this bulletin asks for %(need)s.")
                                      % {"lang": lang_name, "have": _level_label(have), "need": _level_label(need)}))

    # Firearms (armed missions)
    if bulletin.requires_firearms:
        label = _("Firearms qualification")
        q = officer.firearms_qualified
        if q is None:
            results.append(RuleResult("firearms", label, UNKNOWN, _("Firearms qualification not recorded.")))
        else:
            results.append(RuleResult("firearms", label, PASS if q else FAIL,
                                      _("Firearms qualified.") if q else
                                      _("Not firearms qualified; this armed mission requires it.")))

    # Manual transmission
    if bulletin.requires_manual_driving:
        label = _("Manual transmission driving")
        d = officer.manual_driving
        if d is None:
            results.append(RuleResult("driving", label, UNKNOWN, _("Manual driving not recorded.")))
        else:
            results.append(RuleResult("driving", label, PASS if d else FAIL,
                                      _("Drives a manual transmission.") if d else
                                      _("Does not drive a manual transmission; this bulletin requires it.")))

    # Age on the deployment start
    if bulletin.min_age or bulletin.max_age:
        label = _("Age at deployment")
        age = officer.age(on=start)
        if age is None:
            results.append(RuleResult("age", label, UNKNOWN, _("Date of birth unknown.")))
        else:
            too_young = bulletin.min_age is not None and age < bulletin.min_age
            too_old = bulletin.max_age is not None and age >= bulletin.max_age
            if too_young:
                reason = _("%(age)d years old at deployment; the minimum is %(min)d.") % {
                    "age": age, "min": bulletin.min_age}
            elif too_old:
                reason = _("%(age)d years old at deployment; applicants must be under %(max)d.") % {
                    "age": age, "max": bulletin.max_age}
            else:
                reason = _("%(age)d years old at deployment.") % {"age": age}
            results.append(RuleResult("age", label, FAIL if (too_young or too_old) else PASS, reason))

    # Clearances valid on the deployment start
    if bulletin.required_clearances:
        held = {c.kind: c for c in (clearances if clearances is not None else officer.clearances.all())}
        kinds = dict(Clearance.Kind.choices)
        for kind in bulletin.required_clearances:
            name = str(kinds.get(kind, kind))
            c = held.get(kind)
            if c is None:
                results.append(RuleResult(f"clearance:{kind}", name, FAIL, _("No %(name)s on file.") % {"name": name}))
            elif c.valid_until < start:
                results.append(RuleResult(
                    f"clearance:{kind}", name, FAIL,
                    _("%(name)s expires on %(date)s, before the deployment start (%(start)s).")
                    % {"name": name, "date": c.valid_until.isoformat(), "start": start.isoformat()}))
            else:
                results.append(RuleResult(
                    f"clearance:{kind}", name, PASS,
                    _("%(name)s valid until %(date)s.") % {"name": name, "date": c.valid_until.isoformat()}))
    return Eligibility(results)
