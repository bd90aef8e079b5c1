"""Support plans in the JSON API (``/api/v1/support``): every endpoint for every persona around
Ada (404 and never a word of the plan for those who may not see it, 403 for those who see it but
may not act, 401 without a sign-in); a guardian never reads another guardian's name nor id; a
plan's life through the API; versions as immutable snapshots; errors that name the field
(``goals.0.text``) and change nothing; comments in the reader's language with the original; the
audit; a constant number of queries.

Ada's plans are built once for the module: an agreed plan with its record (comments of both
guardians, a progress note, home actions done), a proposed one Sam has confirmed, and a draft.
Gia is a second guardian of Ada whose link allows the support plan."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from conftest import ModuleData, each_test
from tests.authorization import api_client_for
from village.accounts.models import User
from village.community import services as community
from village.community.models import Role
from village.community.policies import today
from village.core.models import AuditEvent
from village.demo.personas import Personas
from village.support.models import (
    ActionSide,
    PlanComment,
    PlanState,
    PlanVersion,
    ProgressNote,
    ProgressStatus,
    SupportAction,
    SupportPlan,
)
from village.support.selectors.plans import PLAN_OBJECT
from village.support.services.plans import (
    ActionFields,
    comment_add,
    plan_confirm,
    plan_create,
    plan_propose,
)
from village.support.services.progress import home_action_done, progress_note_add
from village.support.tests.conftest import Support, build_support
from village.support.tests.plan_helpers import HOME_READING, SCHOOL_READING, plan_fields
from village.translation import worker
from village.translation.tests.fakes import CountingEngine

pytestmark = pytest.mark.django_db

API = "/api/v1/support"
HIDDEN = "Another of the child's guardians"
SAM_ASKS = "¿Podemos leer también en español?"
#: A second home action: the record of the agreed plan is kept on it, so that the first one is
#: free to be marked done today.
HOME_LOG = ActionFields(side=ActionSide.HOME, who="Ada", what="Keep a reading log", goal=1)


@dataclass
class World:
    support: Support
    gia: User
    agreed: SupportPlan
    proposed: SupportPlan
    draft: SupportPlan


def build_world(people: Personas) -> World:
    support = build_support(people)
    gia = community.person_create(
        username="gia", first_name="Gia", last_name="Haddad", role=Role.GUARDIAN,
        organisation=people.school,
    )  # fmt: skip
    community.guardian_link(guardian=gia, student=people.ada)
    rivera, sam, ada = people.rivera, people.sam, people.ada
    actions = [SCHOOL_READING, HOME_READING, HOME_LOG]
    agreed = plan_create(author=rivera, student=ada, fields=plan_fields(actions=actions))
    plan_propose(actor=rivera, plan=agreed)
    for party in (rivera, sam, gia, ada):
        plan_confirm(party=party, plan=agreed, version=agreed.version)
    agreed.refresh_from_db()
    comment_add(author=sam, plan=agreed, text=SAM_ASKS)
    comment_add(author=gia, plan=agreed, text="We read at bedtime.")
    progress_note_add(
        author=rivera, goal=agreed.goals.get(), status=ProgressStatus.ON_TRACK, measured="70 wpm"
    )
    logged = agreed.actions.get(what=HOME_LOG.what)
    for by in (sam, gia, ada):
        home_action_done(by=by, action=logged, note="Done")
    writing = plan_fields(title="Writing every day", actions=[HOME_READING])
    proposed = plan_create(author=rivera, student=ada, fields=writing)
    plan_propose(actor=rivera, plan=proposed)
    plan_confirm(party=sam, plan=proposed, version=proposed.version, note="Sí.")
    proposed.refresh_from_db()
    draft = plan_create(author=rivera, student=ada, fields=plan_fields(title="Maths (draft)"))
    return World(support=support, gia=gia, agreed=agreed, proposed=proposed, draft=draft)


@pytest.fixture(scope="module")
def _built(module_data: ModuleData | None) -> World | None:
    return module_data.build(build_world) if module_data else None


@pytest.fixture
def world(personas: Personas, _built: World | None) -> World:
    return each_test(_built, personas, build_world)


@pytest.fixture
def engine(settings: Settings) -> Iterator[type[CountingEngine]]:
    """Our own engine: Spanish into English in capitals."""
    settings.VILLAGE_TRANSLATION_ENGINES = ["village.translation.tests.fakes.CountingEngine"]
    CountingEngine.calls = []
    yield CountingEngine
    CountingEngine.calls = []


def who(world: World, name: str) -> User:
    if name == "gia":
        return world.gia
    found = getattr(world.support, name, None) or getattr(world.support.people, name)
    assert isinstance(found, User)
    return found


def send(client: Client, method: str, path: str, body: Any = None) -> Any:
    if method == "get":
        return client.get(path)
    data = json.dumps(body if body is not None else {})
    return getattr(client, method)(path, data, content_type="application/json")


def call(user: User, method: str, path: str, body: Any = None) -> Any:
    return send(api_client_for(user), method, path, body)


def ok(user: User, method: str, path: str, body: Any = None) -> dict[str, Any]:
    answer = call(user, method, path, body)
    assert answer.status_code in (200, 201), answer.content
    found: dict[str, Any] = answer.json()
    return found


def fields_of(answer: Any) -> list[str]:
    """The fields a 422 names, as ``goals.0.text``."""
    assert answer.status_code == 422, answer.content
    return [".".join(str(part) for part in error["loc"][2:]) for error in answer.json()["detail"]]


def plan_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Reading with confidence",
        "concern": "Ada avoids reading aloud.",
        "review_on": str(today() + dt.timedelta(days=60)),
        "check_every_days": 14,
        "goals": [{"text": "Read aloud at 90 words a minute", "target": "90 wpm"}],
        "actions": [
            {"side": "school", "who": "Ms. Rivera", "what": "Guided reading", "goal": 1},
            {"side": "home", "who": "Sam", "what": "Read together", "how_often": "Daily"},
        ],
    }
    body.update(changes)
    return body


def parties_in(found: Any) -> list[dict[str, Any]]:
    """Every person an answer names with their part in the plan."""
    if isinstance(found, list):
        return [party for item in found for party in parties_in(item)]
    if not isinstance(found, dict):
        return []
    own = [found] if {"id", "name", "role"} <= found.keys() and len(found) == 3 else []
    return own + [party for value in found.values() for party in parties_in(value)]


# --- who may do what ----------------------------------------------------------------------------

STAFF = ["rivera"]
FAMILY = ["sam", "gia", "ada"]
#: A teacher of another class, a former teacher, guardians without the area (kim), without
#: access (rex), whose link ended (lou), of another child (jordan), and a teacher of another
#: school.
OTHERS = ["chen", "vance", "kim", "rex", "lou", "jordan", "stone"]
READS = ("list", "plan", "versions", "version", "notes")
WRITES = (
    "create", "change", "view", "propose", "confirm", "disagree", "review", "close", "comment",
    "progress", "done",
)  # fmt: skip
EXPECTED: dict[str, dict[str, int]] = {
    "rivera": {
        "create": 201, "change": 200, "view": 403, "propose": 200, "confirm": 200,
        "disagree": 200, "review": 200, "close": 200, "comment": 201, "progress": 201,
        "done": 403,
    },
    "sam": {
        "create": 403, "change": 403, "view": 403, "propose": 404, "confirm": 200,
        "disagree": 200, "review": 403, "close": 403, "comment": 201, "progress": 403,
        "done": 201,
    },
}  # fmt: skip
EXPECTED["gia"] = EXPECTED["sam"]
EXPECTED["ada"] = {**EXPECTED["sam"], "view": 200}


def _requests(world: World) -> dict[str, tuple[str, str, Any]]:
    agreed, proposed, draft = world.agreed, world.proposed, world.draft
    ada = world.support.people.ada
    home = agreed.actions.get(what=HOME_READING.what)
    goal = agreed.goals.get()
    return {
        "list": ("get", f"{API}/students/{ada.pk}/plans", None),
        "plan": ("get", f"{API}/plans/{agreed.pk}", None),
        "versions": ("get", f"{API}/plans/{agreed.pk}/versions", None),
        "version": ("get", f"{API}/plans/{agreed.pk}/versions/1", None),
        "notes": ("get", f"{API}/plans/{agreed.pk}/progress", None),
        "create": ("post", f"{API}/students/{ada.pk}/plans", plan_body()),
        "change": ("put", f"{API}/plans/{proposed.pk}", plan_body(title="Reading, changed")),
        "view": ("put", f"{API}/plans/{proposed.pk}/student-view", {"text": "I like comics."}),
        "propose": ("post", f"{API}/plans/{draft.pk}/propose", None),
        "confirm": ("post", f"{API}/plans/{proposed.pk}/confirm", {"version": proposed.version}),
        "disagree": (
            "post",
            f"{API}/plans/{proposed.pk}/disagree",
            {"version": proposed.version, "note": "Not yet."},
        ),
        "review": ("post", f"{API}/plans/{agreed.pk}/review", None),
        "close": ("post", f"{API}/plans/{agreed.pk}/close", None),
        "comment": ("post", f"{API}/plans/{proposed.pk}/comments", {"text": "Hola"}),
        "progress": (
            "post",
            f"{API}/plans/{agreed.pk}/progress",
            {"notes": [{"goal_id": goal.pk, "status": "on_track"}]},
        ),
        "done": ("post", f"{API}/plans/{agreed.pk}/home-actions/{home.pk}/done", {}),
    }


def _rolled_back(client: Client, method: str, path: str, body: Any) -> Any:
    with transaction.atomic():
        answer = send(client, method, path, body)
        transaction.set_rollback(True)
    return answer


def test_every_endpoint_for_every_persona(world: World) -> None:
    """Reads and writes on Ada's plans, each write rolled back: the staff and the family act as
    their part allows (403 otherwise), everyone else gets a 404 without a word of the plans, and
    nobody signed in a 401."""
    requests = _requests(world)
    titles = [b"Reading with confidence", b"Writing every day", b"Maths (draft)"]
    for name in [*STAFF, *FAMILY, *OTHERS, "anonymous"]:
        client = Client() if name == "anonymous" else api_client_for(who(world, name))
        found = {key: _rolled_back(client, *requests[key]) for key in (*READS, *WRITES)}
        statuses = {key: answer.status_code for key, answer in found.items()}
        if name == "anonymous":
            assert set(statuses.values()) == {401}
            continue
        if name in OTHERS:
            assert set(statuses.values()) == {404}, (name, statuses)
        else:
            assert {key: statuses[key] for key in READS} == dict.fromkeys(READS, 200), name
            assert {key: statuses[key] for key in WRITES} == EXPECTED[name], name
        for key, answer in found.items():
            if answer.status_code >= 400:
                assert not any(title in answer.content for title in titles), (name, key)
    assert SupportPlan.objects.count() == 3  # every write rolled back


def test_a_draft_is_the_staffs_until_proposed(world: World) -> None:
    ada = world.support.people.ada
    for name in FAMILY:
        listed = ok(who(world, name), "get", f"{API}/students/{ada.pk}/plans")
        assert [item["title"]["text"] for item in listed["items"]] == [
            "Writing every day",
            "Reading with confidence",
        ]
        assert call(who(world, name), "get", f"{API}/plans/{world.draft.pk}").status_code == 404
    for_rivera = ok(world.support.people.rivera, "get", f"{API}/students/{ada.pk}/plans?limit=1")
    assert (for_rivera["count"], for_rivera["items"][0]["title"]["text"]) == (3, "Maths (draft)")


# --- what a plan shows --------------------------------------------------------------------------


def test_the_list_shows_state_review_next_check_and_what_waits_on_the_caller(
    world: World,
) -> None:
    ada, agreed = world.support.people.ada, world.agreed
    path = f"{API}/students/{ada.pk}/plans"
    for_gia = {item["id"]: item for item in ok(world.gia, "get", path)["items"]}
    row = for_gia[agreed.pk]
    due = today() + dt.timedelta(days=14)  # agreed and checked today
    assert (row["state"], row["review_on"], row["version"]) == (
        "agreed",
        str(agreed.review_on),
        1,
    )
    assert row["check"] == {"due_on": str(due), "late": False, "days_late": 0}
    assert row["waits_on_caller"] is False
    assert (for_gia[world.proposed.pk]["waits_on_caller"], for_gia[world.proposed.pk]["check"]) == (
        True,
        None,
    )
    for_sam = {item["id"]: item for item in ok(world.support.people.sam, "get", path)["items"]}
    assert for_sam[world.proposed.pk]["waits_on_caller"] is False  # he has confirmed
    ProgressNote.objects.all().delete()
    SupportPlan.objects.filter(pk=agreed.pk).update(agreed_on=today() - dt.timedelta(days=17))
    late = {item["id"]: item for item in ok(world.gia, "get", path)["items"]}[agreed.pk]
    assert (late["check"]["late"], late["check"]["days_late"]) == (True, 3)


def test_a_plan_shows_its_content_parties_record_and_what_the_caller_may_do(
    world: World,
) -> None:
    found = ok(world.support.people.sam, "get", f"{API}/plans/{world.agreed.pk}")
    content = found["content"]
    assert content["title"]["text"] == "Reading with confidence"
    goal = content["goals"][0]
    assert (goal["number"], goal["target"]["text"]) == (1, "90 words a minute by the review")
    assert [(a["side"], a["goal"]) for a in content["actions"]] == [
        ("school", 1),
        ("home", 1),
        ("home", 1),
    ]
    assert (found["state"], found["version"]["number"], found["version"]["changes"]) == (
        "agreed",
        1,
        ["First version."],
    )
    assert [answer["decision"] for answer in found["parties"]["answers"]] == ["agree"] * 4
    assert (found["parties"]["waiting"], found["parties"]["staff_signed"]) == ([], True)
    (notes,) = found["progress"]
    assert [(n["status"], n["measured"]["text"]) for n in notes["notes"]] == [
        ("on_track", "70 wpm")
    ]
    done = {row["action_id"]: row for row in found["home_actions_done"]}
    logged = world.agreed.actions.get(what=HOME_LOG.what)
    assert (done[logged.pk]["count"], len(done[logged.pk]["latest"])) == (3, 3)
    assert [c["text"]["text"] for c in found["comments"]] == [SAM_ASKS, "We read at bedtime."]
    assert found["caller"] == {
        "role": "guardian", "edit": False, "propose": False, "respond": False,
        "start_review": False, "close": False, "comment": True, "note_progress": False,
        "log_home": True, "write_student_view": False,
    }  # fmt: skip
    assert found["waits_on_caller"] is False


def test_a_guardian_never_reads_another_guardians_name(world: World) -> None:
    people, gia = world.support.people, world.gia
    agreed, proposed = world.agreed, world.proposed
    paths = [
        f"{API}/plans/{agreed.pk}",
        f"{API}/plans/{agreed.pk}/versions",
        f"{API}/plans/{agreed.pk}/versions/1",
        f"{API}/plans/{proposed.pk}",
        f"{API}/plans/{proposed.pk}/versions",
    ]
    for reader, other in ((people.sam, gia), (gia, people.sam)):
        found = [ok(reader, "get", path) for path in paths]
        text = json.dumps(found, ensure_ascii=False)
        assert other.display_name not in text
        guardians = [party for party in parties_in(found) if party["role"] == "guardian"]
        assert {(party["id"], party["name"]) for party in guardians} == {
            (reader.pk, reader.display_name),
            (None, HIDDEN),
        }
    waiting = ok(people.sam, "get", f"{API}/plans/{proposed.pk}")["parties"]["waiting"]
    assert waiting == [
        {"id": None, "name": HIDDEN, "role": "guardian"},
        {"id": people.ada.pk, "name": "Ada Okoye", "role": "student"},
    ]
    for reader in (people.rivera, people.ada):  # the staff and the student read every name
        text = json.dumps(ok(reader, "get", f"{API}/plans/{agreed.pk}"), ensure_ascii=False)
        assert "Sam Okoye" in text
        assert "Gia Haddad" in text
    written = ok(gia, "post", f"{API}/plans/{agreed.pk}/comments", {"text": "Thanks."})
    assert written["author"] == {"id": gia.pk, "name": "Gia Haddad", "role": "guardian"}


def test_comments_come_in_the_readers_language_with_the_original(
    world: World, engine: type[CountingEngine]
) -> None:
    people = world.support.people
    path = f"{API}/plans/{world.proposed.pk}/comments"
    written = ok(people.sam, "post", path, {"text": "Leemos cada noche.", "kind": "change"})
    assert (written["kind"], written["text"]["language"]) == ("change", "es")
    assert written["text"]["translation"] is None  # his own language
    worker.run()  # what the worker does in the background
    comments = ok(people.rivera, "get", f"{API}/plans/{world.proposed.pk}")["comments"]
    (shown,) = [c for c in comments if c["id"] == written["id"]]
    assert shown["text"]["text"] == "Leemos cada noche."  # the original, always
    assert shown["text"]["translation"] == {
        "text": "LEEMOS CADA NOCHE.",
        "language": "en",
        "uncertain": [],
    }
    assert shown["author"]["name"] == "Sam Okoye"


def test_every_view_of_a_plan_is_audited(world: World) -> None:
    rivera, plan = world.support.people.rivera, world.agreed
    client = api_client_for(rivera)
    for path in ("", "/versions", "/versions/1", "/progress"):
        assert client.get(f"{API}/plans/{plan.pk}{path}").status_code == 200
    seen = AuditEvent.objects.filter(actor=rivera, object_type=PLAN_OBJECT, channel="api")
    assert seen.count() == 4
    assert set(seen.values_list("student_id", "object_id")) == {
        (world.support.people.ada.pk, str(plan.pk))
    }


def test_a_plan_reads_a_constant_number_of_queries(world: World) -> None:
    people, plan = world.support.people, world.agreed
    client = api_client_for(people.rivera)
    path = f"{API}/plans/{plan.pk}"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    count()  # the token's first use is noted once
    few = count()
    comment_add(author=people.ada, plan=plan, text="I read to my cat.")
    comment_add(author=people.rivera, plan=plan, text="Well done.")
    home_action_done(by=people.sam, action=plan.actions.get(what=HOME_READING.what))
    progress_note_add(author=people.rivera, goal=plan.goals.get(), status=ProgressStatus.MET)
    count()  # the new texts are asked for in the reader's language once
    assert count() == few


# --- a plan's life ------------------------------------------------------------------------------


def test_a_plan_written_proposed_agreed_reviewed_and_closed_through_the_api(
    world: World,
) -> None:
    people, gia = world.support.people, world.gia
    rivera, sam, ada = people.rivera, people.sam, people.ada
    made = ok(rivera, "post", f"{API}/students/{ada.pk}/plans", plan_body(note="First go"))
    plan = f"{API}/plans/{made['id']}"
    assert (made["state"], made["version"]["note"]["text"]) == ("draft", "First go")
    assert made["caller"]["edit"] is True
    proposed = ok(rivera, "post", f"{plan}/propose")
    assert proposed["state"] == "proposed"
    for party in (rivera, sam, gia):
        ok(party, "post", f"{plan}/confirm", {"version": 1})
    view = ok(
        ada, "put", f"{plan}/student-view", {"text": "Me gusta leer cómics.", "language": "es"}
    )
    assert (view["version"]["number"], view["content"]["student_view"]["language"]) == (2, "es")
    assert call(ada, "post", f"{plan}/confirm", {"version": 1}).status_code == 422  # changed
    for party in (rivera, sam, gia, ada):
        answered = ok(party, "post", f"{plan}/confirm", {"version": 2})
    assert (answered["state"], answered["check"]["late"]) == ("agreed", False)
    assert call(rivera, "put", plan, plan_body()).status_code == 403  # review first
    goal_id = answered["content"]["goals"][0]["id"]
    home_id = answered["content"]["actions"][1]["id"]
    noted = ok(
        rivera, "post", f"{plan}/progress", {"notes": [{"goal_id": goal_id, "status": "met"}]}
    )
    assert (noted["count"], noted["items"][0]["author"]["name"]) == (1, "Elena Rivera")
    log = ok(ada, "post", f"{plan}/home-actions/{home_id}/done", {"note": "¡Hecho!"})
    assert (log["by"]["role"], log["note"]["text"], log["done_on"]) == (
        "student",
        "¡Hecho!",
        str(today()),
    )
    assert ok(rivera, "post", f"{plan}/review")["state"] == "in_review"
    again = ok(rivera, "post", f"{plan}/propose")
    assert (again["state"], again["version"]["number"]) == ("proposed", 3)  # answered anew
    disagreed = ok(sam, "post", f"{plan}/disagree", {"version": 3, "note": "Más tiempo."})
    (answer,) = disagreed["parties"]["answers"]
    assert (answer["decision"], answer["note"]["text"]) == ("disagree", "Más tiempo.")
    closed = ok(rivera, "post", f"{plan}/close")
    assert (closed["state"], closed["caller"]["comment"]) == ("closed", False)
    assert call(rivera, "put", plan, plan_body()).status_code == 403
    assert call(sam, "post", f"{plan}/comments", {"text": "Hola"}).status_code == 403
    assert call(rivera, "post", f"{plan}/close").status_code == 403


def test_each_change_is_a_new_version_and_versions_never_change(world: World) -> None:
    rivera, plan = world.support.people.rivera, world.proposed
    path = f"{API}/plans/{plan.pk}"
    before = ok(rivera, "get", path)
    goal = before["content"]["goals"][0]
    body = plan_body(
        title="Writing and reading",
        goals=[{"id": goal["id"], "text": goal["text"]["text"]}, {"text": "Write a page"}],
        actions=[],
        note="A second goal",
    )
    changed = ok(rivera, "put", path, body)
    assert (changed["state"], changed["version"]["number"]) == ("proposed", 2)
    assert changed["content"]["goals"][0]["id"] == goal["id"]  # kept
    assert changed["version"]["changes"] == [
        "Changed: the title, the concern, the present level, the review date.",
        "1 goal added",
        "1 goal changed",
        "1 home action removed",
    ]
    assert changed["parties"]["answers"] == []  # everyone answers the new version
    kept = [{"id": g["id"], "text": g["text"]["text"]} for g in changed["content"]["goals"]]
    same = {**body, "goals": kept, "note": ""}
    assert ok(rivera, "put", path, same)["version"]["number"] == 2  # nothing changed
    first = ok(rivera, "get", f"{path}/versions/1")
    assert first["content"] == before["content"]
    assert first["content"]["title"]["text"] == "Writing every day"
    assert [answer["party"]["name"] for answer in first["answers"]] == ["Sam Okoye"]
    listed = ok(rivera, "get", f"{path}/versions")
    assert [(v["number"], v["note"]["text"]) for v in listed["items"]] == [
        (2, "A second goal"),
        (1, ""),
    ]
    assert call(rivera, "get", f"{path}/versions/3").status_code == 404
    assert PlanVersion.objects.get(plan=plan, number=1).content["title"] == "Writing every day"


# --- errors name the field and change nothing ---------------------------------------------------


def test_errors_name_the_field_and_change_nothing(world: World) -> None:
    people = world.support.people
    rivera, sam = people.rivera, people.sam
    agreed, proposed = world.agreed, world.proposed
    create = f"{API}/students/{people.ada.pk}/plans"
    bad = plan_body(
        review_on=str(today()),
        goals=[{"text": "  "}],
        actions=[{"side": "home", "who": "Sam", "what": " ", "goal": 3}],
    )
    assert fields_of(call(rivera, "post", create, bad)) == [
        "review_on",
        "goals.0.text",
        "actions.0.what",
        "actions.0.goal",
    ]
    unknown_side = plan_body(actions=[{"side": "garden", "who": "Sam", "what": "Dig"}])
    assert fields_of(call(rivera, "post", create, unknown_side)) == ["actions.0.side"]
    other_goal = agreed.goals.get().pk
    alien = plan_body(goals=[{"id": other_goal, "text": "Taken"}], accommodation_ids=[10**9])
    assert fields_of(call(rivera, "put", f"{API}/plans/{proposed.pk}", alien)) == [
        "goals.0.id",
        "accommodation_ids",
    ]
    check = {
        "noted_on": str(today() + dt.timedelta(days=1)),
        "notes": [{"goal_id": proposed.goals.get().pk, "status": "met"}],
    }
    assert fields_of(call(rivera, "post", f"{API}/plans/{agreed.pk}/progress", check)) == [
        "noted_on",
        "notes.0.goal_id",
    ]
    assert fields_of(call(rivera, "post", f"{API}/plans/{agreed.pk}/progress", {"notes": []})) == [
        "notes"
    ]
    answer = f"{API}/plans/{proposed.pk}"
    assert fields_of(call(world.gia, "post", f"{answer}/confirm", {"version": 9})) == ["version"]
    assert fields_of(call(world.gia, "post", f"{answer}/disagree", {"version": 1, "note": ""})) == [
        "note"
    ]
    logged = agreed.actions.get(what=HOME_LOG.what)
    done = f"{API}/plans/{agreed.pk}/home-actions/{logged.pk}/done"
    assert fields_of(call(sam, "post", done, {})) == ["done_on"]  # marked today already
    assert fields_of(call(rivera, "post", f"{API}/plans/{world.draft.pk}/comments", {})) == ["text"]
    assert (SupportPlan.objects.count(), PlanVersion.objects.count()) == (3, 3)
    assert (ProgressNote.objects.count(), PlanComment.objects.count()) == (1, 2)
    assert proposed.agreements.count() == 1
    assert SupportAction.objects.get(pk=logged.pk).logs.count() == 3


def test_a_plan_without_goals_is_not_proposed(world: World) -> None:
    rivera = world.support.people.rivera
    empty = plan_fields(title="Empty", goals=[], actions=[])
    plan = plan_create(author=rivera, student=world.support.people.ada, fields=empty)
    assert fields_of(call(rivera, "post", f"{API}/plans/{plan.pk}/propose")) == ["goals"]
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT


def test_a_draft_closed_stays_the_staffs(world: World) -> None:
    closed = ok(world.support.people.rivera, "post", f"{API}/plans/{world.draft.pk}/close")
    assert closed["state"] == "closed"
    sam = world.support.people.sam
    assert call(sam, "get", f"{API}/plans/{world.draft.pk}").status_code == 404


def test_a_home_action_is_marked_only_on_its_own_plan(world: World) -> None:
    sam = world.support.people.sam
    home = world.agreed.actions.get(what=HOME_READING.what)
    path = f"{API}/plans/{world.proposed.pk}/home-actions/{home.pk}/done"
    assert call(sam, "post", path, {}).status_code == 404
    school = world.agreed.actions.get(side=ActionSide.SCHOOL)
    path = f"{API}/plans/{world.agreed.pk}/home-actions/{school.pk}/done"
    assert call(sam, "post", path, {}).status_code == 404
