from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.db.models import Count, Exists, OuterRef
from django.test import override_settings
from pytest_django import DjangoDbBlocker

from village.accounts.models import User
from village.community.models import (
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    OrgRole,
    Role,
    SchoolClass,
)
from village.core.models import AuditAction, AuditEvent
from village.demo.community.school import demo_school_counts, demo_school_delete
from village.demo.logins import DEMO_LOGINS
from village.demo.personas import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

TEST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

PERSONA_USERNAMES = [
    "rivera",
    "chen",
    "ada",
    "leo",
    "sam",
    "jordan",
    "nguyen",
    "priya",
    "library",
    "eve",
]


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def canonical_dump() -> dict[str, list[tuple]]:
    """The demo without database ids or creation times: what must be identical on every run."""
    return {
        "users": sorted(
            (
                u.username,
                u.first_name,
                u.last_name,
                u.email,
                u.grade,
                u.preferred_language,
                u.sourced_id,
                u.last_login,
                u.has_usable_password(),
            )
            for u in User.objects.all()
        ),
        "roles": sorted(
            OrgRole.objects.values_list("user__username", "organisation__sourced_id", "role")
        ),
        "classes": sorted(
            SchoolClass.objects.values_list(
                "sourced_id", "title", "school__sourced_id", "course__sourced_id"
            )
        ),
        "enrolments": sorted(
            Enrollment.objects.values_list(
                "user__username", "school_class__sourced_id", "role", "is_primary"
            )
        ),
        "links": sorted(
            GuardianLink.objects.values_list(
                "guardian__username",
                "student__username",
                "relationship",
                "lives_with",
                "emergency_contact",
                "receives_communications",
                "no_access",
                "access_note",
                "scope_classwork",
                "scope_grades",
                "scope_goals",
                "scope_support_plan",
                "scope_messages",
            )
        ),
    }


@pytest.fixture(scope="module")
def demo_output(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    """The demo, built once for this module and committed; each test runs in a transaction
    rolled back after it (so a test's reset or extra rows never reach the next test)."""
    # Built before the per-test settings apply: hash with the tests' cheap hasher here too.
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=TEST_HASHERS):
        output = run_demo()
    yield output
    with django_db_blocker.unblock():
        demo_school_delete()
        assert not User.objects.exists()


@pytest.fixture
def demo(demo_output: str, db: None) -> str:
    return demo_output


def students_of(class_sourced_id: str) -> int:
    return Enrollment.objects.filter(
        school_class__sourced_id=class_sourced_id, role=EnrollmentRole.STUDENT
    ).count()


def test_demo_creates_the_personas_and_hundreds_of_students(demo):
    assert set(
        User.objects.filter(username__in=PERSONA_USERNAMES).values_list("username", flat=True)
    ) == set(PERSONA_USERNAMES)
    counts = demo_school_counts()
    assert counts["schools"] == 2
    assert 300 <= counts["students"] <= 400
    assert 15 <= counts["teachers"] <= 25
    assert counts["aides"] >= 2


def test_persona_classes_have_real_classmates(demo):
    assert 22 <= students_of("demo-class-G5-HR") <= 26
    assert 26 <= students_of("demo-class-G8-SCI") <= 30
    assert students_of("demo-class-G8-MATH") == students_of("demo-class-G8-SCI")
    assert students_of("demo-class-OH-G4-HR") >= 15


def test_every_student_has_a_class_and_a_student_role_at_that_class_school(demo):
    students = OrgRole.objects.filter(role=Role.STUDENT).values("user_id")
    enrolled = Enrollment.objects.filter(role=EnrollmentRole.STUDENT).values("user_id")
    assert not User.objects.filter(pk__in=students).exclude(pk__in=enrolled).exists()
    role_at_school = OrgRole.objects.filter(
        user_id=OuterRef("user_id"),
        organisation_id=OuterRef("school_class__school_id"),
        role=OuterRef("role"),
    )
    assert Enrollment.objects.count() > 800
    assert not Enrollment.objects.filter(~Exists(role_at_school)).exists()


def test_every_guardian_has_a_guardian_role_at_each_child_school(demo):
    pairs = GuardianLink.objects.filter(student__org_roles__role=Role.STUDENT).values_list(
        "guardian_id", "student__org_roles__organisation_id"
    )
    guardian_roles = set(
        OrgRole.objects.filter(role=Role.GUARDIAN).values_list("user_id", "organisation_id")
    )
    assert len(pairs) > 400
    assert set(pairs) <= guardian_roles
    assert not GuardianLink.objects.exclude(student__org_roles__role=Role.STUDENT).exists()


def test_demo_families_are_as_varied_as_a_real_school(demo):
    guardians = User.objects.filter(org_roles__role=Role.GUARDIAN).distinct()
    languages = Counter(guardians.values_list("preferred_language", flat=True))
    assert 0.18 <= languages["es"] / sum(languages.values()) <= 0.35
    assert len(set(languages) - {"en", "es"}) >= 4
    links = GuardianLink.objects.all()
    assert 1 <= links.filter(no_access=True).values("guardian").distinct().count() <= 3
    assert any(link.is_limited and not link.no_access for link in links)
    assert links.filter(lives_with=False).exists()
    assert links.filter(relationship="grandparent").exists()
    shared = GuardianLink.objects.values("guardian").annotate(children=Count("student"))
    assert shared.filter(children__gt=1).count() >= 50


def test_some_students_have_no_guardian_account_and_some_guardians_never_signed_in(demo):
    students = User.objects.filter(org_roles__role=Role.STUDENT)
    without = students.exclude(guardian_links__isnull=False).count()
    assert 3 <= without <= students.count() * 0.1
    never = User.objects.filter(org_roles__role=Role.GUARDIAN, last_login__isnull=True)
    assert any(not user.has_usable_password() for user in never)


def test_demo_accounts_share_the_demo_password(demo):
    guardian = User.objects.filter(org_roles__role=Role.GUARDIAN, last_login__isnull=False)[0]
    for user in (
        User.objects.get(username="rivera"),
        User.objects.get(username="grace.thompson"),
        guardian,
    ):
        assert check_password(DEMO_PASSWORD, user.password)


def test_output_lists_every_persona_login(demo):
    for login in DEMO_LOGINS:
        assert login.username in demo
        assert login.persona in demo
    assert DEMO_PASSWORD in demo
    assert {login.username for login in DEMO_LOGINS} == set(PERSONA_USERNAMES)


def test_second_run_creates_nothing_and_still_prints_the_logins(demo):
    before = row_counts()
    output = run_demo()
    assert row_counts() == before
    assert "nothing was changed" in output
    assert all(login.username in output for login in DEMO_LOGINS)


def test_output_names_the_address_the_server_will_serve(demo):
    assert "Sign in at http://127.0.0.1:8000/" in demo
    output = run_demo("--address", "http://127.0.0.1:8765/")
    assert "Sign in at http://127.0.0.1:8765/" in output
    assert ":8000" not in output


def test_reset_rebuilds_identical_data(demo):
    before = canonical_dump()
    counts = row_counts()
    run_demo("--reset")
    assert canonical_dump() == before
    assert row_counts() == counts


def test_reset_also_removes_records_that_refer_to_demo_people(demo):
    rivera, ada = User.objects.get(username="rivera"), User.objects.get(username="ada")
    AuditEvent.objects.create(actor=rivera, student=ada, action=AuditAction.VIEW_STUDENT)
    run_demo("--reset")
    assert not AuditEvent.objects.exists()
    assert User.objects.filter(username="ada").exists()


def test_reset_leaves_people_outside_the_demo_alone(demo):
    User.objects.create_user(username="someone.else", password=None)
    run_demo("--reset")
    assert User.objects.filter(username="someone.else").exists()
    assert User.objects.filter(username="rivera").count() == 1


def test_the_notification_centres_hold_what_the_engine_would_have_said(demo):
    from village.notifications.models import Notification

    sam = Notification.objects.filter(recipient__username="sam")
    assert sam.count() >= 5
    assert sam.filter(read_at__isnull=True).exists()
    assert sam.filter(read_at__isnull=False).exists()
    assert set(sam.values_list("language", flat=True)) == {"es"}
    # Jordan sees Leo's classwork but not his grades: nothing about grades reaches him.
    jordan_kinds = set(
        Notification.objects.filter(recipient__username="jordan").values_list("kind", flat=True)
    )
    assert not {k for k in jordan_kinds if "grade" in k}
    assert not Notification.objects.filter(recipient__username="eve").exists()


def test_the_demo_has_fall_conferences_with_some_times_booked(demo):
    from village.conferences.models import Booking, BookingState, ConferenceRound, Slot
    from village.notifications.models import Delivery, DeliveryState

    (conference_round,) = ConferenceRound.objects.filter(title="Fall conferences")
    assert conference_round.published
    assert conference_round.school.sourced_id == "demo-org-riverside-k8"
    slots = Slot.objects.filter(round=conference_round)
    assert set(slots.values_list("teacher__username", flat=True)) == {"rivera", "chen"}
    booked = Booking.objects.filter(round=conference_round, state=BookingState.BOOKED)
    assert 5 <= booked.count() < slots.count()
    ada = booked.get(child__username="ada")
    assert (ada.guardian.username, ada.interpreter_language) == ("sam", "es")
    assert not booked.filter(child__username="leo").exists()  # Sam still has Leo to book
    # Separated parents: one homeroom child's two households each have their conference with
    # Ms. Rivera, the parent living apart their own.
    assert conference_round.households_apart
    (own,) = booked.exclude(household=0)
    assert (own.household, own.teacher.username) == (own.guardian_id, "rivera")
    assert not own.guardian.children_links.get(student=own.child).lives_with
    assert booked.filter(child=own.child, teacher=own.teacher, household=0).exists()
    # Their invitations count as sent: the demo's worker does not send them again.
    assert (
        not Delivery.objects.filter(kind__startswith="conference_")
        .exclude(state=DeliveryState.SENT)
        .exists()
    )


def test_demo_has_ms_rivera_and_sam_writing_each_in_their_language(demo):
    from village.messaging.models import Conversation, Message, OfficeHours

    lab = Conversation.objects.get(subject="Leo's lab report on plant cells")
    written = list(lab.messages.order_by("created_at").values_list("author__username", "language"))
    assert written == [("rivera", "en"), ("sam", "es"), ("rivera", "en")]
    assert set(lab.participants.values_list("user__username", flat=True)) == {"rivera", "sam"}
    # Sam's question to Mr. Chen waits for him; Ms. Rivera answers on weekdays.
    maths = Conversation.objects.get(subject="Matemáticas: fracciones")
    assert maths.participants.get(user__username="chen").last_read_at is None
    assert Message.objects.get(conversation=maths).language == "es"
    assert OfficeHours.objects.filter(user__username="rivera").count() == 5


def test_the_demo_announcement_has_read_receipts_and_two_families_not_reached(demo):
    from django.utils import timezone

    from village.announcements.models import Announcement
    from village.announcements.selectors import reach

    trip = Announcement.objects.get(author__username="rivera", sent_at__isnull=False)
    counts = reach.counts(trip)
    assert 0 < counts.read < counts.recipients
    assert trip.recipients.filter(user__username="sam", read_at__isnull=False).exists()
    missed = reach.not_reached(trip, now=timezone.now())
    assert missed.total == 2
    assert {person.reason for person in missed.people} == {"no_account", "email_failed"}
    pinned = Announcement.objects.get(author__username="nguyen")
    assert pinned.pinned_until is not None
    assert pinned.recipients.filter(user__username="sam").exists()
    assert Announcement.objects.filter(sent_at__isnull=True, author__username="rivera").exists()


def test_the_demo_has_student_led_goals_with_a_plan_efforts_and_family_encouragement(demo):
    from village.goals.models import GoalSet, HelpRequest, Plan, PlanState
    from village.goals.progress import GoalState
    from village.goals.selectors.plans import plan_view
    from village.notifications.models import Delivery, DeliveryState

    weather = GoalSet.objects.get(title="Weather and the water cycle")
    assert weather.published
    assert weather.school_class.sourced_id == "demo-class-G5-HR"
    assert weather.groups.count() == 3
    assert weather.goals.filter(prerequisites__isnull=False).exists()
    ada = Plan.objects.get(goal_set=weather, student__username="ada")
    assert ada.state == PlanState.APPROVED
    view = plan_view(weather, ada)
    # Ada's own order: the weather log before the measuring the teacher listed first.
    observing = [v.goal.title for v in view.groups[0].chosen]
    assert observing.index("Keep a weather log for two weeks") < observing.index(
        "Measure the weather every day"
    )
    states = {v.goal.title: v.state for v in view.goals()}
    assert states["Name the main kinds of cloud"] == GoalState.MET
    assert states["Explain the water cycle"] == GoalState.ASKED
    efforts = [e for v in view.goals() for e in v.efforts]
    assert len(efforts) >= 4
    assert all(e.assessed is not None for e in efforts)
    assert any(fb.assessed for e in efforts for fb in e.feedback)
    spanish = [n for v in view.goals() for n in v.encouragements] + [
        n for e in efforts for n in e.encouragements
    ]
    assert {n.language for n in spanish} == {"es"}
    assert {n.author.username for n in spanish} == {"sam"}
    assert HelpRequest.objects.filter(plan_goal__plan=ada, answered_at__isnull=True).exists()
    # A few of the homeroom have not chosen yet.
    students = weather.school_class.enrollments.filter(role="student").count()
    assert 1 <= students - weather.plans.count() <= 6
    # Leo's grade-8 set has a stalled goal.
    leo = Plan.objects.get(student__username="leo", goal_set__title="Forces and motion")
    leo_states = {v.state for v in plan_view(leo.goal_set, leo).goals()}
    assert GoalState.STALLED in leo_states
    # What the services told people counts as sent.
    assert (
        not Delivery.objects.filter(kind__startswith="goal_")
        .exclude(state=DeliveryState.SENT)
        .exists()
    )
