"""The two frameworks that ship with the product, shared with every organisation:

* ``systems`` – the digital systems of a municipality's care and school staff (modelled on
  the source reports), with knowledge goals;
* ``digcomp22`` – the EU's Digital Competence Framework for Citizens, DigComp 2.2 (5 areas,
  21 competences), whose 8 proficiency levels are mapped onto our 0–4 scale.
"""

from __future__ import annotations

from typing import Any

DIGCOMP_ATTRIBUTION = (
    "DigComp 2.2: The Digital Competence Framework for Citizens. Vuorikari, R., Kluzer, S. and "
    "Punie, Y., Publications Office of the European Union, Luxembourg, 2022, JRC128415. "
    "© European Union, 2022. Licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/); "
    "names translated to Swedish and Norwegian by the Kompetenslyft project."
)
DIGCOMP_LEVELS = (
    "DigComp levels 1–2 (foundation) → 1 know of it / 2 can with help; 3–4 (intermediate) → "
    "3 can on my own; 5–8 (advanced, highly specialised) → 4 can teach others."
)
# DigComp proficiency level (1–8) → our level (0–4).
DIGCOMP_LEVEL_MAP = {1: 1, 2: 2, 3: 3, 4: 3, 5: 4, 6: 4, 7: 4, 8: 4}

# (code, en, sv, nb)
DIGCOMP_AREAS: list[tuple[str, str, str, str, list[tuple[str, str, str, str]]]] = [
    (
        "1",
        "Information and data literacy",
        "Informations- och datakunnighet",
        "Informasjons- og datakompetanse",
        [
            (
                "DC1.1",
                "Browsing, searching and filtering data, information and digital content",
                "Söka, navigera och filtrera data, information och digitalt innehåll",
                "Bla, søke og filtrere data, informasjon og digitalt innhold",
            ),
            (
                "DC1.2",
                "Evaluating data, information and digital content",
                "Värdera data, information och digitalt innehåll",
                "Vurdere data, informasjon og digitalt innhold",
            ),
            (
                "DC1.3",
                "Managing data, information and digital content",
                "Hantera data, information och digitalt innehåll",
                "Håndtere data, informasjon og digitalt innhold",
            ),
        ],
    ),
    (
        "2",
        "Communication and collaboration",
        "Kommunikation och samarbete",
        "Kommunikasjon og samarbeid",
        [
            (
                "DC2.1",
                "Interacting through digital technologies",
                "Interagera med hjälp av digital teknik",
                "Samhandle gjennom digital teknologi",
            ),
            (
                "DC2.2",
                "Sharing through digital technologies",
                "Dela med hjälp av digital teknik",
                "Dele gjennom digital teknologi",
            ),
            (
                "DC2.3",
                "Engaging in citizenship through digital technologies",
                "Utöva medborgarskap med hjälp av digital teknik",
                "Delta i samfunnet gjennom digital teknologi",
            ),
            (
                "DC2.4",
                "Collaborating through digital technologies",
                "Samarbeta med hjälp av digital teknik",
                "Samarbeide gjennom digital teknologi",
            ),
            ("DC2.5", "Netiquette", "Nätetikett", "Nettvett"),
            ("DC2.6", "Managing digital identity", "Hantera digital identitet", "Håndtere digital identitet"),
        ],
    ),
    (
        "3",
        "Digital content creation",
        "Skapande av digitalt innehåll",
        "Digital innholdsproduksjon",
        [
            ("DC3.1", "Developing digital content", "Utveckla digitalt innehåll", "Utvikle digitalt innhold"),
            (
                "DC3.2",
                "Integrating and re-elaborating digital content",
                "Integrera och bearbeta digitalt innehåll",
                "Integrere og bearbeide digitalt innhold",
            ),
            ("DC3.3", "Copyright and licences", "Upphovsrätt och licenser", "Opphavsrett og lisenser"),
            ("DC3.4", "Programming", "Programmering", "Programmering"),
        ],
    ),
    (
        "4",
        "Safety",
        "Säkerhet",
        "Sikkerhet",
        [
            ("DC4.1", "Protecting devices", "Skydda enheter", "Beskytte enheter"),
            (
                "DC4.2",
                "Protecting personal data and privacy",
                "Skydda personuppgifter och integritet",
                "Beskytte personopplysninger og personvern",
            ),
            (
                "DC4.3",
                "Protecting health and well-being",
                "Skydda hälsa och välbefinnande",
                "Beskytte helse og velvære",
            ),
            ("DC4.4", "Protecting the environment", "Skydda miljön", "Beskytte miljøet"),
        ],
    ),
    (
        "5",
        "Problem solving",
        "Problemlösning",
        "Problemløsning",
        [
            ("DC5.1", "Solving technical problems", "Lösa tekniska problem", "Løse tekniske problemer"),
            (
                "DC5.2",
                "Identifying needs and technological responses",
                "Identifiera behov och tekniska lösningar",
                "Identifisere behov og teknologiske løsninger",
            ),
            (
                "DC5.3",
                "Creatively using digital technologies",
                "Använda digital teknik kreativt",
                "Bruke digital teknologi kreativt",
            ),
            (
                "DC5.4",
                "Identifying digital competence gaps",
                "Identifiera luckor i den digitala kompetensen",
                "Identifisere mangler i egen digital kompetanse",
            ),
        ],
    ),
]

# code, category, sv name, nb name, en name, sv knowledge goals
SYSTEMS: list[tuple[str, str, str, str, str, list[str]]] = [
    (
        "MAIL",
        "Kommunikation",
        "E-post och kalender (Outlook)",
        "E-post og kalender (Outlook)",
        "E-mail and calendar (Outlook)",
        [
            "Jag kan läsa, skriva och besvara e-post.",
            "Jag kan boka och svara på möten i kalendern.",
            "Jag vet hur jag känner igen och rapporterar nätfiske.",
        ],
    ),
    (
        "TEAMS",
        "Kommunikation",
        "Teams: möten och chatt",
        "Teams: møter og chat",
        "Teams: meetings and chat",
        [
            "Jag kan ansluta till ett Teams-möte med ljud och bild.",
            "Jag kan chatta och dela en fil i ett team.",
        ],
    ),
    (
        "INTRA",
        "Kommunikation",
        "Intranätet",
        "Intranettet",
        "The intranet",
        ["Jag hittar rutiner, nyheter och kontaktuppgifter på intranätet."],
    ),
    (
        "SOCDOK",
        "Dokumentation och verksamhetssystem",
        "Social dokumentation i verksamhetssystemet",
        "Dokumentasjon i fagsystemet",
        "Social documentation in the care record system",
        [
            "Jag kan dokumentera genomförandet enligt genomförandeplanen.",
            "Jag kan läsa och signera anteckningar.",
            "Jag vet vad som ska dokumenteras och varför.",
        ],
    ),
    (
        "HEMAPP",
        "Dokumentation och verksamhetssystem",
        "Hemtjänstens mobilapp",
        "Hjemmetjenestens mobilapp",
        "The home-care mobile app",
        ["Jag kan se mina besök och registrera insatser i appen.", "Jag kan använda digitala nycklar."],
    ),
    (
        "AVVIK",
        "Dokumentation och verksamhetssystem",
        "Avvikelserapportering",
        "Avviksmelding",
        "Incident reporting",
        ["Jag kan rapportera en avvikelse.", "Jag vet vad som räknas som en avvikelse."],
    ),
    (
        "LON",
        "Personal och lärande",
        "Självservice för lön och ledighet",
        "Selvbetjening for lønn og fravær",
        "Payroll and leave self-service",
        ["Jag kan se min lönespecifikation.", "Jag kan ansöka om ledighet och registrera frånvaro."],
    ),
    (
        "LARPORTAL",
        "Personal och lärande",
        "Lärportalen",
        "Læringsportalen",
        "The learning portal",
        ["Jag kan logga in och hitta mina utbildningar.", "Jag kan genomföra en e-utbildning."],
    ),
    (
        "HRRAPP",
        "Chefens system",
        "HR-rapporter och personalstatistik",
        "HR-rapporter og personalstatistikk",
        "HR reports and staff statistics",
        ["Jag kan ta fram sjukfrånvaro och övertid för min enhet."],
    ),
    (
        "REHAB",
        "Chefens system",
        "Rehabiliteringsstöd",
        "Oppfølging av sykefravær",
        "Rehabilitation support",
        ["Jag kan starta och dokumentera ett rehabiliteringsärende."],
    ),
    (
        "REKRYT",
        "Chefens system",
        "Rekryteringssystemet",
        "Rekrutteringssystemet",
        "The recruitment system",
        ["Jag kan skapa en annons och hantera ansökningar."],
    ),
]
SYSTEM_CATEGORIES = {
    "Kommunikation": ("Kommunikasjon", "Communication"),
    "Dokumentation och verksamhetssystem": ("Dokumentasjon og fagsystemer", "Documentation and care systems"),
    "Personal och lärande": ("Personal og læring", "Staff and learning"),
    "Chefens system": ("Lederens systemer", "Managers' systems"),
}
# The knowledge goals of ``systems`` in bokmål and English (sv text → (nb, en)).
SYSTEM_GOALS: dict[str, tuple[str, str]] = {
    "Jag kan läsa, skriva och besvara e-post.": (
        "Jeg kan lese, skrive og svare på e-post.",
        "I can read, write and answer e-mail.",
    ),
    "Jag kan boka och svara på möten i kalendern.": (
        "Jeg kan booke og svare på møter i kalenderen.",
        "I can book and answer meetings in the calendar.",
    ),
    "Jag vet hur jag känner igen och rapporterar nätfiske.": (
        "Jeg vet hvordan jeg kjenner igjen og melder fra om phishing.",
        "I know how to recognise and report phishing.",
    ),
    "Jag kan ansluta till ett Teams-möte med ljud och bild.": (
        "Jeg kan koble meg til et Teams-møte med lyd og bilde.",
        "I can join a Teams meeting with sound and video.",
    ),
    "Jag kan chatta och dela en fil i ett team.": (
        "Jeg kan chatte og dele en fil i et team.",
        "I can chat and share a file in a team.",
    ),
    "Jag hittar rutiner, nyheter och kontaktuppgifter på intranätet.": (
        "Jeg finner rutiner, nyheter og kontaktinformasjon på intranettet.",
        "I find procedures, news and contact details on the intranet.",
    ),
    "Jag kan dokumentera genomförandet enligt genomförandeplanen.": (
        "Jeg kan dokumentere tjenesteutøvelsen i tråd med tiltaksplanen.",
        "I can document the care given according to the care plan.",
    ),
    "Jag kan läsa och signera anteckningar.": (
        "Jeg kan lese og signere notater.",
        "I can read and sign notes.",
    ),
    "Jag vet vad som ska dokumenteras och varför.": (
        "Jeg vet hva som skal dokumenteres, og hvorfor.",
        "I know what must be documented and why.",
    ),
    "Jag kan se mina besök och registrera insatser i appen.": (
        "Jeg kan se besøkene mine og registrere tjenester i appen.",
        "I can see my visits and record the care given in the app.",
    ),
    "Jag kan använda digitala nycklar.": (
        "Jeg kan bruke digitale nøkler.",
        "I can use digital keys.",
    ),
    "Jag kan rapportera en avvikelse.": (
        "Jeg kan melde et avvik.",
        "I can report an incident.",
    ),
    "Jag vet vad som räknas som en avvikelse.": (
        "Jeg vet hva som regnes som et avvik.",
        "I know what counts as an incident.",
    ),
    "Jag kan se min lönespecifikation.": (
        "Jeg kan se lønnsslippen min.",
        "I can see my payslip.",
    ),
    "Jag kan ansöka om ledighet och registrera frånvaro.": (
        "Jeg kan søke om permisjon og registrere fravær.",
        "I can apply for leave and record an absence.",
    ),
    "Jag kan logga in och hitta mina utbildningar.": (
        "Jeg kan logge inn og finne kursene mine.",
        "I can log in and find my courses.",
    ),
    "Jag kan genomföra en e-utbildning.": (
        "Jeg kan gjennomføre et e-læringskurs.",
        "I can complete an e-learning course.",
    ),
    "Jag kan ta fram sjukfrånvaro och övertid för min enhet.": (
        "Jeg kan hente ut sykefravær og overtid for enheten min.",
        "I can produce sick leave and overtime figures for my unit.",
    ),
    "Jag kan starta och dokumentera ett rehabiliteringsärende.": (
        "Jeg kan starte og dokumentere en sak om oppfølging av sykefravær.",
        "I can open and document a rehabilitation case.",
    ),
    "Jag kan skapa en annons och hantera ansökningar.": (
        "Jeg kan lage en stillingsannonse og behandle søknader.",
        "I can create a job advertisement and handle applications.",
    ),
}
SYSTEMS_TEXTS = {
    "name": (
        "Verksamhetens digitala system",
        "Virksomhetens digitale systemer",
        "The organisation's digital systems",
    ),
    "description": (
        "Mejl, intranät, avvikelser, lön, social dokumentation, hemtjänstappen, Teams och "
        "lärportalen – och chefens system för HR-rapporter, rehabilitering och rekrytering.",
        "E-post, intranett, avvik, lønn, dokumentasjon i fagsystemet, hjemmetjenestens app, Teams og "
        "læringsportalen – og lederens systemer for HR-rapporter, sykefraværsoppfølging og rekruttering.",
        "E-mail, intranet, incidents, payroll, care documentation, the home-care app, Teams and the "
        "learning portal – and the manager's systems for HR reports, rehabilitation and recruitment.",
    ),
}
DIGCOMP_TEXTS = {
    "name": (
        "DigComp 2.2 – Ramverk för digital kompetens",
        "DigComp 2.2 – Rammeverk for digital kompetanse",
        "DigComp 2.2 – The Digital Competence Framework for Citizens",
    ),
    "description": (
        "EU:s referensram för medborgares digitala kompetens: 5 områden, 21 kompetenser.",
        "EUs referanseramme for innbyggernes digitale kompetanse: 5 områder, 21 kompetanser.",
        "The EU's reference framework for citizens' digital competence: 5 areas, 21 competences.",
    ),
    "level_mapping": (
        "DigComp-nivå 1–2 (grundläggande) → 1 känner till det / 2 kan med hjälp; 3–4 (medel) → "
        "3 kan på egen hand; 5–8 (avancerad, högt specialiserad) → 4 kan lära andra.",
        "DigComp-nivå 1–2 (grunnleggende) → 1 kjenner til det / 2 kan med hjelp; 3–4 (middels) → "
        "3 kan på egen hånd; 5–8 (avansert, høyt spesialisert) → 4 kan lære bort til andre.",
        DIGCOMP_LEVELS,
    ),
}


def _texts(texts: dict[str, tuple[str, str, str]]) -> dict[str, dict[str, str]]:
    """``{"name": (sv, nb, en), …}`` as the ``translations`` of a row."""
    return {
        language: {field: values[index] for field, values in texts.items()}
        for index, language in enumerate(("sv", "nb", "en"))
    }


def _goal_translations(text: str) -> dict[str, dict[str, str]]:
    nb, en = SYSTEM_GOALS.get(text, ("", ""))
    return {"nb": {"text": nb}, "en": {"text": en}} if nb else {}


def install_builtin_frameworks(models: Any) -> None:
    """Create the shipped frameworks if they are not there (``models`` gives the model classes,
    so that a data migration can pass its historical ones)."""
    framework_model = models.Framework
    category_model = models.Category
    competence_model = models.Competence
    goal_model = models.KnowledgeGoal
    if not framework_model.objects.filter(organisation=None, code="systems").exists():
        framework = framework_model.objects.create(
            organisation=None,
            code="systems",
            builtin="systems",
            name=SYSTEMS_TEXTS["name"][0],
            translations=_texts(SYSTEMS_TEXTS),
            description=SYSTEMS_TEXTS["description"][0],
        )
        categories: dict[str, Any] = {}
        for position, (code, category, sv, nb, en, goals) in enumerate(SYSTEMS):
            if category not in categories:
                nb_cat, en_cat = SYSTEM_CATEGORIES[category]
                categories[category] = category_model.objects.create(
                    framework=framework,
                    name=category,
                    position=len(categories),
                    translations={"nb": {"name": nb_cat}, "en": {"name": en_cat}},
                )
            competence = competence_model.objects.create(
                framework=framework,
                category=categories[category],
                code=code,
                name=sv,
                position=position,
                translations={"nb": {"name": nb}, "en": {"name": en}},
            )
            for index, text in enumerate(goals):
                goal_model.objects.create(
                    competence=competence,
                    text=text,
                    position=index,
                    translations=_goal_translations(text),
                )
    if not framework_model.objects.filter(organisation=None, code="digcomp22").exists():
        framework = framework_model.objects.create(
            organisation=None,
            code="digcomp22",
            builtin="digcomp22",
            name=DIGCOMP_TEXTS["name"][0],
            translations=_texts(DIGCOMP_TEXTS),
            description=DIGCOMP_TEXTS["description"][0],
            attribution=DIGCOMP_ATTRIBUTION,
            level_mapping=DIGCOMP_LEVELS,
        )
        position = 0
        for area_position, (area_code, en, sv, nb, competences) in enumerate(DIGCOMP_AREAS):
            category = category_model.objects.create(
                framework=framework,
                name=f"{area_code}. {sv}",
                position=area_position,
                translations={"nb": {"name": f"{area_code}. {nb}"}, "en": {"name": f"{area_code}. {en}"}},
            )
            for code, c_en, c_sv, c_nb in competences:
                position += 1
                competence_model.objects.create(
                    framework=framework,
                    category=category,
                    code=code,
                    name=c_sv,
                    position=position,
                    translations={"nb": {"name": c_nb}, "en": {"name": c_en}},
                )
    _translate_installed(models)


def _translate_installed(models: Any) -> None:
    """Bring the texts of frameworks installed by an earlier version up to date: the
    translations of the framework itself and of the knowledge goals of ``systems`` (names of
    categories and competences shipped translated from the start)."""
    for code, texts in (("systems", SYSTEMS_TEXTS), ("digcomp22", DIGCOMP_TEXTS)):
        translations = _texts(texts)
        for framework in models.Framework.objects.filter(organisation=None, code=code, builtin=code):
            if framework.translations != translations:
                framework.translations = translations
                framework.save(update_fields=["translations"])
    goals = models.KnowledgeGoal.objects.filter(
        competence__framework__organisation=None,
        competence__framework__builtin="systems",
        text__in=list(SYSTEM_GOALS),
    )
    for goal in goals:
        wanted = _goal_translations(goal.text)
        if goal.translations != wanted:
            goal.translations = wanted
            goal.save(update_fields=["translations"])
