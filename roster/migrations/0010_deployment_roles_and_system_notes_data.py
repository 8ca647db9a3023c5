# Issue 14, the data:
# - every distinct free-text role becomes an entry of the catalogue (texts that differ only by case or
#   spaces are one role); its French name comes from the dictionary below, else it is the English text,
#   flagged for IPO staff to review (`needs_review`);
# - the notes the roster wrote itself on application timelines, in English or French, become codes
#   with parameters (roster.notes); so do the warnings overridden when a deployment was created and the
#   roles of a confirmed change of role, in its history. Anything else stays as typed.

import re

from django.db import migrations

# The roles in use when the catalogue came (the demo's, and the usual titles of the program).
KNOWN_FRENCH = {
    "police adviser": "Conseiller de police",
    "community policing adviser": "Conseiller en police communautaire",
    "investigations mentor": "Mentor en enquêtes",
    "training officer": "Agent de formation",
    "gender adviser": "Conseiller en matière de genre",
    "operations officer": "Officier des opérations",
    "border policing adviser": "Conseiller en police des frontières",
    "forensics mentor": "Mentor en criminalistique",
    "public order adviser": "Conseiller en maintien de l'ordre",
    "police reform adviser": "Conseiller en réforme policière",
    "contingent commander": "Commandant du contingent",
    "deputy contingent commander": "Commandant adjoint du contingent",
    "team leader": "Chef d'équipe",
    "chief of staff adviser": "Conseiller du chef d'état-major",
    "police adviser — training": "Conseiller de police — formation",
    "police adviser — community policing": "Conseiller de police — police communautaire",
    "senior adviser (short-term)": "Conseiller principal (courte durée)",
}

CLEARANCE_KINDS = {  # label (English and French) -> code, as they were when these notes were written
    "medical": "medical", "médical": "medical",
    "psychological": "psychological", "psychologique": "psychological",
    "security clearance": "security", "cote de sécurité": "security",
    "un assessment (saat)": "un_assessment", "évaluation de l'onu (saat)": "un_assessment",
    "passport": "passport", "passeport": "passport",
    "firearms": "firearms", "armes à feu": "firearms",
    "pre-deployment training": "predeployment_training", "formation préalable au déploiement": "predeployment_training",
}

SP = r"[\s\u00a0\u202f]"
APPLICATION_NOTES = [
    ("application.deployed", re.compile(r"^Deployed to (?P<mission>\S+)$")),
    ("application.deployed", re.compile(r"^Déployé à (?P<mission>\S+)$")),
    ("application.deployment_cancelled", re.compile(r"^Deployment to (?P<mission>\S+) cancelled before departure\.$")),
    ("application.deployment_cancelled", re.compile(r"^Déploiement à (?P<mission>\S+) annulé avant le départ\.$")),
]
PROBLEMS = [
    ("clearance.missing", re.compile(r"^(?P<name>.+) is missing\.$")),
    ("clearance.missing", re.compile(rf"^Autorisation manquante{SP}?:{SP}(?P<name>.+)\.$")),
    ("clearance.expires", re.compile(r"^(?P<name>.+) expires on (?P<date>\d{4}-\d{2}-\d{2}), before the planned end\.$")),
    ("clearance.expires", re.compile(
        rf"^L'autorisation «{SP}?(?P<name>.+?){SP}?» expire le (?P<date>\d{{4}}-\d{{2}}-\d{{2}}), avant la fin prévue\.$")),
    ("strength.mission", re.compile(
        r"^(?P<mission>\S+) would exceed its authorised strength of (?P<n>\d+) \((?P<now>\d+) deployed or planned\)\.$")),
    ("strength.mission", re.compile(
        r"^(?P<mission>\S+) dépasserait son effectif autorisé de (?P<n>\d+) \((?P<now>\d+) déployés ou planifiés\)\.$")),
    ("strength.ceiling", re.compile(
        r"^The program ceiling of (?P<n>\d+) officers would be exceeded \((?P<now>\d+) deployed or planned\)\.$")),
    ("strength.ceiling", re.compile(
        r"^Le plafond du programme de (?P<n>\d+) policiers serait dépassé \((?P<now>\d+) déployés ou planifiés\)\.$")),
]
ENGLISH = {  # for going back
    "application.deployed": "Deployed to {mission}",
    "application.deployment_cancelled": "Deployment to {mission} cancelled before departure.",
}


def normal(text: str) -> str:
    return " ".join((text or "").split())


def key(text: str) -> str:
    return normal(text).casefold()


def roles_forward(apps, schema_editor):
    Deployment = apps.get_model("roster", "Deployment")
    DeploymentRole = apps.get_model("roster", "DeploymentRole")
    texts = {}  # key -> the first spelling seen
    for text in Deployment.objects.order_by("id").values_list("role_text", flat=True).distinct():
        if normal(text):
            texts.setdefault(key(text), normal(text))
    entries, french_taken = {}, set()
    for k, english in sorted(texts.items()):
        french = KNOWN_FRENCH.get(k)
        if french is None or french.casefold() in french_taken:
            french, review = english, True
        else:
            review = False
        french_taken.add(french.casefold())
        entries[k] = DeploymentRole.objects.create(name_en=english[:200], name_fr=french[:200], needs_review=review)
    for text in Deployment.objects.values_list("role_text", flat=True).distinct():
        if normal(text):
            Deployment.objects.filter(role_text=text).update(catalogue_role=entries[key(text)])
    # A deployment without any role text (none should exist: the field was required) is marked as such.
    Deployment.objects.filter(catalogue_role__isnull=True, role_text="").update(role_other_en="—", role_other_fr="—")


def roles_backward(apps, schema_editor):
    Deployment = apps.get_model("roster", "Deployment")
    for d in Deployment.objects.select_related("catalogue_role").iterator():
        text = d.catalogue_role.name_en if d.catalogue_role_id else (d.role_other_en or d.role_other_fr)
        Deployment.objects.filter(pk=d.pk).update(role_text=text[:200])


def _match(patterns, text):
    for code, pattern in patterns:
        found = pattern.match((text or "").strip())
        if found:
            return code, found.groupdict()
    return None, None


def _problem(text):
    """A stored warning sentence as {"code", "params"}, or the sentence when it matches nothing known."""
    if not isinstance(text, str):
        return text
    code, params = _match(PROBLEMS, text)
    if code is None:
        return text
    if code.startswith("clearance."):
        kind = CLEARANCE_KINDS.get(params.pop("name").strip().casefold())
        if kind is None:
            return text
        params["kind"] = kind
    for number in ("n", "now"):
        if number in params:
            params[number] = int(params[number])
    return {"code": code, "params": params}


def notes_forward(apps, schema_editor):
    ApplicationEvent = apps.get_model("roster", "ApplicationEvent")
    DeploymentEvent = apps.get_model("roster", "DeploymentEvent")
    DeploymentRole = apps.get_model("roster", "DeploymentRole")
    changed = []
    candidates = ApplicationEvent.objects.filter(note_code="").exclude(note="").filter(
        to_status__in=["deployed", "selected"]).only("id", "note", "note_code", "note_params")
    for event in candidates.iterator():
        code, params = _match(APPLICATION_NOTES, event.note)
        if code:
            event.note, event.note_code, event.note_params = "", code, params
            changed.append(event)
    ApplicationEvent.objects.bulk_update(changed, ["note", "note_code", "note_params"], batch_size=500)

    names = {key(r.name_en): {"en": r.name_en, "fr": r.name_fr} for r in DeploymentRole.objects.all()}
    changed = []
    for event in DeploymentEvent.objects.filter(action="created").only("id", "data").iterator():
        data = event.data or {}
        overrides = data.get("overrides") or {}
        new_overrides = {k: [_problem(p) for p in v] if isinstance(v, list) else v for k, v in overrides.items()}
        roles = data.get("role_change_confirmed")
        new_roles = roles
        if isinstance(roles, list) and all(isinstance(r, str) for r in roles):
            new_roles = [names.get(key(r), {"en": r, "fr": r}) for r in roles]
        if new_overrides != overrides or new_roles != roles:
            event.data = {**data, **({"overrides": new_overrides} if overrides else {}),
                          **({"role_change_confirmed": new_roles} if roles else {})}
            changed.append(event)
    DeploymentEvent.objects.bulk_update(changed, ["data"], batch_size=500)


def notes_backward(apps, schema_editor):
    ApplicationEvent = apps.get_model("roster", "ApplicationEvent")
    for event in ApplicationEvent.objects.exclude(note_code="").iterator():
        template = ENGLISH.get(event.note_code)
        if template:
            ApplicationEvent.objects.filter(pk=event.pk).update(
                note=template.format(**event.note_params), note_code="", note_params={})


class Migration(migrations.Migration):

    dependencies = [
        ('roster', '0009_deployment_roles_and_system_notes'),
    ]

    operations = [
        migrations.RunPython(roles_forward, roles_backward),
        migrations.RunPython(notes_forward, notes_backward),
    ]
