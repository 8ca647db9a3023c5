"""Static tables for `manage.py seed_demo`: agencies, missions, bulletins, names.

Kept apart from the command so the logic stays readable. The leading underscore keeps
Django from treating this module as a command.
"""

# slug, name_en, name_fr, kind, province, language, relative size (officers), has mailbox
AGENCIES = [
    # Ontario (nine partner agencies)
    ("opp", "Ontario Provincial Police", "Police provinciale de l'Ontario", "provincial", "ON", "en", 14, True),
    ("toronto-police", "Toronto Police Service", "Service de police de Toronto", "municipal", "ON", "en", 12, True),
    ("ottawa-police", "Ottawa Police Service", "Service de police d'Ottawa", "municipal", "ON", "en", 10, True),
    ("peel-police", "Peel Regional Police", "Police régionale de Peel", "regional", "ON", "en", 7, False),
    ("york-police", "York Regional Police", "Police régionale de York", "regional", "ON", "en", 6, True),
    ("durham-police", "Durham Regional Police Service", "Service de police régional de Durham",
     "regional", "ON", "en", 5, False),
    ("halton-police", "Halton Regional Police Service", "Service de police régional de Halton",
     "regional", "ON", "en", 4, False),
    ("waterloo-police", "Waterloo Regional Police Service", "Service de police régional de Waterloo",
     "regional", "ON", "en", 4, False),
    ("nishnawbe-aski-police", "Nishnawbe-Aski Police Service", "Service de police Nishnawbe-Aski",
     "indigenous", "ON", "en", 3, True),
    # Quebec
    ("surete-du-quebec", "Sûreté du Québec", "Sûreté du Québec", "provincial", "QC", "fr", 13, True),
    ("spvm", "Montreal Police Service (SPVM)", "Service de police de la Ville de Montréal",
     "municipal", "QC", "fr", 11, True),
    ("spvq", "Québec City Police Service", "Service de police de la Ville de Québec",
     "municipal", "QC", "fr", 6, False),
    ("laval-police", "Laval Police Service", "Service de police de Laval", "municipal", "QC", "fr", 5, False),
    ("longueuil-police", "Longueuil Agglomeration Police Service",
     "Service de police de l'agglomération de Longueuil", "municipal", "QC", "fr", 4, True),
    ("gatineau-police", "Gatineau Police Service", "Service de police de la Ville de Gatineau",
     "municipal", "QC", "fr", 5, False),
    # Kahnawake's peacekeepers work in English (and Kanien'kéha), not French.
    ("kahnawake-peacekeepers", "Kahnawake Peacekeepers", "Peacekeepers de Kahnawake",
     "indigenous", "QC", "en", 2, False),
    # British Columbia
    ("vancouver-police", "Vancouver Police Department", "Service de police de Vancouver",
     "municipal", "BC", "en", 8, True),
    ("delta-police", "Delta Police Department", "Service de police de Delta", "municipal", "BC", "en", 3, False),
    ("victoria-police", "Victoria Police Department", "Service de police de Victoria",
     "municipal", "BC", "en", 3, False),
    # Alberta
    ("calgary-police", "Calgary Police Service", "Service de police de Calgary", "municipal", "AB", "en", 7, True),
    ("edmonton-police", "Edmonton Police Service", "Service de police d'Edmonton", "municipal", "AB", "en", 7, False),
    ("lethbridge-police", "Lethbridge Police Service", "Service de police de Lethbridge",
     "municipal", "AB", "en", 2, False),
    # Manitoba
    ("winnipeg-police", "Winnipeg Police Service", "Service de police de Winnipeg", "municipal", "MB", "en", 6, True),
    ("brandon-police", "Brandon Police Service", "Service de police de Brandon", "municipal", "MB", "en", 2, False),
    # Saskatchewan
    ("regina-police", "Regina Police Service", "Service de police de Regina", "municipal", "SK", "en", 4, False),
    ("saskatoon-police", "Saskatoon Police Service", "Service de police de Saskatoon",
     "municipal", "SK", "en", 4, True),
    ("file-hills-police", "File Hills First Nations Police Service",
     "Service de police des Premières Nations de File Hills", "indigenous", "SK", "en", 2, False),
    # Atlantic
    ("halifax-police", "Halifax Regional Police", "Police régionale d'Halifax", "regional", "NS", "en", 5, True),
    ("cape-breton-police", "Cape Breton Regional Police Service", "Service de police régional du Cap-Breton",
     "regional", "NS", "en", 3, False),
    ("rnc", "Royal Newfoundland Constabulary", "Royal Newfoundland Constabulary",
     "provincial", "NL", "en", 4, True),
    ("saint-john-police", "Saint John Police Force", "Force policière de Saint John",
     "municipal", "NB", "en", 3, False),
    ("fredericton-police", "Fredericton Police Force", "Force policière de Fredericton",
     "municipal", "NB", "en", 3, False),
    ("charlottetown-police", "Charlottetown Police Services", "Services de police de Charlottetown",
     "municipal", "PE", "en", 2, False),
]

RCMP = ("rcmp", "Royal Canadian Mounted Police", "Gendarmerie royale du Canada", "rcmp", "CA", "en")

# Agencies whose officers are often bilingual although they work in English.
BILINGUAL_REGIONS = {"ottawa-police", "saint-john-police", "fredericton-police", "opp"}

# code: (name_en, name_fr, kind, country_en, country_fr, language, armed, strength, status,
#        description_en, description_fr)
MISSIONS = {
    "BINUH": (
        "United Nations Integrated Office in Haiti",
        "Bureau intégré des Nations Unies en Haïti",
        "un", "Haiti", "Haïti", "fr", True, 48, "active",
        "Canada's longest-standing police contribution (since 1993). Canadian officers advise and "
        "mentor the Haitian National Police on investigations, community policing and training.",
        "La plus ancienne contribution policière du Canada (depuis 1993). Les policiers canadiens "
        "conseillent et encadrent la Police nationale d'Haïti en enquêtes, police de proximité et formation.",
    ),
    "UKR-CPM": (
        "Canadian Police Mission in Ukraine",
        "Mission de police canadienne en Ukraine",
        "bilateral", "Ukraine", "Ukraine", "en", False, 45, "active",
        "Bilateral mission supporting the National Police of Ukraine with training, police reform "
        "and the investigation of war crimes.",
        "Mission bilatérale d'appui à la Police nationale d'Ukraine : formation, réforme policière "
        "et enquêtes sur les crimes de guerre.",
    ),
    "EUPOL-COPPS": (
        "EU Police and Rule of Law Mission for the Palestinian Territories",
        "Mission de police et d'état de droit de l'UE pour les territoires palestiniens",
        "multilateral", "West Bank", "Cisjordanie", "en", False, 12, "active",
        "Canadian officers in the EU mission advise the Palestinian Civil Police on community "
        "policing, investigations and accountability.",
        "Au sein de la mission de l'UE, des policiers canadiens conseillent la police civile "
        "palestinienne en police de proximité, en enquêtes et en reddition de comptes.",
    ),
    "MONUSCO": (
        "United Nations Organization Stabilization Mission in the Democratic Republic of the Congo",
        "Mission de l'Organisation des Nations Unies pour la stabilisation en République démocratique du Congo",
        "un", "Democratic Republic of the Congo", "République démocratique du Congo", "fr", False, 25, "active",
        "UN police officers build the capacity of the Congolese National Police, with a focus on "
        "the protection of civilians and sexual and gender-based violence.",
        "Les policiers de l'ONU renforcent les capacités de la Police nationale congolaise, notamment "
        "pour la protection des civils et la lutte contre les violences sexuelles et basées sur le genre.",
    ),
    "MINUSMA": (
        "United Nations Multidimensional Integrated Stabilization Mission in Mali",
        "Mission multidimensionnelle intégrée des Nations Unies pour la stabilisation au Mali",
        "un", "Mali", "Mali", "fr", False, 20, "closed",
        "Closed: the mission's mandate ended and its personnel withdrew from Mali.",
        "Fermée : le mandat de la mission a pris fin et son personnel s'est retiré du Mali.",
    ),
    "UNMISS": (
        "United Nations Mission in the Republic of South Sudan",
        "Mission des Nations Unies au Soudan du Sud",
        "un", "South Sudan", "Soudan du Sud", "en", False, 10, "closed",
        "Closed for Canadian police: officers supported protection-of-civilians sites and trained "
        "the South Sudan National Police Service.",
        "Fermée pour la police canadienne : les policiers appuyaient les sites de protection des civils "
        "et formaient le Service de police national du Soudan du Sud.",
    ),
}

ROLE_TITLES = [
    ("Police adviser — community policing", "Conseiller de police — police de proximité"),
    ("Gender adviser", "Conseiller en matière de genre"),
    ("Training officer", "Agent de formation"),
    ("Investigations mentor", "Mentor en enquêtes"),
    ("Police reform adviser", "Conseiller en réforme policière"),
    ("Operations officer", "Officier des opérations"),
    ("Team leader", "Chef d'équipe"),
    ("Border policing adviser", "Conseiller en police des frontières"),
    ("Forensics mentor", "Mentor en criminalistique"),
]

DEPLOYMENT_ROLES = [
    "Police adviser",
    "Community policing adviser",
    "Investigations mentor",
    "Training officer",
    "Gender adviser",
    "Operations officer",
    "Border policing adviser",
    "Forensics mentor",
    "Public order adviser",
]
SENIOR_ROLES = ["Contingent commander", "Deputy contingent commander", "Team leader", "Chief of staff adviser"]

# The catalogue of roles in missions (roster.models.DeploymentRole), in English and French, in its order:
# every role the demo's deployments take (DEPLOYMENT_ROLES, SENIOR_ROLES and the bulletins' titles).
ROLE_CATALOGUE = [
    ("Police adviser", "Conseiller de police"),
    ("Community policing adviser", "Conseiller en police communautaire"),
    ("Investigations mentor", "Mentor en enquêtes"),
    ("Training officer", "Agent de formation"),
    ("Gender adviser", "Conseiller en matière de genre"),
    ("Operations officer", "Officier des opérations"),
    ("Border policing adviser", "Conseiller en police des frontières"),
    ("Forensics mentor", "Mentor en criminalistique"),
    ("Public order adviser", "Conseiller en maintien de l'ordre"),
    ("Police reform adviser", "Conseiller en réforme policière"),
    ("Team leader", "Chef d'équipe"),
    ("Contingent commander", "Commandant du contingent"),
    ("Deputy contingent commander", "Commandant adjoint du contingent"),
    ("Chief of staff adviser", "Conseiller du chef d'état-major"),
    # no longer offered: kept by the tours that had it
    ("Electoral security adviser", "Conseiller en sécurité électorale"),
]
RETIRED_ROLES = {"Electoral security adviser"}

FIRST_EN_W = [
    "Sarah", "Jessica", "Emily", "Amanda", "Megan", "Laura", "Rachel", "Nicole", "Stephanie", "Heather",
    "Katherine", "Michelle", "Jennifer", "Rebecca", "Lindsay", "Erin", "Kristen", "Ashley", "Meghan", "Alison",
    "Tara", "Danielle", "Priya", "Mei", "Amira", "Natasha", "Jasmine", "Shannon", "Kelly", "Andrea",
]
FIRST_EN_M = [
    "Michael", "David", "James", "Ryan", "Matthew", "Daniel", "Kevin", "Jason", "Andrew", "Christopher",
    "Brian", "Mark", "Steven", "Jeffrey", "Scott", "Patrick", "Sean", "Tyler", "Jordan", "Justin",
    "Graham", "Colin", "Derek", "Rajinder", "Harjit", "Wei", "Omar", "Trevor", "Brent", "Curtis",
]
FIRST_FR_W = [
    "Marie-Ève", "Isabelle", "Julie", "Geneviève", "Catherine", "Annie", "Mélanie", "Véronique", "Valérie",
    "Émilie", "Stéphanie", "Nathalie", "Caroline", "Audrey", "Karine", "Josée", "Sophie", "Chantal",
    "Marie-Claude", "Anne-Marie",
]
FIRST_FR_M = [
    "Jean-François", "Mathieu", "Sébastien", "Patrick", "Martin", "Éric", "Alexandre", "Guillaume", "Simon",
    "Maxime", "Philippe", "François", "Marc-André", "Luc", "Stéphane", "Pierre-Luc", "Jonathan", "Étienne",
    "Dominic", "Vincent",
]
LAST_EN = [
    "Smith", "Brown", "Wilson", "MacDonald", "Taylor", "Campbell", "Anderson", "Johnson", "Thompson", "Martin",
    "Stewart", "Robertson", "Murray", "Reid", "Fraser", "Clarke", "Walsh", "Kennedy", "Hughes", "O'Brien",
    "Mitchell", "Graham", "Morrison", "Sinclair", "Patel", "Singh", "Nguyen", "Chen", "Li", "Kowalski",
    "Ferguson", "Henderson", "MacLeod", "Doyle", "Murphy", "Power", "Cormier", "Gallant", "Arsenault", "Ward",
]
LAST_FR = [
    "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Gagné",
    "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette", "Girard", "Simard",
    "Boucher", "Caron", "Beaulieu", "Cloutier", "Dubé", "Poirier", "Fournier", "Lapointe", "Leclerc",
    "Lefebvre", "Richard", "Dion", "Desjardins", "Thibault", "Charbonneau", "St-Pierre", "Nadeau",
]
LAST_INDIGENOUS = [
    "Jacobs", "Diabo", "Deer", "Montour", "Kakegamic", "Sutherland", "Moose", "Bird", "Okanee", "Desjarlais",
    "Fiddler", "Meekis", "Beardy", "Starblanket", "Keewatin", "Horn", "Stacey", "McComber",
]

# num, mission, status, title index, positions, duration, women priority, requirements, timing (days
# relative to today: published, closes, deployment start), demo-officer application state (or None).
# Requirements: (min years, language, level, firearms, manual driving, clearances)
_BASIC = ["medical", "psychological", "security", "passport"]
_UN = [*_BASIC, "un_assessment"]
BULLETINS = [
    # drafts
    dict(num=41, mission="BINUH", status="draft", title=0, positions=4, months=12, women=False,
         req=(8, "fr", 3, True, True, [*_UN, "firearms"]), timing=(None, 40, 110)),
    dict(num=42, mission="UKR-CPM", status="draft", title=2, positions=5, months=9, women=False,
         req=(5, "en", 3, False, False, _BASIC), timing=(None, 45, 120)),
    # published and open
    dict(num=31, mission="BINUH", status="published", title=1, positions=3, months=12, women=True,
         req=(8, "fr", 3, True, True, [*_UN, "firearms"]), timing=(-18, 10, 90)),
    dict(num=33, mission="BINUH", status="published", title=3, positions=4, months=12, women=False,
         req=(10, "fr", 3, True, True, [*_UN, "firearms"]), timing=(-12, 21, 100)),
    dict(num=34, mission="UKR-CPM", status="published", title=4, positions=6, months=9, women=False,
         req=(7, "en", 3, False, True, _BASIC), timing=(-15, 14, 75)),
    dict(num=35, mission="EUPOL-COPPS", status="published", title=0, positions=2, months=12, women=True,
         req=(10, "en", 3, False, True, _BASIC), timing=(-25, 5, 70)),
    dict(num=36, mission="MONUSCO", status="published", title=5, positions=5, months=12, women=True,
         req=(6, "fr", 3, False, True, _UN), timing=(-9, 28, 120)),
    dict(num=37, mission="UKR-CPM", status="published", title=2, positions=3, months=9, women=False,
         req=(5, "en", 3, False, False, _BASIC), timing=(-27, 3, 60)),
    # closed
    dict(num=21, mission="BINUH", status="closed", title=3, positions=4, months=12, women=False,
         req=(10, "fr", 3, True, True, [*_UN, "firearms"]), timing=(-95, -60, 14)),
    dict(num=17, mission="UKR-CPM", status="closed", title=7, positions=4, months=9, women=False,
         req=(7, "en", 3, False, True, _BASIC), timing=(-150, -120, -30)),
    dict(num=26, mission="MONUSCO", status="closed", title=1, positions=3, months=12, women=True,
         req=(6, "fr", 3, False, True, _UN), timing=(-50, -21, 60)),
    # cancelled (published, then withdrawn)
    dict(num=28, mission="EUPOL-COPPS", status="cancelled", title=8, positions=1, months=12, women=False,
         req=(8, "en", 3, False, False, _BASIC), timing=(-40, -10, 45)),
    # an old closed bulletin of a mission that has since closed (its tours ended with the mission)
    dict(num=9, mission="MINUSMA", status="closed", title=0, positions=4, months=12, women=False,
         req=(8, "fr", 3, False, True, _UN), timing=("minusma", None, None)),
]

# Final application states planned for each bulletin (by num). "nominated" starts at endorsed.
APPLICATION_PLANS = {
    31: ["submitted"] * 3 + ["endorsed", "nominated", "agency_declined", "withdrawn"],
    33: ["submitted"] * 4 + ["endorsed", "endorsed", "nominated", "withdrawn"],
    34: ["submitted"] * 4 + ["endorsed"] * 3 + ["nominated", "agency_declined"],
    35: ["submitted", "submitted", "endorsed", "nominated", "agency_declined"],
    36: ["submitted"] * 3 + ["endorsed", "nominated", "nominated"],
    37: ["submitted"] * 3 + ["endorsed", "endorsed", "withdrawn_late"],
    21: ["deployed"] * 3 + ["selected", "waitlisted", "not_selected", "not_selected", "not_selected",
                             "screened_out", "screened_out", "agency_declined", "withdrawn"],
    17: ["deployed"] * 3 + ["not_selected", "not_selected", "waitlisted_not_selected", "screened_out",
                             "screened_out", "withdrawn_shortlisted"],
    26: ["selected", "selected", "waitlisted", "waitlisted", "shortlisted", "shortlisted", "shortlisted",
         "screened_out", "screened_out", "endorsed", "agency_declined", "withdrawn"],
    9: ["deployed"] * 4 + ["not_selected", "not_selected", "screened_out"],
}

# The demo officer's own applications: bulletin num -> final state.
DEMO_OFFICER_APPLICATIONS = {34: "submitted", 35: "endorsed", 37: "withdrawn", 26: "shortlisted",
                             17: "not_selected"}

STATEMENTS_EN = [
    "I have served {years} years, most recently in {unit}. I would like to bring that experience to "
    "the mission and to mentor local colleagues.",
    "My {years} years of service include {unit}. I have completed the UN assessment and my family "
    "supports this deployment.",
    "I am applying to contribute to capacity building abroad. Relevant experience: {unit}, {years} years.",
]
STATEMENTS_FR = [
    "Je compte {years} ans de service, dont plusieurs en {unit}. Je souhaite mettre cette expérience "
    "au service de la mission et encadrer les collègues locaux.",
    "Mes {years} années de service comprennent {unit}. J'ai réussi l'évaluation de l'ONU et ma famille "
    "appuie ce déploiement.",
]
UNITS_EN = ["major crime", "community response", "training branch", "domestic violence unit",
            "patrol and traffic", "human trafficking unit", "professional standards", "tactical support"]
UNITS_FR = ["crimes majeurs", "police de quartier", "formation", "violence conjugale", "patrouille",
            "traite de personnes", "normes professionnelles", "soutien tactique"]

NOTES = {
    "submitted": ["", "", "Application package complete.", "Supervisor's recommendation attached."],
    "nominated": ["Nominated by the agency; the chief has confirmed the officer's release for the tour."],
    "endorsed": ["Release approved by the chief; no disciplinary entries.",
                 "Endorsed: unit commander recommends; medical on file.",
                 "Endorsed by the agency."],
    "agency_declined": ["Operational needs: the unit cannot release the officer this rotation.",
                        "Officer is a key witness in an ongoing trial; cannot be released.",
                        "Declined: release not approved by the chief this year."],
    "withdrawn": ["Family circumstances.", "Withdrawn at the officer's request.",
                  "Officer accepted a promotion at home."],
    "shortlisted": ["Meets all requirements; invited to interview.", "Shortlisted for interview and SAAT."],
    "screened_out": ["Does not meet the minimum years of service.", "Language level below the requirement.",
                     "Required clearances missing or expired at closing."],
    "selected": ["Selected after interview and assessment.", "Selected; pre-deployment training booked."],
    "waitlisted": ["Strong candidate; placed on the reserve list.", "Waitlisted pending a further position."],
    "not_selected": ["Other candidates ranked higher at interview.", "Not selected this rotation."],
    "deployed": [""],  # the roster's own note (roster.notes: "Deployed to ..."), in the reader's language
}

REPATRIATION_NOTES = {
    "medical": "Medical evacuation after an injury; recovered at home.",
    "compassionate": "Returned home for a family emergency.",
    "security": "Relocated home after a security incident at the team site.",
    "other": "Early return agreed with the home agency.",
    "mission_closure": "Repatriated when the mission's mandate ended.",
}

PASSWORD = "demo-roster-2026"
IPO_EMAIL = "ipo@demo.example"
COORDINATOR_EMAIL = "coordinator@demo.example"
OFFICER_EMAIL = "officer@demo.example"
DEMO_AGENCY = "ottawa-police"
# role label, email: the three logins printed by `manage.py demo_logins`
DEMO_LOGINS = [
    ("IPO staff", IPO_EMAIL),
    ("Agency coordinator (Ottawa Police Service)", COORDINATOR_EMAIL),
    ("Officer (Ottawa Police Service)", OFFICER_EMAIL),
]
