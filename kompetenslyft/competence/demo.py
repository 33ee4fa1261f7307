"""The demo's requirements (part of :mod:`kompetenslyft.org.demo`): the role groups of Solvik and
Fjellvik, the competences each must reach, and the built-in framework each organisation adopts."""

from __future__ import annotations

from kompetenslyft.core.importing import import_file
from kompetenslyft.org.models import Organisation

CARE_ROLES = [
    "undersköterska",
    "vårdbiträde",
    "stödassistent",
    "stödpedagog",
    "personlig assistent",
    "sjuksköterska",
    "arbetsterapeut",
    "fysioterapeut",
]
SCHOOL_ROLES = ["förskollärare", "barnskötare", "lärare", "fritidspedagog", "elevassistent"]
MANAGER_ROLES = ["enhetschef", "verksamhetschef", "förskolechef", "rektor", "förvaltningschef"]
OFFICE_ROLES = [
    "HR-konsult",
    "kompetensutvecklare",
    "digitaliseringsstrateg",
    "projektledare",
    "utvecklingsledare",
    "biståndshandläggare",
    "LSS-handläggare",
    "samordnare",
]
# role group → (competence, level, mandatory, unit_id)
DEMO_REQUIREMENTS: list[tuple[list[str], str, int, bool, str]] = [
    (CARE_ROLES, "MAIL", 3, True, ""),
    (CARE_ROLES, "INTRA", 3, False, ""),
    (CARE_ROLES, "AVVIK", 3, True, ""),
    (CARE_ROLES, "LON", 3, False, ""),
    (CARE_ROLES, "SOCDOK", 3, True, ""),
    (CARE_ROLES, "TEAMS", 2, False, ""),
    (CARE_ROLES, "LARPORTAL", 2, False, ""),
    (["undersköterska", "vårdbiträde"], "HEMAPP", 3, True, "VOF-HT"),
    (SCHOOL_ROLES, "MAIL", 3, True, ""),
    (SCHOOL_ROLES, "INTRA", 2, False, ""),
    (SCHOOL_ROLES, "LON", 3, False, ""),
    (SCHOOL_ROLES, "TEAMS", 3, True, ""),
    (SCHOOL_ROLES, "LARPORTAL", 2, False, ""),
    (SCHOOL_ROLES, "AVVIK", 2, False, ""),
    (MANAGER_ROLES, "MAIL", 4, True, ""),
    (MANAGER_ROLES, "TEAMS", 3, True, ""),
    (MANAGER_ROLES, "LON", 3, False, ""),
    (MANAGER_ROLES, "HRRAPP", 3, True, ""),
    (MANAGER_ROLES, "REHAB", 3, True, ""),
    (MANAGER_ROLES, "REKRYT", 3, False, ""),
    (MANAGER_ROLES, "AVVIK", 3, False, ""),
    (OFFICE_ROLES, "MAIL", 3, True, ""),
    (OFFICE_ROLES, "TEAMS", 3, False, ""),
    (OFFICE_ROLES, "INTRA", 3, False, ""),
    (OFFICE_ROLES, "LON", 3, False, ""),
]
FJELLVIK_REQUIREMENTS: list[tuple[list[str], str, int, bool, str]] = [
    (["helsefagarbeider", "sykepleier"], "DC1.1", 2, False, ""),
    (["helsefagarbeider", "sykepleier"], "DC2.1", 3, True, ""),
    (["helsefagarbeider", "sykepleier"], "DC4.2", 3, True, ""),
    (["sykepleier"], "DC1.3", 3, False, ""),
    (["virksomhetsleder", "kommunalsjef"], "DC5.4", 3, False, ""),
]


def _requirements_csv(rows: list[tuple[list[str], str, int, bool, str]], roles: set[str]) -> str:
    lines = ["role,competence_code,required_level,unit_id,mandatory"]
    for group, code, level, mandatory, unit_id in rows:
        lines.extend(
            f"{role},{code},{level},{unit_id},{'ja' if mandatory else 'nej'}"
            for role in group
            if role in roles
        )
    return "\n".join(lines) + "\n"


def frameworks_for_demo(
    organisation: Organisation, builtin: str, rows: list[tuple[list[str], str, int, bool, str]]
) -> None:
    from kompetenslyft.competence.models import Framework
    from kompetenslyft.competence.services import framework_adopt

    framework_adopt(
        organisation=organisation, framework=Framework.objects.get(organisation=None, code=builtin)
    )
    roles = set(organisation.roles.values_list("name", flat=True))
    import_file(
        kind="requirements",
        content=_requirements_csv(rows, roles).encode(),
        filename="kompetenskrav.csv",
        organisation=organisation,
    )
