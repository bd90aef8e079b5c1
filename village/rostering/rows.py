"""Turn checked rows into roster records, map roles, and pair guardians with students."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from village.community.models import OrgKind
from village.rostering import roles
from village.rostering.records import (
    Class,
    Course,
    Enrollment,
    GuardianPair,
    Org,
    ParsedRoster,
    RoleAssignment,
    Session,
    User,
)
from village.rostering.report import Report
from village.rostering.values import Value, Where

ORG_KINDS = {"school": OrgKind.SCHOOL, "district": OrgKind.DISTRICT}
GUARDIAN, STUDENT, OTHER = 1, 2, 4


def _text(values: dict[str, Value], name: str) -> str:
    value = values.get(name)
    return value if isinstance(value, str) else ""


def _list(values: dict[str, Value], name: str) -> tuple[str, ...]:
    value = values.get(name)
    return value if isinstance(value, tuple) else ()


def _date(values: dict[str, Value], name: str) -> dt.date | None:
    value = values.get(name)
    return value if isinstance(value, dt.date) else None


def _dates_ordered(values: dict[str, Value], begin: str, end: str, where: Where) -> bool:
    first, last = _date(values, begin), _date(values, end)
    if first and last and last < first:
        where.error("dates_reversed", end, f"{end} {last} is before {begin} {first}")
        return False
    return True


class RowBuilder:
    """Builds records into ``roster``; one method per kind of file."""

    def __init__(self, roster: ParsedRoster, report: Report) -> None:
        self.roster = roster
        self.report = report
        # (line, user, agents) of users.csv rows that list agents, for the guardian pass.
        self.agents: list[tuple[int, str, tuple[str, ...]]] = []
        # Roles that were reported and not imported, still needed to tell guardians apart.
        self.other_roles: dict[str, set[str]] = {}
        # How each (OneRoster role, organisation kind, organisation in the bundle) maps.
        self.mappings: dict[tuple[str, OrgKind | None, bool], roles.Mapping] = {}
        self.builders: dict[str, Callable[[dict[str, Value], Where], None]] = {
            "orgs": self._org,
            "academicSessions": self._session,
            "courses": self._course,
            "classes": self._class,
            "users": self._user,
            "roles": self._role_row,
            "enrollments": self._enrollment,
        }

    def build(self, kind: str, values: dict[str, Value], where: Where) -> None:
        """Add the record of one valid row; gradebook files are checked only, not kept."""
        builder = self.builders.get(kind)
        if builder is not None:
            builder(values, where)

    def _org(self, values: dict[str, Value], where: Where) -> None:
        org_type = _text(values, "type")
        kind = ORG_KINDS.get(org_type)
        if kind is None:
            where.warning(
                "org_type_ignored",
                "type",
                f'Village keeps districts and schools only; this "{org_type}" is not imported',
            )
        sourced_id = _text(values, "sourcedId")
        self.roster.orgs[sourced_id] = Org(
            sourced_id,
            _text(values, "name"),
            org_type,
            kind,
            _text(values, "identifier"),
            _text(values, "parentSourcedId"),
        )

    def _session(self, values: dict[str, Value], where: Where) -> None:
        start, end, year = values["startDate"], values["endDate"], values["schoolYear"]
        if not _dates_ordered(values, "startDate", "endDate", where):
            return
        if not (isinstance(start, dt.date) and isinstance(end, dt.date) and isinstance(year, int)):
            return  # unreachable: required values, already checked and typed
        sourced_id = _text(values, "sourcedId")
        self.roster.sessions[sourced_id] = Session(
            sourced_id,
            _text(values, "title"),
            _text(values, "type"),
            start,
            end,
            year,
            _text(values, "parentSourcedId"),
        )

    def _course(self, values: dict[str, Value], where: Where) -> None:
        sourced_id = _text(values, "sourcedId")
        self.roster.courses[sourced_id] = Course(
            sourced_id,
            _text(values, "title"),
            _text(values, "courseCode"),
            _text(values, "orgSourcedId"),
            _text(values, "schoolYearSourcedId"),
            _list(values, "grades"),
            _list(values, "subjects"),
        )

    def _class(self, values: dict[str, Value], where: Where) -> None:
        sourced_id = _text(values, "sourcedId")
        self.roster.classes[sourced_id] = Class(
            sourced_id,
            _text(values, "title"),
            _text(values, "classCode"),
            _text(values, "classType"),
            _text(values, "courseSourcedId"),
            _text(values, "schoolSourcedId"),
            _list(values, "termSourcedIds"),
            _text(values, "location"),
            _list(values, "periods"),
            _list(values, "grades"),
            _list(values, "subjects"),
        )

    def _user(self, values: dict[str, Value], where: Where) -> None:
        # The hottest builder (a district has 100,000s of users): plain lookups, no helpers.
        text: dict[str, Any] = values
        sourced_id = text["sourcedId"]
        org_ids = text.get("orgSourcedIds", ())
        primary_org = text.get("primaryOrgSourcedId", "")
        self.roster.users[sourced_id] = User(
            sourced_id,
            text.get("enabledUser") is not False,
            text.get("username", ""),
            text.get("givenName", ""),
            text.get("familyName", ""),
            text.get("middleName", ""),
            text.get("preferredGivenName", ""),
            text.get("pronouns", ""),
            text.get("email", ""),
            text.get("phone", ""),
            text.get("identifier", ""),
            text.get("grades", ()),
            org_ids,
            primary_org,
        )
        self.roster.user_lines.append(where.line or 0)
        agents = text.get("agentSourcedIds")
        if agents:
            self.agents.append((where.line, sourced_id, agents))
        role = text.get("role")
        if role:
            self._user_roles(
                sourced_id, role, org_ids or ((primary_org,) if primary_org else ()), where
            )

    def _user_roles(self, user: str, role: str, org_ids: tuple[str, ...], where: Where) -> None:
        if not org_ids:
            where.warning(
                "role_without_org", "role", f'role "{role}" has no organisation; not imported'
            )
            self.other_roles.setdefault(user, set()).add(role)
        for index, org_id in enumerate(org_ids):
            self._assign(user, org_id, role, index == 0, where, "role")

    def _role_row(self, values: dict[str, Value], where: Where) -> None:
        if not _dates_ordered(values, "beginDate", "endDate", where):
            return
        self._assign(
            _text(values, "userSourcedId"),
            _text(values, "orgSourcedId"),
            _text(values, "role"),
            values.get("roleType") == "primary",
            where,
            "role",
            sourced_id=_text(values, "sourcedId"),
            begin_date=_date(values, "beginDate"),
            end_date=_date(values, "endDate"),
        )

    def _assign(
        self,
        user_id: str,
        org_id: str,
        oneroster_role: str,
        is_primary: bool,
        where: Where,
        column: str,
        *,
        sourced_id: str = "",
        begin_date: dt.date | None = None,
        end_date: dt.date | None = None,
    ) -> None:
        org = self.roster.orgs.get(org_id)
        kind = org.kind if org else None
        key = (oneroster_role, kind, org is not None)
        mapping = self.mappings.get(key)
        if mapping is None:
            mapping = roles.village_role(oneroster_role, kind, org_known=org is not None)
            self.mappings[key] = mapping
        if not mapping.imported:
            where.warning(
                "role_not_imported",
                column,
                f'role "{oneroster_role}" not imported: {mapping.reason}',
            )
            self.other_roles.setdefault(user_id, set()).add(oneroster_role)
            return
        self.roster.roles.append(
            RoleAssignment(
                user_id,
                org_id,
                oneroster_role,
                mapping.role,
                is_primary,
                sourced_id,
                begin_date,
                end_date,
            )
        )
        self.roster.role_lines.append(where.line or 0)

    def _enrollment(self, values: dict[str, Value], where: Where) -> None:
        # Hot as well (every student has several): plain lookups, checked values are typed.
        text: dict[str, Any] = values
        role = text["role"]
        village_role = roles.ENROLLMENT_ROLES.get(role)
        if village_role is None:
            where.warning(
                "role_not_imported",
                "role",
                f'enrolment as "{role}" not imported: Village enrols students, teachers and aides',
            )
            return
        begin, end = text.get("beginDate"), text.get("endDate")
        if begin and end and end < begin:
            where.error("dates_reversed", "endDate", f"endDate {end} is before beginDate {begin}")
            return
        sourced_id = text["sourcedId"]
        self.roster.enrollments[sourced_id] = Enrollment(
            sourced_id,
            text["classSourcedId"],
            text["schoolSourcedId"],
            text["userSourcedId"],
            village_role,
            text.get("primary") is True,
            begin,
            end,
        )
        self.roster.enrollment_lines.append(where.line or 0)

    # -- guardians --------------------------------------------------------------------------

    def link_guardians(self, known_in_village: Callable[[str], bool]) -> None:
        """Pair guardians with students from agentSourcedIds, listed in either direction.

        A guardian is a user with a parent, guardian or relative role. When one side is outside
        the bundle (a delta naming a person Village already has), its role is inferred from the
        other side; the apply checks it against Village's records.
        """
        if not self.agents:
            return
        involved = {user for _line, user, agents in self.agents for user in (user, *agents)}
        names = self._role_names(involved)
        bits = {user: _bits(held) for user, held in names.items()}
        where = Where(self.report, "users.csv")
        users = self.roster.users
        for line, user, agents in self.agents:
            where.line = line
            for agent in agents:
                if agent in users or known_in_village(agent):
                    self._pair(user, agent, names, bits, where)

    def _role_names(self, involved: set[str]) -> dict[str, set[str]]:
        names: dict[str, set[str]] = {}
        for assignment in self.roster.roles:
            if assignment.user_id in involved:
                names.setdefault(assignment.user_id, set()).add(assignment.oneroster_role)
        for user, others in self.other_roles.items():
            if user in involved:
                names.setdefault(user, set()).update(others)
        return names

    def _pair(
        self,
        user: str,
        agent: str,
        names: dict[str, set[str]],
        bits: dict[str, int],
        where: Where,
    ) -> None:
        if user == agent:
            where.warning("agent_self", "agentSourcedIds", f'user "{user}" lists itself as agent')
            return
        mine, theirs = bits.get(user, 0), bits.get(agent, 0)
        if mine & GUARDIAN and (
            theirs & STUDENT or (not theirs and agent not in self.roster.users)
        ):
            self.roster.guardians.add(GuardianPair(user, agent))
        elif mine & STUDENT and (
            theirs & GUARDIAN or (not theirs and agent not in self.roster.users)
        ):
            self.roster.guardians.add(GuardianPair(agent, user))
        else:
            where.warning(
                "agent_not_guardian",
                "agentSourcedIds",
                f'agent "{agent}" ({_describe(names, agent)}) of user "{user}" '
                f"({_describe(names, user)}) "
                "is not a parent, guardian or relative of a student: not linked",
            )


def _bits(names: set[str]) -> int:
    bits = 0
    for name in names:
        if name in roles.GUARDIAN_ROLES:
            bits |= GUARDIAN
        else:
            bits |= STUDENT if name == "student" else OTHER
    return bits


def _describe(names: dict[str, set[str]], user: str) -> str:
    return ", ".join(sorted(names.get(user, ()))) or "no role"
