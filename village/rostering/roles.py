"""How OneRoster roles become Village roles.

=====================  ===============================================================
OneRoster role         Village
=====================  ===============================================================
student                student
teacher                teacher
aide                   aide
parent, guardian,      guardian (the links to children come from agentSourcedIds)
relative
administrator,         school_admin at a school, district_admin at a district
districtAdministrator, (by the type of the organisation the role is held in, so a
principal,             principal recorded at a district is a district admin of it;
siteAdministrator      at any other organisation type the role is not imported)
proctor                not imported: Village has no exam-proctor role
counselor              not imported: Village has no counselor role, and school_admin
                       would give far more access; grant it in Village
systemAdministrator    not imported: platform administration is never granted by a
                       roster file
=====================  ===============================================================
"""

from __future__ import annotations

from dataclasses import dataclass

from village.community.models import EnrollmentRole, OrgKind, Role

GUARDIAN_ROLES = frozenset({"parent", "guardian", "relative"})
ADMIN_ROLES = frozenset(
    {"administrator", "districtAdministrator", "principal", "siteAdministrator"}
)
DIRECT = {"student": Role.STUDENT, "teacher": Role.TEACHER, "aide": Role.AIDE}
NOT_IMPORTED = {
    "proctor": "Village has no proctor role",
    "counselor": "Village has no counselor role; grant access in Village",
    "systemAdministrator": "platform administration is not granted by a roster",
}
ENROLLMENT_ROLES = {
    "student": EnrollmentRole.STUDENT,
    "teacher": EnrollmentRole.TEACHER,
    "aide": EnrollmentRole.AIDE,
}


@dataclass(frozen=True, slots=True)
class Mapping:
    role: Role | None
    imported: bool  # False: reported and left out
    reason: str = ""


def admin_role(kind: OrgKind | str) -> Role:
    """The Village admin role at an organisation of this kind."""
    return Role.DISTRICT_ADMIN if kind == OrgKind.DISTRICT else Role.SCHOOL_ADMIN


def village_role(oneroster_role: str, org_kind: OrgKind | None, org_known: bool) -> Mapping:
    """Map a role held at an organisation; ``org_known`` says the organisation is in the bundle.

    An admin role at an organisation outside the bundle is imported with ``role=None``: the
    apply decides from the organisation's kind in Village.
    """
    if oneroster_role in DIRECT:
        return Mapping(DIRECT[oneroster_role], True)
    if oneroster_role in GUARDIAN_ROLES:
        return Mapping(Role.GUARDIAN, True)
    if oneroster_role in ADMIN_ROLES:
        if not org_known:
            return Mapping(None, True)
        if org_kind is None:
            return Mapping(None, False, "Village has admins only of schools and districts")
        return Mapping(admin_role(org_kind), True)
    return Mapping(None, False, NOT_IMPORTED.get(oneroster_role, "unknown role"))
