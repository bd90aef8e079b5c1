"""Whom an announcement reaches: a guardian once however many of their children it concerns,
only through usable links; students and staff as its flags say; never its author."""

from __future__ import annotations

import pytest

from village.announcements.models import AudienceScope, Recipient, RecipientRole
from village.announcements.tests.support import announce
from village.community.models import GuardianLink, LinkStatus
from village.community.services import guardian_link
from village.notifications.models import Delivery, EmailMode, Notification

pytestmark = pytest.mark.django_db

GUARDIAN, STUDENT, STAFF = RecipientRole.GUARDIAN, RecipientRole.STUDENT, RecipientRole.STAFF


def reached(announcement) -> dict[str, str]:
    return dict(
        Recipient.objects.filter(announcement=announcement).values_list("user__username", "role")
    )


def test_a_class_announcement_reaches_its_families_and_students(personas):
    sent = announce(personas.rivera, class_id=personas.homeroom5.pk, to_students=True)
    assert reached(sent) == {"sam": GUARDIAN, "ada": STUDENT, "maya": STUDENT}
    sam = Recipient.objects.get(announcement=sent, user=personas.sam)
    assert sam.child == personas.ada
    assert sam.school == personas.school
    assert sam.delivered_at == sent.sent_at
    assert sam.read_at is None


def test_a_family_with_two_children_at_the_school_gets_it_once(personas):
    sent = announce(
        personas.nguyen, AudienceScope.SCHOOL, school_id=personas.school.pk, to_families=True
    )
    assert reached(sent) == {"sam": GUARDIAN, "jordan": GUARDIAN}
    assert Recipient.objects.get(announcement=sent, user=personas.sam).child == personas.ada
    (note,) = Notification.objects.filter(recipient=personas.sam)
    assert note.child is None  # about both children
    # A school announcement waits for the daily digest, unless the guardian chose otherwise.
    assert note.email_mode == EmailMode.DAILY


@pytest.mark.parametrize(
    "change",
    [{"no_access": True}, {"status": LinkStatus.ENDED}, {"status": LinkStatus.PENDING}],
)
def test_a_link_that_is_not_usable_gets_nothing(personas, change):
    GuardianLink.objects.filter(guardian=personas.jordan).update(**change)
    sent = announce(personas.rivera, class_id=personas.science8.pk)
    assert reached(sent) == {"sam": GUARDIAN}
    assert not Notification.objects.filter(recipient=personas.jordan).exists()
    assert not Delivery.objects.filter(recipient=personas.jordan).exists()


def test_a_link_without_school_communications_gets_it_in_village_only(personas):
    GuardianLink.objects.filter(guardian=personas.jordan).update(receives_communications=False)
    sent = announce(personas.rivera, class_id=personas.science8.pk)
    jordan = Recipient.objects.get(announcement=sent, user=personas.jordan)
    assert not jordan.communications
    note = Notification.objects.get(recipient=personas.jordan)
    assert note.email_mode == EmailMode.OFF
    assert not Delivery.objects.filter(recipient=personas.jordan).exists()
    assert Delivery.objects.filter(recipient=personas.sam).exists()


def test_students_only_and_staff_only(personas):
    students = announce(
        personas.nguyen,
        AudienceScope.SCHOOL,
        school_id=personas.school.pk,
        to_families=False,
        to_students=True,
    )
    assert reached(students) == {"ada": STUDENT, "leo": STUDENT, "maya": STUDENT}
    staff = announce(
        personas.nguyen,
        AudienceScope.SCHOOL,
        school_id=personas.school.pk,
        to_families=False,
        to_staff=True,
    )
    assert reached(staff) == {"rivera": STAFF, "chen": STAFF}  # not Nguyen, its author


def test_a_grade_reaches_its_students_families_and_teachers(personas):
    sent = announce(
        personas.nguyen,
        AudienceScope.GRADE,
        school_id=personas.school.pk,
        grade="5",
        to_students=True,
        to_staff=True,
    )
    assert reached(sent) == {"sam": GUARDIAN, "ada": STUDENT, "maya": STUDENT, "rivera": STAFF}
    assert Recipient.objects.get(announcement=sent, user=personas.sam).child == personas.ada


def test_a_district_announcement_reaches_every_school_of_the_district_only(personas):
    sent = announce(
        personas.priya,
        AudienceScope.DISTRICT,
        district_id=personas.district.pk,
        to_students=True,
        to_staff=True,
    )
    assert reached(sent) == {
        "sam": GUARDIAN,
        "jordan": GUARDIAN,
        "olga": GUARDIAN,
        "ada": STUDENT,
        "leo": STUDENT,
        "maya": STUDENT,
        "mina": STUDENT,
        "rivera": STAFF,
        "chen": STAFF,
        "nguyen": STAFF,
        "park": STAFF,
    }
    olga = Recipient.objects.get(announcement=sent, user=personas.olga)
    assert olga.school == personas.sister_school


def test_someone_who_is_family_and_staff_gets_it_once_as_family(personas):
    guardian_link(guardian=personas.chen, student=personas.maya)
    sent = announce(
        personas.nguyen,
        AudienceScope.SCHOOL,
        school_id=personas.school.pk,
        to_families=True,
        to_staff=True,
    )
    assert reached(sent)["chen"] == GUARDIAN
    assert Notification.objects.filter(recipient=personas.chen).count() == 1


def test_inactive_accounts_get_nothing(personas):
    personas.maya.is_active = False
    personas.maya.save(update_fields=["is_active"])
    sent = announce(personas.rivera, class_id=personas.homeroom5.pk, to_students=True)
    assert "maya" not in reached(sent)
