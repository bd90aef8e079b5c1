"""The authorization matrix: every visibility of an entry, every persona, who reads it; the same
for accommodations and for opening the profile at all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from village.accounts.models import User
from village.community.models import Enrollment, EnrollmentRole, LinkStatus
from village.community.policies import forget_roles, today
from village.support import policies
from village.support.models import Accommodation, Entry, Section, Topic, Visibility
from village.support.services.accommodations import AccommodationFields, accommodation_add
from village.support.services.entries import entry_save
from village.support.tests.conftest import Support

FAMILY, STAFF, RESTRICTED = Visibility.FAMILY, Visibility.STAFF, Visibility.RESTRICTED

#: Each persona, what they read of Ada's profile (an entry by Mr. Diaz, her homeroom's aide,
#: naming Ms. Ortiz when restricted).
MATRIX: dict[str, set[Visibility]] = {
    "ada (the student)": {FAMILY},
    "sam (guardian, support plan allowed)": {FAMILY},
    "kim (guardian, no support plan)": set(),
    "lou (guardian, link ended)": set(),
    "rex (guardian, no access)": set(),
    "rivera (current teacher)": {FAMILY, STAFF},
    "vance (former teacher)": set(),
    "chen (teacher of another class)": set(),
    "ortiz (counsellor, named)": {FAMILY, STAFF, RESTRICTED},
    "bakr (counsellor, not named)": {FAMILY, STAFF},
    "nguyen (school admin)": {FAMILY, STAFF},
    "priya (district admin)": {FAMILY, STAFF},
    "park (teacher at a sister school)": set(),
    "jordan (another child's guardian)": set(),
    "library (community partner)": set(),
    "eve (Lakeside guardian)": set(),
    "stone (Lakeside teacher)": set(),
}


def persona(support: Support, label: str) -> User:
    name = label.split(" ")[0]
    found = getattr(support, name, None) or getattr(support.people, name)
    assert isinstance(found, User)
    return found


def _entry(support: Support, visibility: Visibility) -> Entry:
    readers = [support.ortiz] if visibility == RESTRICTED else []
    return entry_save(
        author=support.diaz,
        student=support.people.ada,
        topic=Topic.NEEDS,
        text="Ada works best with a checklist for multi-step tasks.",
        visibility=visibility,
        readers=readers,
    )


@pytest.mark.parametrize("visibility", list(Visibility))
@pytest.mark.parametrize("label", list(MATRIX))
def test_entry_matrix(support: Support, label: str, visibility: Visibility) -> None:
    entry = _entry(support, visibility)
    reader = persona(support, label)
    sees = policies.visible_entries(reader).filter(pk=entry.pk).exists()
    assert sees == (visibility in MATRIX[label])


@pytest.mark.parametrize("label", list(MATRIX))
def test_who_opens_the_profile(support: Support, label: str) -> None:
    reader = persona(support, label)
    opens = bool(MATRIX[label])
    if opens:
        assert policies.profile_student_for_viewer(reader, support.people.ada.pk) is not None
    else:
        with pytest.raises(Http404):
            policies.profile_student_for_viewer(reader, support.people.ada.pk)


def _accommodation(support: Support, visibility: Visibility) -> Accommodation:
    return accommodation_add(
        author=support.ortiz,
        student=support.people.ada,
        fields=AccommodationFields(
            category="timing",
            title="Extended time",
            starts_on=today() - dt.timedelta(days=10),
            visibility=visibility,
        ),
    )


@pytest.mark.parametrize("visibility", [FAMILY, STAFF])
@pytest.mark.parametrize("label", list(MATRIX))
def test_accommodation_matrix(support: Support, label: str, visibility: Visibility) -> None:
    """Every current staff member sees every accommodation, restricted entries or not; the
    student and family those shared with them."""
    accommodation = _accommodation(support, visibility)
    reader = persona(support, label)
    sees = policies.visible_accommodations(reader).filter(pk=accommodation.pk).exists()
    assert sees == (visibility in MATRIX[label])


def test_authors_read_their_own_entries_whatever_the_visibility(support: Support) -> None:
    ada = support.people.ada
    mine = entry_save(
        author=ada,
        student=ada,
        topic=Topic.FOR_MY_TEACHERS,
        text="I get nervous reading aloud.",
        visibility=RESTRICTED,
        readers=[support.ortiz],
    )
    assert policies.visible_entries(ada).filter(pk=mine.pk).exists()
    assert policies.visible_entries(support.ortiz).filter(pk=mine.pk).exists()
    for other in (support.people.sam, support.people.rivera, support.people.nguyen, support.bakr):
        assert not policies.visible_entries(other).filter(pk=mine.pk).exists()


def test_a_named_reader_who_stops_teaching_the_student_reads_nothing(support: Support) -> None:
    rivera, ada = support.people.rivera, support.people.ada
    entry = entry_save(
        author=support.ortiz, student=ada, topic=Topic.NEEDS, text="Sees me weekly.",
        visibility=RESTRICTED, readers=[rivera],
    )  # fmt: skip
    assert policies.visible_entries(rivera).filter(pk=entry.pk).exists()
    Enrollment.objects.filter(
        user=rivera, school_class=support.people.homeroom5, role=EnrollmentRole.TEACHER
    ).update(end_date=today() - dt.timedelta(days=1))
    forget_roles(rivera)
    assert not policies.visible_entries(rivera).filter(pk=entry.pk).exists()
    assert policies.visible_entries(support.ortiz).filter(pk=entry.pk).exists()


def test_a_guardian_author_whose_link_ends_reads_nothing(support: Support) -> None:
    sam, ada = support.people.sam, support.people.ada
    entry = entry_save(author=sam, student=ada, topic=Topic.CONCERNS, text="Sleep.")
    link = sam.children_links.get(student=ada)
    link.status = LinkStatus.ENDED
    link.save()
    forget_roles(sam)
    assert not policies.visible_entries(sam).filter(pk=entry.pk).exists()
    assert not policies.may_write_section(sam, ada.pk, Section(entry.section))


def test_who_sets_accommodations(support: Support) -> None:
    ada = support.people.ada.pk
    managers = {support.ortiz, support.bakr, support.people.nguyen, support.people.priya}
    others = {support.people.rivera, support.diaz, support.people.sam, support.people.stone}
    assert all(policies.may_manage_accommodations(user, ada) for user in managers)
    assert not any(policies.may_manage_accommodations(user, ada) for user in others)


def test_a_counsellor_without_a_staff_role_is_not_staff(support: Support) -> None:
    """The support team counts only while its member holds a staff role at the school."""
    support.ortiz.org_roles.update(end_date=today() - dt.timedelta(days=1))
    forget_roles(support.ortiz)
    assert not policies.is_student_staff(support.ortiz, support.people.ada.pk)
    staff = policies.student_staff_ids(support.people.ada.pk)
    assert not staff.filter(pk=support.ortiz.pk).exists()


#: Ada's current staff, written out: who a restricted note on her may name.
ADAS_STAFF = {"rivera", "diaz", "ortiz", "bakr", "nguyen", "priya"}


@pytest.mark.parametrize("label", [*MATRIX, "diaz (aide of her homeroom)"])
def test_the_students_staff_are_the_same_seen_from_either_side(
    support: Support, label: str
) -> None:
    """Who a restricted entry may name (seen from the student) is exactly who counts as her
    staff (seen from each member of staff), district admins included."""
    user = persona(support, label)
    ada = support.people.ada.pk
    named = user.pk in set(policies.student_staff_ids(ada).values_list("pk", flat=True))
    assert named == policies.is_student_staff(user, ada) == (user.username in ADAS_STAFF)
    assert policies.readers_not_staff([user], ada) == ([] if named else [user])


def test_naming_readers_checks_them_all_in_one_query(
    support: Support, django_assert_num_queries
) -> None:
    people = [support.ortiz, support.bakr, support.vance, support.people.chen, support.diaz]
    with django_assert_num_queries(1):
        outside = policies.readers_not_staff(people, support.people.ada.pk)
    assert outside == [support.vance, support.people.chen]
