"""Who may announce to which class, grade, school or district, to whom of its people, and who
reads an announcement and its reach afterwards: one policy, tested as a matrix over the persona
district (``village.demo.personas``: Ms. Rivera teaches Grade 5 Homeroom and Grade 8 Science,
Mr. Chen Grade 8 Math, Principal Nguyen runs Riverside K-8, Priya the Riverside district with
Oak Hill Elementary, where Ms. Park teaches; Ms. Stone teaches at Lakeside, another district)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from tests.authorization import EVERYONE
from village.announcements import policies
from village.announcements.models import AudienceScope
from village.announcements.tests.support import announce
from village.community.models import EnrollmentRole, GuardianLink, LinkStatus, Role
from village.community.policies import forget_roles
from village.community.services import enrollment_add, role_grant

pytestmark = pytest.mark.django_db

CLASS, GRADE, SCHOOL, DISTRICT = (
    AudienceScope.CLASS,
    AudienceScope.GRADE,
    AudienceScope.SCHOOL,
    AudienceScope.DISTRICT,
)

#: Each target of the matrix: (scope, the persona attribute it names, the grade).
TARGETS = {
    "homeroom5": (CLASS, "homeroom5", ""),
    "science8": (CLASS, "science8", ""),
    "math8": (CLASS, "math8", ""),
    "sister_class": (CLASS, "sister_class", ""),
    "other_class": (CLASS, "other_class", ""),
    "grade5": (GRADE, "school", "5"),
    "school": (SCHOOL, "school", ""),
    "sister_school": (SCHOOL, "sister_school", ""),
    "other_school": (SCHOOL, "other_school", ""),
    "district": (DISTRICT, "district", ""),
    "other_district": (DISTRICT, "other_district", ""),
}

#: persona → the targets they may announce to, and those as an admin (staff, urgent).
MAY: dict[str, tuple[set[str], set[str]]] = {
    "rivera": ({"homeroom5", "science8"}, set()),
    "chen": ({"math8"}, set()),
    "park": ({"sister_class"}, set()),
    "stone": ({"other_class"}, set()),
    "nguyen": (
        {"homeroom5", "science8", "math8", "grade5", "school"},
        {"homeroom5", "science8", "math8", "grade5", "school"},
    ),
    "priya": (
        {"school", "sister_school", "district"},
        {"school", "sister_school", "district"},
    ),
}


def _name(personas, scope, attribute, grade):
    found = getattr(personas, attribute)
    if scope == CLASS:
        return {"class_id": found.pk}
    if scope == DISTRICT:
        return {"district_id": found.pk}
    return {"school_id": found.pk, "grade": grade}


def matrix() -> list[tuple[str, str]]:
    return [(persona, target) for persona in EVERYONE for target in TARGETS]


@pytest.mark.parametrize(("persona", "target"), matrix())
def test_who_may_announce_to_which_target(personas, persona, target):
    user = getattr(personas, persona)
    scope, attribute, grade = TARGETS[target]
    allowed, as_admin = MAY.get(persona, (set(), set()))
    names = _name(personas, scope, attribute, grade)
    if target not in allowed:
        with pytest.raises(Http404):
            policies.target_for_announcer(user, scope=scope, **names)
        return
    found = policies.target_for_announcer(user, scope=scope, **names)
    assert found.scope == scope
    assert found.as_admin == (target in as_admin)


@pytest.mark.parametrize("persona", EVERYONE)
def test_only_teachers_and_admins_may_announce_at_all(personas, persona):
    assert policies.may_announce(getattr(personas, persona)) == (persona in MAY)


def test_an_aide_may_not_announce_to_the_class_they_assist_in(personas):
    role_grant(user=personas.chen, organisation=personas.school, role=Role.AIDE)
    enrollment_add(user=personas.chen, school_class=personas.homeroom5, role=EnrollmentRole.AIDE)
    forget_roles(personas.chen)
    with pytest.raises(Http404):
        policies.target_for_announcer(personas.chen, scope=CLASS, class_id=personas.homeroom5.pk)


@pytest.mark.parametrize(
    ("persona", "target", "choice", "field"),
    [
        ("rivera", "homeroom5", {"to_staff": True}, "to_staff"),
        ("rivera", "homeroom5", {"urgent": True}, "urgent"),
        ("rivera", "homeroom5", {"to_families": False}, "to_families"),
        ("nguyen", "school", {"to_families": False}, "to_families"),
    ],
)
def test_what_an_announcer_may_not_send_is_refused_naming_the_field(
    personas, persona, target, choice, field
):
    scope, attribute, grade = TARGETS[target]
    with pytest.raises(ValidationError) as refused:
        announce(
            getattr(personas, persona), scope, **_name(personas, scope, attribute, grade), **choice
        )
    assert field in refused.value.message_dict


def test_an_admin_may_write_to_a_class_staff_and_mark_it_urgent(personas):
    sent = announce(
        personas.nguyen,
        CLASS,
        class_id=personas.homeroom5.pk,
        to_staff=True,
        urgent=True,
    )
    assert sent.urgent
    assert sent.to_staff


# --- who reads it, and who sees its reach --------------------------------------------------------

#: Rivera to Grade 5 Homeroom's families and students: Sam (Ada's mother), Ada and Maya read it;
#: Rivera, Nguyen and Priya see its reach; nobody else reaches it.
READERS = {"sam", "ada", "maya"}
MANAGERS = {"rivera", "nguyen", "priya"}


@pytest.fixture
def homeroom(personas):
    return announce(
        personas.rivera, CLASS, class_id=personas.homeroom5.pk, to_families=True, to_students=True
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_who_reads_an_announcement(personas, homeroom, persona):
    user = getattr(personas, persona)
    if persona not in READERS | MANAGERS:
        with pytest.raises(Http404):
            policies.announcement_for_reader(user, homeroom.pk)
        return
    reading = policies.announcement_for_reader(user, homeroom.pk)
    assert (reading.receipt is not None) == (persona in READERS)
    assert reading.manages == (persona in MANAGERS)


@pytest.mark.parametrize("persona", EVERYONE)
def test_who_sees_its_reach(personas, homeroom, persona):
    user = getattr(personas, persona)
    if persona in MANAGERS:
        assert policies.announcement_for_manager(user, homeroom.pk) == homeroom
    else:
        with pytest.raises(Http404):
            policies.announcement_for_manager(user, homeroom.pk)


@pytest.mark.parametrize(
    "change",
    [
        {"no_access": True},
        {"status": LinkStatus.ENDED},
        {"status": LinkStatus.PENDING},
    ],
)
def test_a_guardian_whose_link_no_longer_holds_reads_it_no_more(personas, homeroom, change):
    GuardianLink.objects.filter(guardian=personas.sam, student=personas.ada).update(**change)
    with pytest.raises(Http404):
        policies.announcement_for_reader(personas.sam, homeroom.pk)


def test_its_author_sees_its_reach_only_while_staff_of_its_school(personas, homeroom):
    from village.community.models import Enrollment, OrgRole

    OrgRole.objects.filter(user=personas.rivera).delete()
    Enrollment.objects.filter(user=personas.rivera).delete()
    forget_roles(personas.rivera)
    with pytest.raises(Http404):
        policies.announcement_for_manager(personas.rivera, homeroom.pk)
