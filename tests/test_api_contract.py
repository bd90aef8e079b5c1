"""The JSON API keeps its published contract.

schemathesis reads ``/api/openapi.json`` and sends generated requests, valid and invalid, to
every endpoint, signed in with a personal token as Ms. Rivera (a teacher), Sam (a guardian),
Jordan (a guardian whose access is restricted) and Ada (a student). Every answer must be free of
server errors, have a documented status code and content type, and a body that matches the
schema published for that status.

The run is bounded and the same on every machine: a fixed number of examples per endpoint and
caller, derandomised. Generated ids are mostly aimed at the persona district's real classes,
students, assignments, materials and goals (Ada's plan for Ms. Rivera's weather unit, its
efforts and requests for help), profiles and support plans (Ada's, agreed, with its record), made
through the real services, so that answers with data are checked, not only 404s. What the
requests write is rolled back with each test's transaction, and files go to a temporary folder.
``pytest -v -s`` lists the requests sent to each endpoint.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections, transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from ninja.openapi.schema import OpenAPISchema
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from village.accounts.tokens import token_create
from village.api import api
from village.classwork.services.assignments import assignment_create
from village.classwork.services.categories import category_create
from village.classwork.services.feedback import feedback_save
from village.classwork.services.materials import MaterialSpec, material_add
from village.classwork.services.rubrics import CriterionSpec, LevelSpec, RubricSpec
from village.classwork.services.submissions import submission_hand_in
from village.classwork.services.topics import topic_create
from village.conferences import notices as conference_notices
from village.conferences.services.bookings import booking_create
from village.conferences.tests.factories import add_slots, open_round
from village.demo.personas import Personas, build_personas
from village.goals import notices as goal_notices
from village.goals.services.efforts import effort_record, feedback_give
from village.goals.services.family import encouragement_add, help_ask
from village.goals.tests.factories import ada_plan, levels, plan_goal, weather_set
from village.messaging import kinds as messaging_kinds
from village.messaging import policies as messaging_policies
from village.messaging import services as messaging_services
from village.messaging.models import ConversationKind
from village.messaging.policies import Invitees
from village.notifications import registry
from village.notifications.registry import AlertKind
from village.notifications.tests.factories import notification
from village.notifications.tests.kinds import KINDS, registered_kinds
from village.support import plan_notices
from village.support.models import ActionSide, ProgressStatus, TeamKind, Topic, Visibility
from village.support.services.accommodations import AccommodationFields, accommodation_add
from village.support.services.entries import entry_save
from village.support.services.plans import comment_add, plan_confirm, plan_create, plan_propose
from village.support.services.progress import home_action_done, progress_note_add
from village.support.services.team import team_member_add
from village.support.tests.plan_helpers import plan_fields
from village.wsgi import application

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: Generated examples per endpoint for the teacher, after the explicit ones schemathesis derives
#: from the schema (boundaries, missing and wrong-typed values, unexpected methods).
TEACHER_EXAMPLES = 12
#: Generated examples per endpoint for each of the other callers. Their runs leave out the
#: explicit examples: those exercise input checks, which come before any access check and answer
#: the same whoever calls.
OTHER_EXAMPLES = 8
#: A teacher, a guardian, a guardian whose access is restricted, and a student.
CALLERS = ["rivera", "sam", "jordan", "ada"]

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

#: Requests sent by the running test.
SENT: Counter[str] = Counter()


@pytest.fixture
def sent(request: pytest.FixtureRequest) -> Iterator[Counter[str]]:
    """Counts the requests of one test; with ``-v`` they are listed after it."""
    SENT.clear()
    yield SENT
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and request.config.get_verbosity() > 0:
        for label, count in SENT.items():
            reporter.write_line(f"  {count} requests: {label}")


@dataclass(frozen=True)
class District:
    #: A personal token of each caller.
    tokens: dict[str, str]
    #: The ids a generated path parameter may be aimed at, by parameter name.
    ids: dict[str, list[int]]


@pytest.fixture(scope="module")
def district(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[District]:
    """The persona district with classwork in its classes, built once for the module in a
    transaction rolled back at its end (each test runs in a savepoint inside it)."""
    media = tmp_path_factory.mktemp("media")
    with (
        _connections_kept(),
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        registered_kinds(
            [*KINDS, *_conference_kinds(), *_message_kinds(), *_goal_kinds(), *_plan_kinds()]
        ),
        transaction.atomic(),
    ):
        personas = build_personas()
        ids = {
            **_classwork(personas),
            **_notifications(personas),
            **_conferences(personas),
            **_messages(personas),
            **_goals(personas),
            **_support(personas),
        }
        tokens = {
            name: token_create(user=getattr(personas, name), name="contract")[1] for name in CALLERS
        }
        yield District(tokens=tokens, ids=ids)
        transaction.set_rollback(True)


@contextmanager
def _connections_kept() -> Iterator[None]:
    """Requests go straight to the WSGI application, which closes the database connection at
    the end of each one; like Django's test client, keep it open (the test's transaction)."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


def _classwork(p: Personas) -> dict[str, list[int]]:
    """Classwork in every class of the district, through the services."""
    now = timezone.now()
    today = timezone.localdate()
    topic = topic_create(
        school_class=p.science8,
        title="Density",
        starts_on=today - dt.timedelta(days=7),
        ends_on=today + dt.timedelta(days=7),
    )
    category = category_create(school_class=p.science8, name="Labs", weight=Decimal(40))
    lab = assignment_create(
        school_class=p.science8,
        title="Density lab",
        created_by=p.rivera,
        topic=topic,
        category=category,
        assign_at=now - dt.timedelta(days=3),
        due_at=now - dt.timedelta(days=1),
        new_rubric=RubricSpec(
            title="Lab",
            criteria=[
                CriterionSpec(
                    title="Method",
                    levels=[
                        LevelSpec("Strong", Decimal(4)),
                        LevelSpec("Weak", Decimal(1)),
                    ],
                )
            ],
        ),
        materials=[MaterialSpec(title="Video", url="https://example.org/density")],
    )
    material_add(
        assignment=lab,
        title="Sheet",
        file=SimpleUploadedFile("sheet.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    )
    criterion = lab.rubric.criteria.get() if lab.rubric else None
    assert criterion is not None
    feedback_save(
        assignment=lab,
        student=p.leo,
        graded_by=p.rivera,
        comment="Careful method.",
        rubric_levels={criterion.pk: criterion.levels.get(title="Strong").pk},
        return_to_student=True,
    )
    spelling = assignment_create(
        school_class=p.homeroom5,
        title="Spelling",
        created_by=p.rivera,
        points=Decimal(10),
        assign_at=now - dt.timedelta(days=2),
        due_at=now + dt.timedelta(days=2),
    )
    submission_hand_in(student=p.ada, assignment=spelling, text="My words", link="")
    feedback_save(
        assignment=spelling,
        student=p.ada,
        graded_by=p.rivera,
        score=Decimal(8),
        comment="Well done.",
        return_to_student=True,
    )
    # Changes kept for the returned feedback: answers name them (``changes``).
    feedback_save(
        assignment=spelling,
        student=p.ada,
        graded_by=p.rivera,
        score=Decimal(9),
        comment="Well done: one word to check.",
    )
    elsewhere = [
        assignment_create(school_class=school_class, title="Reading", created_by=None)
        for school_class in (p.math8, p.sister_class, p.other_class)
    ]
    return {
        "class_id": [c.pk for c in (p.homeroom5, p.science8, p.math8, p.sister_class)],
        "assignment_id": [lab.pk, spelling.pk, *(work.pk for work in elsewhere)],
        "student_id": [s.pk for s in (p.ada, p.leo, p.maya, p.mina, p.finn)],
        "material_id": list(lab.materials.values_list("pk", flat=True)),
    }


def _notifications(p: Personas) -> dict[str, list[int]]:
    """Notifications of each caller, about a child where they have one."""
    notes = [
        notification(p.sam, "Missing work", child=p.leo, link="/family/"),
        notification(p.sam, "Read", read=True),
        notification(p.jordan, "Feedback", child=p.leo),
        notification(p.ada, "Due tomorrow"),
        notification(p.rivera, "Work to grade"),
    ]
    return {
        "notification_id": [note.pk for note in notes],
        "child_id": [s.pk for s in (p.ada, p.leo, p.mina, p.finn)],
    }


def _conference_kinds() -> list[AlertKind]:
    """The conferences' kinds stay registered: booking through the API notifies with them."""
    found = [registry.kind(name) for name in conference_notices.kind_names()]
    return [kind for kind in found if kind is not None]


def _conferences(p: Personas) -> dict[str, list[int]]:
    """A round at Riverside with Ms. Rivera's and Mr. Chen's times, Leo booked with her."""
    conference_round = open_round(p)
    rivera = add_slots(conference_round, p.rivera)
    chen = add_slots(conference_round, p.chen)
    booking = booking_create(guardian=p.sam, child=p.leo, slot=rivera[0])
    return {
        "round_id": [conference_round.pk],
        "slot_id": [slot.pk for slot in (*rivera, *chen)],
        "booking_id": [booking.pk],
    }


def _message_kinds() -> list[AlertKind]:
    """Messaging's kind stays registered: writing through the API notifies with it."""
    found = registry.kind(messaging_kinds.NEW_MESSAGE)
    return [found] if found is not None else []


def _messages(p: Personas) -> dict[str, list[int]]:
    """Ms. Rivera, Sam and Leo in a conversation about Leo; Ada and Ms. Rivera in another."""
    leo, school_id = messaging_policies.student_for_messages(p.rivera, p.leo.pk)
    about_leo = messaging_services.start(
        starter=p.rivera,
        student=leo,
        school_id=school_id,
        kind=ConversationKind.FAMILY,
        subject="Lab report",
        body="Leo's lab report is late.",
        invitees=Invitees(guardians=[p.sam.pk], with_student=True),
    )
    ada, school_id = messaging_policies.student_for_messages(p.rivera, p.ada.pk)
    about_ada = messaging_services.start(
        starter=p.rivera,
        student=ada,
        school_id=school_id,
        kind=ConversationKind.STUDENT,
        subject="Reading log",
        body="Which chapter did you like?",
        invitees=Invitees(),
    )
    return {
        "conversation_id": [about_leo.conversation.pk, about_ada.conversation.pk],
        "message_id": [about_leo.message.pk, about_ada.message.pk],
    }


def _goal_kinds() -> list[AlertKind]:
    """The goals' kinds stay registered: efforts, feedback and encouragement notify with them."""
    found = [registry.kind(name) for name in goal_notices.kind_names()]
    return [kind for kind in found if kind is not None]


def _goals(p: Personas) -> dict[str, list[int]]:
    """Ms. Rivera's weather unit published for the homeroom, and Ada's plan for it, sent: an
    effort she asked feedback on, another Ms. Rivera answered, Sam's encouragement and Ada's
    request for help at home."""
    weather = weather_set(p.homeroom5, p.rivera)
    plan = ada_plan(p, weather)
    cycle = plan_goal(plan, weather.goals["cycle"])
    asked = effort_record(
        plan_goal=cycle,
        levels=levels(weather.goal_set),
        done="I drew the water cycle.",
        ask_feedback=True,
    )
    answered = effort_record(
        plan_goal=cycle, levels=levels(weather.goal_set), done="I boiled water.", ask_feedback=True
    )
    feedback_give(effort=answered, teacher=p.rivera, comment="Careful, Ada.")
    encouragement_add(plan_goal=cycle, guardian=p.sam, text="¡Muy bien!", language="es")
    ask = help_ask(plan_goal=cycle, text="Boiling water for the model")
    return {
        "set_id": [weather.goal_set.pk],
        "plan_goal_id": [cycle.pk, *plan.chosen.exclude(pk=cycle.pk).values_list("pk", flat=True)],
        "effort_id": [asked.pk, answered.pk],
        "request_id": [ask.pk],
    }


def _plan_kinds() -> list[AlertKind]:
    """Support plans' kinds stay registered: proposing, answering and commenting notify."""
    found = [registry.kind(name) for name in plan_notices.kind_names()]
    return [kind for kind in found if kind is not None]


def _support(p: Personas) -> dict[str, list[int]]:
    """Ada's profile: her about me, Sam's from home in Spanish, Ms. Rivera's restricted note
    naming herself; accommodations for Ada (shared with the family) and Leo (for staff), set
    by Ms. Nguyen. Ms. Rivera is on the support team too, so accommodations she adds and
    changes are answered with data."""
    team_member_add(actor=p.nguyen, school=p.school, user=p.rivera, kind=TeamKind.COUNSELLOR)
    entry_save(author=p.ada, student=p.ada, topic=Topic.INTERESTS, text="Maps and rivers.")
    entry_save(author=p.sam, student=p.ada, topic=Topic.CULTURE, text="Cocinamos juntos.")
    entry_save(
        author=p.rivera,
        student=p.ada,
        topic=Topic.NEEDS,
        text="Check in on Mondays.",
        visibility=Visibility.RESTRICTED,
        readers=[p.rivera],
    )
    today = timezone.localdate()
    found = [
        accommodation_add(
            author=p.nguyen,
            student=student,
            fields=AccommodationFields(
                category="timing", title="Extended time", starts_on=today, visibility=visibility
            ),
        )
        for student, visibility in ((p.ada, Visibility.FAMILY), (p.leo, Visibility.STAFF))
    ]
    return {"accommodation_id": [accommodation.pk for accommodation in found], **_plans(p)}


def _plans(p: Personas) -> dict[str, list[int]]:
    """Ada's reading plan, agreed by Ms. Rivera, Sam and Ada, with Sam's comment in Spanish, a
    progress note and a home action Ada marked done; Leo's plan, a draft of Ms. Rivera's."""
    rivera = p.rivera
    reading = plan_create(author=rivera, student=p.ada, fields=plan_fields())
    plan_propose(actor=rivera, plan=reading)
    for party in (rivera, p.sam, p.ada):
        plan_confirm(party=party, plan=reading, version=reading.version)
    comment_add(author=p.sam, plan=reading, text="¿Leemos en español también?")
    progress_note_add(author=rivera, goal=reading.goals.get(), status=ProgressStatus.ON_TRACK)
    home = reading.actions.get(side=ActionSide.HOME)
    home_action_done(by=p.ada, action=home)
    maths = plan_create(author=rivera, student=p.leo, fields=plan_fields(title="Fractions"))
    return {
        "plan_id": [reading.pk, maths.pk],
        "action_id": list(reading.actions.values_list("pk", flat=True)),
        "number": [1],
    }


def _aim(case: schemathesis.Case, ids: dict[str, list[int]]) -> None:
    """Aim most small generated ids at real ones (bigger ones stay: they test the bounds)."""
    for name, value in (case.path_parameters or {}).items():
        pool = ids.get(name)
        if pool and type(value) is int and 1 <= value <= 1000 and value % 4:
            case.path_parameters[name] = pool[value % len(pool)]


def _call(case: schemathesis.Case, caller: str, district: District) -> None:
    _aim(case, district.ids)
    SENT[f"{case.operation.label} as {caller}"] += 1
    headers = {"Authorization": f"Bearer {district.tokens[caller]}"}
    case.call_and_validate(headers=headers, checks=CHECKS)


@schema.parametrize()
@settings(
    max_examples=TEACHER_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_contract_for_a_teacher(
    case: schemathesis.Case, db: None, district: District, sent: Any
) -> None:
    _call(case, "rivera", district)


@pytest.fixture(params=CALLERS[1:])
def caller(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@schema.parametrize()
@settings(
    max_examples=OTHER_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_contract_for_families_and_students(
    case: schemathesis.Case, caller: str, db: None, district: District, sent: Any
) -> None:
    _call(case, caller, district)


def test_no_two_schemas_share_a_component_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The OpenAPI components are keyed by class name: two different schemas of one name would
    silently leave only one of them in the published schema."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    keep = OpenAPISchema.add_schema_definitions

    def recording(self: OpenAPISchema, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            found[name].append(definition)
        keep(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", recording)
    published = api.get_openapi_schema()["components"]["schemas"]

    collisions = sorted(
        name for name, definitions in found.items() if any(d != definitions[0] for d in definitions)
    )
    assert collisions == []
    assert all(published[name] == definitions[0] for name, definitions in found.items())
