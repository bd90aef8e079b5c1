"""Which families of a class the week's digest reached: read, emailed and never confirmed, or
not reached and why; the printed copy for those it did not reach; a fixed number of queries
whatever the number of families."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from village.accounts.models import User
from village.community import services as community
from village.community.models import EnrollmentRole, Role
from village.demo.personas import Personas
from village.notifications.digest_report import Reach, class_reach
from village.notifications.models import (
    Channel,
    Delivery,
    DeliveryState,
    Digest,
    DigestOutcome,
    DigestPeriod,
)

pytestmark = pytest.mark.django_db


def monday() -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday())


def family(p: Personas, name: str, *, communications: bool = True) -> tuple[User, User]:
    """A student of Grade 8 Science and their guardian, both called ``name``."""
    child = community.person_create(
        username=f"{name}-child",
        first_name=f"{name.title()}kid",
        last_name=name.title(),
        role=Role.STUDENT,
        organisation=p.school,
    )
    community.enrollment_add(user=child, school_class=p.science8, role=EnrollmentRole.STUDENT)
    parent = community.person_create(
        username=name,
        first_name=name.title(),
        last_name=name.title(),
        role=Role.GUARDIAN,
        organisation=p.school,
        email=f"{name}@example.org",
    )
    community.guardian_link(guardian=parent, student=child, receives_communications=communications)
    return parent, child


def digest(
    user: User,
    outcome: DigestOutcome,
    children: list[User],
    *,
    state: DeliveryState | None = None,
    confirmed: bool = False,
) -> Digest:
    now = timezone.now()
    delivery = None
    if state is not None:
        delivery = Delivery.objects.create(
            key=f"digest:{user.pk}:{monday()}",
            channel=Channel.EMAIL,
            recipient=user,
            kind="weekly_digest",
            address=user.email,
            text="…",
            state=state,
            created_at=now,
            due_at=now,
        )
    return Digest.objects.create(
        recipient=user,
        period=DigestPeriod.WEEKLY,
        starts=monday(),
        created_at=now,
        delivery=delivery,
        children=[child.pk for child in children],
        outcome=outcome,
        confirmed_at=now if confirmed else None,
    )


@pytest.fixture
def week(personas: Personas) -> dict[str, User]:
    p = personas
    found = {}
    for name, outcome, state, confirmed in (
        ("reader", DigestOutcome.EMAILED, DeliveryState.SENT, True),
        ("silent", DigestOutcome.EMAILED, DeliveryState.SENT, False),
        ("queued", DigestOutcome.EMAILED, DeliveryState.QUEUED, False),
        ("bounced", DigestOutcome.EMAILED, DeliveryState.FAILED, False),
        ("quiet", DigestOutcome.NOTHING_NEW, None, False),
    ):
        parent, child = family(p, name)
        digest(parent, outcome, [child], state=state, confirmed=confirmed)
        found[name] = parent
    parent, child = family(p, "nomail")
    User.objects.filter(pk=parent.pk).update(email="")
    digest(parent, DigestOutcome.NO_ADDRESS, [])
    found["nomail"] = parent
    parent, _child = family(p, "apart", communications=False)
    digest(parent, DigestOutcome.NO_COMMUNICATIONS, [])
    found["apart"] = parent
    digest(p.sam, DigestOutcome.EMAIL_OFF, [])
    found["sam"] = p.sam
    found["jordan"] = p.jordan  # no digest this week yet
    return found


def test_each_family_is_told_apart_by_what_the_digest_did(personas, week) -> None:
    reach = {one.guardian_id: one.reach for one in class_reach(personas.science8, monday())}
    assert reach == {
        week["reader"].pk: Reach.CONFIRMED,
        week["silent"].pk: Reach.UNCONFIRMED,
        week["queued"].pk: Reach.WAITING,
        week["bounced"].pk: Reach.FAILED,
        week["quiet"].pk: Reach.NOTHING_NEW,
        week["nomail"].pk: Reach.NO_ADDRESS,
        week["apart"].pk: Reach.NOT_IN_EMAIL,
        week["sam"].pk: Reach.EMAIL_OFF,
        week["jordan"].pk: Reach.NOT_YET,
    }
    # another week: nobody has a digest
    earlier = class_reach(personas.science8, monday() - dt.timedelta(days=7))
    assert {one.reach for one in earlier} == {Reach.NOT_YET}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_report_groups_families_and_prints_the_digest_for_those_not_reached(
    personas, week
) -> None:
    p = personas
    page = signed_in(p.rivera).get(f"/notifications/classes/{p.science8.pk}/digests/")
    html = page.content.decode()
    assert page.status_code == 200
    for label in ("Read it", "Emailed, never confirmed", "No email address", "The email could"):
        assert label in html or label.replace("'", "&#x27;") in html
    printed = signed_in(p.rivera).get(f"/notifications/classes/{p.science8.pk}/digests/print/")
    text = printed.content.decode()
    for name in ("Bounced", "Nomail", "Sam Okoye"):
        assert f"For {name}" in text
    for name in ("Apart", "Reader", "Silent", "Jordan"):
        assert f"For {name}" not in text


def test_a_bad_week_is_named_and_this_week_is_shown(personas, week) -> None:
    page = signed_in(personas.rivera).get(
        f"/notifications/classes/{personas.science8.pk}/digests/?week=yesterday"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Enter a valid date." in html
    assert "Emailed, never confirmed" in html  # this week's report


def test_the_report_takes_the_same_number_of_queries_however_many_families(personas) -> None:
    p = personas
    path = f"/notifications/classes/{p.science8.pk}/digests/"
    client = signed_in(p.rivera)
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    for index in range(6):
        parent, child = family(p, f"parent{index}")
        digest(parent, DigestOutcome.EMAILED, [child], state=DeliveryState.SENT)
    with CaptureQueriesContext(connection) as many:
        client.get(path)
    assert len(many) == len(few)
