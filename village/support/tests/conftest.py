"""The support tests' district: the personas, plus around Ada (grade 5 homeroom, Ms. Rivera)
the people a profile must tell apart: Mr. Diaz (an aide of her homeroom), Ms. Ortiz and
Mr. Bakr (counsellors on Riverside's support team), Mr. Vance (her teacher until yesterday),
and three more guardians of hers: Kim (a link without the support plan), Lou (a link that
ended) and Rex (``no_access``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from village.accounts.models import User
from village.community import services as community
from village.community.models import EnrollmentRole, LinkStatus, Role, Scope
from village.community.policies import today
from village.demo.personas import Personas
from village.support.models import TeamKind
from village.support.services.team import team_member_add


@dataclass
class Support:
    people: Personas
    diaz: User
    ortiz: User
    bakr: User
    vance: User
    kim: User
    lou: User
    rex: User


def _staff(username: str, first: str, last: str, people: Personas) -> User:
    return community.person_create(
        username=username,
        first_name=first,
        last_name=last,
        role=Role.TEACHER,
        organisation=people.school,
    )


def _guardian(username: str, people: Personas, **link: object) -> User:
    guardian = community.person_create(
        username=username,
        first_name=username.title(),
        last_name="Okoye",
        role=Role.GUARDIAN,
        organisation=people.school,
    )
    community.guardian_link(guardian=guardian, student=people.ada, **link)  # type: ignore[arg-type]
    return guardian


@pytest.fixture
def support(personas: Personas) -> Support:
    return build_support(personas)


def build_support(people: Personas) -> Support:
    """The people around Ada (see the module), on top of the personas."""
    diaz = community.person_create(
        username="diaz", first_name="Tom", last_name="Diaz", role=Role.AIDE,
        organisation=people.school,
    )  # fmt: skip
    community.enrollment_add(user=diaz, school_class=people.homeroom5, role=EnrollmentRole.AIDE)
    ortiz = _staff("ortiz", "Ana", "Ortiz", people)
    bakr = _staff("bakr", "Omar", "Bakr", people)
    for counsellor in (ortiz, bakr):
        team_member_add(
            actor=people.nguyen, school=people.school, user=counsellor, kind=TeamKind.COUNSELLOR
        )
    vance = _staff("vance", "Paul", "Vance", people)
    community.enrollment_add(
        user=vance,
        school_class=people.homeroom5,
        role=EnrollmentRole.TEACHER,
        begin_date=today() - dt.timedelta(days=60),
        end_date=today() - dt.timedelta(days=1),
    )
    return Support(
        people=people,
        diaz=diaz,
        ortiz=ortiz,
        bakr=bakr,
        vance=vance,
        kim=_guardian("kim", people, scopes=[s for s in Scope if s != Scope.SUPPORT_PLAN]),
        lou=_guardian("lou", people, status=LinkStatus.ENDED),
        rex=_guardian("rex", people, no_access=True),
    )
