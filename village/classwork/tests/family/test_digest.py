"""The weekly family digest with classwork's section: what each guardian's email says, within
each link's scope, in the guardian's language; written once per guardian and week; a fixed
number of queries per batch of guardians."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from village.accounts.models import User
from village.classwork.models import Assignment, Feedback
from village.classwork.tests.family.digest_week import SchoolWeek, comment, note_text
from village.community import services as community
from village.community.models import EnrollmentRole, GuardianLink, Role, Scope
from village.notifications import digest
from village.notifications.kinds import WEEKLY_DIGEST
from village.notifications.models import (
    Delivery,
    Digest,
    DigestOutcome,
    EmailMode,
    KindSetting,
    Notification,
)

pytestmark = pytest.mark.django_db


def sent_to(user: User) -> Delivery:
    return Delivery.objects.get(recipient=user, kind=WEEKLY_DIGEST)


def test_sams_digest_covers_ada_and_leo_in_spanish_with_grades(week: SchoolWeek) -> None:
    outcome = digest.compose([week.sam.pk], now=week.now)
    assert (outcome.considered, outcome.emailed) == (1, 1)
    email = sent_to(week.sam)
    assert email.address == week.sam.email
    assert email.headers["Content-Language"] == "es"
    assert "/notifications/unsubscribe/" in email.headers["List-Unsubscribe"]
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.subject.startswith("La semana del ")
    assert email.subject.endswith(": Ada y Leo")
    assert '<html lang="es">' in email.html
    for class_name, student in (("homeroom5", "ada"), ("science8", "leo"), ("math8", "leo")):
        for body in (email.html, email.text):
            assert comment(student, class_name) in body
            assert note_text(class_name) in body
            assert f"Missing in {class_name}" in body
            assert f"Due in {class_name}" in body
            assert f"Next week in {class_name}" in body
    assert "Tareas sin entregar" in email.html
    # the grades scope: scores, and the course grade that moved (9/10 last week; now with this
    # week's 5/10 and 1/10 on work families do not see, which counts all the same)
    assert "5 de 10 (50%)" in email.text
    assert "Grade 8 Math: 50% (era 90% al empezar la semana) (Por debajo del 70%)" in email.text
    # teacher-written text keeps its own language inside the Spanish email
    assert '<span class="dg-quote" lang="en">' + note_text("science8") in email.html
    # one conversation starter per child, in Spanish
    assert email.text.count("Algo de qué hablar") == 2
    assert "/notifications/digest/read/" in email.text
    assert Digest.objects.get(recipient=week.sam).children == sorted([week.ada.pk, week.leo.pk])


def test_jordans_digest_covers_leo_without_grades(week: SchoolWeek) -> None:
    digest.compose([week.jordan.pk], now=week.now)
    email = sent_to(week.jordan)
    assert email.headers["Content-Language"] == "en"
    assert email.subject.endswith(": Leo")
    for body in (email.html, email.text):
        assert comment("leo", "science8") in body
        assert note_text("math8") in body
        assert "Ada" not in body
        assert "out of" not in body
        assert "%" not in body
        assert "Course grades that moved" not in body
        assert "homeroom5" not in body


def test_no_child_outside_its_links_scope_is_named(week: SchoolWeek) -> None:
    """Nothing of Maya (no link), of work hidden from families, nor of a child whose link
    stops allowing classwork, or is no_access."""
    link = GuardianLink.objects.get(guardian=week.sam, student=week.ada)
    community.guardian_link_set_access(link=link, scopes=[Scope.GOALS], no_access=False)
    jordan_link = GuardianLink.objects.get(guardian=week.jordan, student=week.leo)
    community.guardian_link_set_access(link=jordan_link, scopes=list(Scope), no_access=True)
    digest.compose([week.sam.pk, week.jordan.pk], now=week.now)
    email = sent_to(week.sam)
    for body in (email.html, email.text, email.subject):
        assert "Ada" not in body
        assert "homeroom5" not in body
        assert "maya" not in body.lower()
        assert "Hidden" not in body
    assert comment("leo", "math8") in email.text
    assert not Delivery.objects.filter(recipient=week.jordan).exists()
    assert not Digest.objects.filter(recipient=week.jordan).exists()  # no usable link at all


def test_a_link_without_school_communications_stays_out_of_the_email(week: SchoolWeek) -> None:
    GuardianLink.objects.filter(guardian=week.sam, student=week.ada).update(
        receives_communications=False
    )
    GuardianLink.objects.filter(guardian=week.jordan).update(receives_communications=False)
    digest.compose([week.sam.pk, week.jordan.pk], now=week.now)
    email = sent_to(week.sam)
    assert "Ada" not in email.text
    assert comment("leo", "science8") in email.text
    assert Digest.objects.get(recipient=week.sam).children == [week.leo.pk]
    jordan = Digest.objects.get(recipient=week.jordan)
    assert (jordan.outcome, jordan.delivery) == (DigestOutcome.NO_COMMUNICATIONS, None)


def test_each_guardian_gets_one_digest_a_week_however_often_it_runs(week: SchoolWeek) -> None:
    ids = [week.sam.pk, week.jordan.pk, week.olga.pk]
    first = digest.compose(ids, now=week.now)
    again = digest.compose(ids, now=week.now + dt.timedelta(hours=2))
    assert (first.considered, first.emailed) == (3, 2)  # Olga's Mina has nothing this week
    assert (again.considered, again.emailed) == (0, 0)
    assert Delivery.objects.filter(kind=WEEKLY_DIGEST).count() == 2
    assert Digest.objects.get(recipient=week.olga).outcome == DigestOutcome.NOTHING_NEW
    assert Digest.objects.count() == 3
    # the next week's digest covers what came after this one
    next_week = digest.compose(ids, now=week.now + dt.timedelta(days=7))
    assert next_week.considered == 3
    later = Delivery.objects.filter(recipient=week.sam, kind=WEEKLY_DIGEST).order_by("-id")
    assert later.count() == 2
    assert comment("ada", "homeroom5") not in later[0].text  # returned before the first one


def test_no_email_without_an_address_or_with_the_digest_turned_off(week: SchoolWeek) -> None:
    User.objects.filter(pk=week.jordan.pk).update(email="")
    KindSetting.objects.create(user=week.sam, kind=WEEKLY_DIGEST, email=EmailMode.OFF)
    digest.compose([week.sam.pk, week.jordan.pk], now=week.now)
    assert not Delivery.objects.exists()
    outcomes = dict(Digest.objects.values_list("recipient_id", "outcome"))
    assert outcomes == {
        week.sam.pk: DigestOutcome.EMAIL_OFF,
        week.jordan.pk: DigestOutcome.NO_ADDRESS,
    }


def test_notifications_folded_into_the_weekly_digest_are_carried_once(week: SchoolWeek) -> None:
    folded = Notification.objects.create(
        recipient=week.olga,
        kind="test_folded",
        child=week.mina,
        title="Mina's reading log is missing",
        email_mode=EmailMode.WEEKLY,
        folded=True,
        key="olga:folded:1",
        created_at=week.now - dt.timedelta(days=1),
    )
    digest.compose([week.olga.pk], now=week.now)
    email = sent_to(week.olga)  # nothing else is new for Mina: the notification is news
    assert "Mina's reading log is missing" in email.text
    folded.refresh_from_db()
    assert folded.digested_at == week.now
    digest.compose([week.olga.pk], now=week.now + dt.timedelta(days=7))
    assert Digest.objects.filter(recipient=week.olga).count() == 2
    assert Delivery.objects.filter(recipient=week.olga).count() == 1  # carried once


def _more_families(week: SchoolWeek, count: int) -> list[int]:
    """``count`` more guardians, each with a child in Leo's classes with work and feedback."""
    ids = []
    graded = Assignment.objects.get(title="Graded in science8")
    for index in range(count):
        child = community.person_create(
            username=f"child{index}",
            first_name=f"Kid{index}",
            last_name="Doe",
            role=Role.STUDENT,
            organisation=week.school,
        )
        parent = community.person_create(
            username=f"parent{index}",
            first_name=f"Parent{index}",
            last_name="Doe",
            role=Role.GUARDIAN,
            organisation=week.school,
            email=f"p{index}@example.org",
            preferred_language="es" if index % 2 else "en",
        )
        for school_class in (week.science8, week.math8):
            community.enrollment_add(
                user=child, school_class=school_class, role=EnrollmentRole.STUDENT
            )
        community.guardian_link(guardian=parent, student=child)
        Feedback.objects.create(
            assignment=graded,
            student=child,
            score=Decimal(index % 10),
            comment=f"Comment {index}",
            returned_at=week.now - dt.timedelta(days=1),
        )
        ids.append(parent.pk)
    return ids


def _queries(ids: list[int], now: dt.datetime) -> int:
    with CaptureQueriesContext(connection) as queries:
        outcome = digest.compose(ids, now=now)
    assert outcome.emailed == len(ids)
    return len(queries)


def test_a_batch_takes_the_same_number_of_queries_whatever_its_size(week: SchoolWeek) -> None:
    few = [week.sam.pk, week.jordan.pk]
    many = _more_families(week, 12)
    assert _queries(few, week.now) == _queries(many, week.now)


def test_the_preview_says_what_the_email_will_say_and_writes_nothing(week: SchoolWeek) -> None:
    composed = digest.preview(week.sam, now=week.now)
    assert composed is not None
    digest.compose([week.sam.pk], now=week.now)
    email = sent_to(week.sam)
    body = re.sub(r'href="[^"]*"', "", str(composed.body))
    assert re.sub(r'href="[^"]*"', "", email.html).count(comment("leo", "math8")) == 1
    assert comment("leo", "math8") in body
    assert "dg-button" not in body  # no working "I've read this" link in a preview


def test_a_teachers_preview_shows_only_their_classes(week: SchoolWeek) -> None:
    """Mr. Chen teaches math8 only: Leo's math, not his science, and nothing of Ada."""
    classes = {week.leo.pk: frozenset({week.math8.pk})}
    composed = digest.preview(week.sam, now=week.now, classes=classes)
    assert composed is not None
    body = str(composed.body)
    assert comment("leo", "math8") in body
    assert "science8" not in body
    assert "Ada" not in body
    assert composed.children == [week.leo.pk]


def test_the_guardians_preview_names_the_children_left_out_of_the_email(week: SchoolWeek) -> None:
    GuardianLink.objects.filter(guardian=week.sam, student=week.ada).update(
        receives_communications=False
    )
    client = Client()
    client.force_login(week.sam)
    page = client.get("/notifications/digest/").content.decode()
    assert "La escuela no le envía correos sobre Ada" in page
    assert comment("leo", "math8") in page
    assert comment("ada", "homeroom5") not in page


def test_a_language_is_asked_only_for_the_children_of_its_readers(
    week: SchoolWeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch looks up Spanish for the teachers' words about Sam's children and those of the
    other Spanish readers, not for every child of the batch."""
    from village.classwork.family import digest as section

    asked: dict[str, set[str]] = {}
    lookup = section.lookup_classes

    def spy(wanted, *, target):
        asked.setdefault(target, set()).update(t.text for texts in wanted.values() for t in texts)
        return lookup(wanted, target=target)

    monkeypatch.setattr(section, "lookup_classes", spy)
    english, spanish = _more_families(week, 2)  # child0's guardian reads English, child1's Spanish
    digest.compose([week.sam.pk, week.jordan.pk, english, spanish], now=week.now)
    assert set(asked) == {"es"}
    assert comment("leo", "science8") in asked["es"]
    assert comment("ada", "homeroom5") in asked["es"]
    assert "Comment 1" in asked["es"]
    assert "Comment 0" not in asked["es"]


def test_the_batch_knows_which_children_each_language_reads(week: SchoolWeek) -> None:
    found = digest.families([week.sam.pk, week.jordan.pk], now=week.now)
    batch = digest._batch(found, now=week.now, classes=None)
    assert batch.read_in("es") == {week.ada.pk, week.leo.pk}
    assert batch.read_in("en") == {week.leo.pk}
    assert batch.read_in("vi") == frozenset()
