"""Ms. Rivera's set-building pages: the goal sets of her classes, a new set, groups and goals
(sub-goals, moves, what each needs first, linked work), publishing, copying, exporting and
importing. Bad input names the field and changes nothing; the index and the builder read a
constant number of queries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from conftest import ModuleData, each_test
from tests.authorization import client_for
from village.classwork.tests.factories import assignment
from village.community import services as community_services
from village.community.models import EnrollmentRole
from village.demo.personas import Personas
from village.goals.models import Goal, GoalAssignment, GoalGroup, GoalKind, GoalSet, Prerequisite
from village.goals.selectors.sets import set_outline
from village.goals.services import efforts, exchange, sets
from village.goals.services.sets import GoalFields
from village.goals.tests.conftest import Goals
from village.goals.tests.factories import ada_plan, levels, plan_goal, weather_set

pytestmark = pytest.mark.django_db


def _build(personas: Personas) -> Goals:
    return Goals(people=personas, weather=weather_set(personas.homeroom5, personas.rivera))


@pytest.fixture(scope="module")
def _goals(module_data: ModuleData | None) -> Goals | None:
    """Ms. Rivera's set, built once for the module."""
    return module_data.build(_build) if module_data else None


@pytest.fixture
def goals(personas: Personas, _goals: Goals | None) -> Goals:
    """The goals tests' set (``village.goals.tests.conftest``), shared by the module's tests."""
    return each_test(_goals, personas, _build)


def main(response: Any) -> str:
    html = response.content.decode()
    return html[html.index("<main") :]


def said(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def rivera(goals: Goals) -> Client:
    return client_for(goals.people.rivera)


def base(goals: Goals) -> str:
    return f"/goals/staff/sets/{goals.weather.goal_set.pk}"


def titles(group: GoalGroup) -> list[str]:
    return list(
        Goal.objects.filter(group=group).order_by("position", "pk").values_list("title", flat=True)
    )


# --- the index and a new set ------------------------------------------------------------------


def test_the_index_lists_sets_by_class_with_new_sets_where_the_teacher_teaches(goals: Goals):
    html = main(rivera(goals).get("/goals/staff/"))
    assert "Weather and the water cycle" in html
    assert "10 goals" in html
    for school_class in (goals.people.homeroom5, goals.people.science8):
        assert f"/goals/staff/classes/{school_class.pk}/sets/new/" in html
    nguyen = main(client_for(goals.people.nguyen).get("/goals/staff/"))
    assert "Weather and the water cycle" in nguyen
    assert "/sets/new/" not in nguyen


def test_a_new_set_gets_its_own_rubric_and_opens_the_builder(goals: Goals):
    school_class = goals.people.science8
    response = rivera(goals).post(
        f"/goals/staff/classes/{school_class.pk}/sets/new/",
        {
            "title": "Forces and motion",
            "summary": "Pushes, pulls and speed.",
            "opens_on": "2027-02-01",
            "closes_on": "2027-03-01",
            "rubric": "",
            "stalled_after_days": "10",
        },
    )
    made = GoalSet.objects.get(title="Forces and motion")
    assert response.status_code == 302
    assert response["Location"] == f"/goals/staff/sets/{made.pk}/"
    assert made.school_class_id == school_class.pk
    assert made.rubric.school_class_id == school_class.pk
    assert made.created_by_id == goals.people.rivera.pk
    assert not made.published


def test_a_set_ending_before_it_opens_names_the_field_and_makes_nothing(goals: Goals):
    before = GoalSet.objects.count()
    response = rivera(goals).post(
        f"/goals/staff/classes/{goals.people.science8.pk}/sets/new/",
        {"title": "Backwards", "opens_on": "2027-03-01", "closes_on": "2027-02-01"},
    )
    html = main(response)
    assert response.status_code == 200
    assert 'id="error-summary"' in html
    assert 'href="#id_closes_on"' in html
    assert "The work ends on or after the day students start choosing." in html
    assert "<title>Error:" in response.content.decode()
    assert GoalSet.objects.count() == before


def test_another_classes_topic_is_refused(goals: Goals):
    from village.classwork.models import Topic

    other = Topic.objects.create(
        school_class=goals.people.math8,
        title="Ratios",
        starts_on="2027-01-01",
        ends_on="2027-02-01",
    )
    response = rivera(goals).post(
        f"/goals/staff/classes/{goals.people.science8.pk}/sets/new/",
        {"title": "T", "opens_on": "2027-01-01", "closes_on": "2027-02-01", "topic": other.pk},
    )
    assert 'href="#id_topic"' in main(response)
    assert not GoalSet.objects.filter(title="T").exists()


def test_changing_the_details_saves_them(goals: Goals):
    goal_set = goals.weather.goal_set
    response = rivera(goals).post(
        f"{base(goals)}/edit/",
        {
            "title": "Weather",
            "opens_on": goal_set.opens_on.isoformat(),
            "closes_on": goal_set.closes_on.isoformat(),
            "rubric": goal_set.rubric_id,
            "auto_approve": "on",
            "stalled_after_days": "7",
        },
    )
    assert response.status_code == 302
    goal_set.refresh_from_db()
    assert (goal_set.title, goal_set.auto_approve, goal_set.stalled_after_days) == (
        "Weather",
        True,
        7,
    )


# --- the builder ----------------------------------------------------------------------------------


def test_the_builder_shows_groups_goals_sub_goals_and_prerequisites(goals: Goals):
    html = main(rivera(goals).get(f"{base(goals)}/"))
    measure = html.index("Measure the weather each day")
    thermometer = html.index("Read a thermometer")
    record = html.index("Keep a weather log for two weeks")
    assert measure < thermometer < record
    measure_id = goals.weather.goals["measure"].pk
    # Names of lists and actions are hidden text, not aria-labels (which cannot mark a language).
    assert (
        f'<span id="goal-{measure_id}-children-name" hidden>'
        "Sub-goals of “Measure the weather each day”</span>"
        f'<ul class="goal-children" aria-labelledby="goal-{measure_id}-children-name">'
    ) in html
    assert "Needs first" in html
    assert "“Explain the water cycle”" in html
    assert (
        '<span class="visually-hidden">Move “Keep a weather log for two weeks” up</span>'
        '<span aria-hidden="true">↑ Up</span>'
    ) in html
    assert "Move “Observing weather” up" not in html  # the first group
    assert 'Change<span class="visually-hidden"> “Keep a weather log for two weeks”</span>' in html
    assert "aria-label=" not in html
    assert "Beginning, Developing, Secure, Extending" in html


def test_an_admin_sees_the_builder_without_changing_anything(goals: Goals):
    client = client_for(goals.people.nguyen)
    html = main(client.get(f"{base(goals)}/"))
    assert "Weather and the water cycle" in html
    assert "Change details" not in html
    assert "Move “" not in html
    assert client.get(f"{base(goals)}/edit/").status_code == 403
    assert client.post(f"{base(goals)}/publish/", {"published": "0"}).status_code == 403


def _assert_queries_do_not_grow(client: Client, path: str, grow: Any) -> None:
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    grow()
    client.get(path)
    with CaptureQueriesContext(connection) as many:
        assert client.get(path).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_builder_reads_a_constant_number_of_queries(goals: Goals):
    w = goals.weather

    def grow() -> None:
        group = sets.group_add(goal_set=w.goal_set, title="Weather words")
        for number in range(8):
            goal = sets.goal_add(
                group=group,
                fields=GoalFields(title=f"Word {number}", kind=GoalKind.OPTIONAL),
            )
            sets.prerequisite_add(goal=goal, needs=w.goals["cycle"])
            sets.goal_add(group=group, fields=GoalFields(title=f"Use {number}", parent=goal))
            sets.assignment_link(
                goal=goal, assignment=assignment(goals.people.homeroom5, f"W{number}")
            )

    _assert_queries_do_not_grow(rivera(goals), f"{base(goals)}/", grow)


def test_the_index_reads_a_constant_number_of_queries(goals: Goals):
    def grow() -> None:
        for school_class in (goals.people.homeroom5, goals.people.science8):
            for _ in range(3):
                weather_set(school_class, goals.people.rivera, published=False)

    _assert_queries_do_not_grow(rivera(goals), "/goals/staff/", grow)


def test_a_teacher_changes_the_sets_of_a_new_class_whatever_its_id(goals: Goals):
    """Whether a teacher may change a set is asked of the class she teaches, not of the id of
    her enrolment (the two rarely agree in a real school)."""
    people = goals.people
    extra = community_services.class_create(
        course=people.science8.course,
        school=people.school,
        title="Grade 8 Science B",
        terms=[people.term],
    )
    enrolment = community_services.enrollment_add(
        user=people.rivera, school_class=extra, role=EnrollmentRole.TEACHER, is_primary=True
    )
    assert enrolment.pk != extra.pk
    made = weather_set(extra, people.rivera, published=False)
    client = rivera(goals)
    assert client.get(f"/goals/staff/sets/{made.goal_set.pk}/edit/").status_code == 200
    assert "Change details" in main(client.get(f"/goals/staff/sets/{made.goal_set.pk}/"))


# --- groups and goals -----------------------------------------------------------------------------


def test_a_group_is_added_changed_moved_and_deleted(goals: Goals):
    client = rivera(goals)
    response = client.post(
        f"{base(goals)}/groups/new/", {"title": "Weather words", "min_optional": "0"}
    )
    group = GoalGroup.objects.get(title="Weather words")
    assert response["Location"].endswith(f"#group-{group.pk}")
    client.post(
        f"{base(goals)}/groups/{group.pk}/edit/",
        {"title": "Words about weather", "description": "", "min_optional": "0"},
    )
    client.post(f"{base(goals)}/groups/{group.pk}/move/", {"step": "-1"})
    order = list(
        GoalGroup.objects.filter(goal_set=goals.weather.goal_set)
        .order_by("position", "pk")
        .values_list("title", flat=True)
    )
    assert order == [
        "Observing weather",
        "The water cycle",
        "Words about weather",
        "Sharing what we learn",
    ]
    assert "Delete “Words about weather”?" in main(
        client.get(f"{base(goals)}/groups/{group.pk}/delete/")
    )
    client.post(f"{base(goals)}/groups/{group.pk}/delete/")
    assert not GoalGroup.objects.filter(pk=group.pk).exists()


def test_a_group_asking_for_too_many_optional_goals_names_the_field(goals: Goals):
    group = goals.weather.groups["sharing"]
    response = rivera(goals).post(
        f"{base(goals)}/groups/{group.pk}/edit/", {"title": "Sharing", "min_optional": "51"}
    )
    assert 'href="#id_min_optional"' in main(response)
    group.refresh_from_db()
    assert (group.title, group.min_optional) == ("Sharing what we learn", 0)


def test_a_sub_goal_is_added_under_its_goal(goals: Goals):
    w = goals.weather
    client = rivera(goals)
    observing = w.groups["observing"]
    url = f"{base(goals)}/groups/{observing.pk}/goals/new/"
    page = main(client.get(f"{url}?parent={w.goals['measure'].pk}"))
    assert f'<option value="{w.goals["measure"].pk}" selected>' in page
    client.post(
        url,
        {
            "title": "Read a rain gauge",
            "kind": "optional",
            "parent": w.goals["measure"].pk,
            "success_criteria": "I can read it to the nearest millimetre.",
        },
    )
    made = Goal.objects.get(title="Read a rain gauge")
    assert (made.parent_id, made.kind, made.group_id) == (
        w.goals["measure"].pk,
        "optional",
        observing.pk,
    )


def test_a_goal_cannot_become_part_of_its_own_sub_goal(goals: Goals):
    w = goals.weather
    measure = w.goals["measure"]
    response = rivera(goals).post(
        f"{base(goals)}/goals/{measure.pk}/edit/",
        {"title": "Measure", "kind": "core", "parent": w.goals["thermometer"].pk},
    )
    assert 'href="#id_parent"' in main(response)
    measure.refresh_from_db()
    assert (measure.title, measure.parent_id) == ("Measure the weather each day", None)


def test_an_empty_goal_names_the_field_and_adds_nothing(goals: Goals):
    group = goals.weather.groups["sharing"]
    response = rivera(goals).post(
        f"{base(goals)}/groups/{group.pk}/goals/new/", {"title": " ", "kind": "core"}
    )
    html = main(response)
    assert 'href="#id_title"' in html
    assert titles(group) == ["Present a weather report", "Interview someone about weather"]


def test_moving_a_goal_up_passes_its_previous_sibling_not_a_sub_goal(goals: Goals):
    w = goals.weather
    client = rivera(goals)
    response = client.post(f"{base(goals)}/goals/{w.goals['record'].pk}/move/", {"step": "-1"})
    assert response["Location"].endswith(f"#goal-{w.goals['record'].pk}")
    outline = set_outline(w.goal_set)
    tops = [node.goal.title for node in outline.groups[0].goals]
    assert tops[:2] == ["Keep a weather log for two weeks", "Measure the weather each day"]
    assert [c.goal.title for c in outline.groups[0].goals[1].children] == ["Read a thermometer"]
    client.post(
        f"{base(goals)}/goals/{w.goals['record'].pk}/move/", {"step": "-1"}
    )  # first already
    assert [n.goal.title for n in set_outline(w.goal_set).groups[0].goals] == tops


def test_moving_a_goal_or_a_group_writes_as_many_queries_however_many_there_are(
    goals: Goals,
):
    """The places that change are written in one UPDATE, not one per goal or group."""
    w = goals.weather

    def moves() -> list[int]:
        found = []
        # "Present" goes to the end of its group and back; "Sharing" to the top and back.
        for step in (50, -50):
            with CaptureQueriesContext(connection) as queries:
                sets.goal_move(goal=w.goals["present"], step=step)
            found.append(len(queries))
            with CaptureQueriesContext(connection) as queries:
                sets.group_move(group=w.groups["sharing"], step=-step)
            found.append(len(queries))
        return found

    few = moves()
    for number in range(10):
        sets.goal_add(group=w.groups["sharing"], fields=GoalFields(title=f"Poem {number}"))
        sets.group_add(goal_set=w.goal_set, title=f"Group {number}")
    assert moves() == few


def test_a_goal_students_reported_on_is_not_deleted(goals: Goals):
    w = goals.weather
    plan = ada_plan(goals.people, w)
    efforts.effort_record(
        plan_goal=plan_goal(plan, w.goals["cycle"]), levels=levels(w.goal_set), done="A drawing"
    )
    response = rivera(goals).post(f"{base(goals)}/goals/{w.goals['cycle'].pk}/delete/")
    assert response.status_code == 200
    assert "Students have reported efforts on this goal: it stays." in main(response)
    assert Goal.objects.filter(pk=w.goals["cycle"].pk).exists()


def test_a_goal_of_another_set_is_not_found(goals: Goals):
    other = weather_set(goals.people.science8, goals.people.rivera, published=False)
    goal = other.goals["cycle"]
    assert rivera(goals).get(f"{base(goals)}/goals/{goal.pk}/edit/").status_code == 404


# --- prerequisites and linked work ----------------------------------------------------------------


def test_a_prerequisite_is_added_and_removed(goals: Goals):
    w = goals.weather
    client = rivera(goals)
    url = f"{base(goals)}/goals/{w.goals['present'].pk}/needs/"
    response = client.post(url, {"needs": w.goals["record"].pk})
    assert said(response) == [
        "“Present a weather report” needs “Keep a weather log for two weeks” first."
    ]
    assert Prerequisite.objects.filter(goal=w.goals["present"], needs=w.goals["record"]).exists()
    html = main(client.get(url))
    assert 'Remove<span class="visually-hidden"> “Keep a weather log for two weeks”</span>' in html
    client.post(f"{url}{w.goals['record'].pk}/remove/")
    assert not Prerequisite.objects.filter(goal=w.goals["present"]).exists()


def test_a_prerequisite_closing_a_circle_is_refused_with_the_services_message(goals: Goals):
    w = goals.weather
    response = rivera(goals).post(
        f"{base(goals)}/goals/{w.goals['cycle'].pk}/needs/", {"needs": w.goals["model"].pk}
    )
    html = main(response)
    assert 'href="#id_needs"' in html
    assert (
        "That would make a circle: “Explain the water cycle” → “Build a water-cycle model in a "
        "jar” → “Explain the water cycle”." in html
    )
    assert not Prerequisite.objects.filter(goal=w.goals["cycle"]).exists()


def test_work_of_the_class_is_linked_and_unlinked(goals: Goals):
    w = goals.weather
    work = assignment(goals.people.homeroom5, "Cloud diary")
    elsewhere = assignment(goals.people.science8, "Lab report")
    client = rivera(goals)
    url = f"{base(goals)}/goals/{w.goals['clouds'].pk}/work/"
    page = main(client.get(url))
    assert "Cloud diary" in page
    assert "Lab report" not in page
    response = client.post(url, {"assignment": elsewhere.pk})
    assert 'href="#id_assignment"' in main(response)
    client.post(url, {"assignment": work.pk})
    assert GoalAssignment.objects.filter(goal=w.goals["clouds"], assignment=work).exists()
    assert "Cloud diary" in main(client.get(f"{base(goals)}/"))
    client.post(f"{url}{work.pk}/remove/")
    assert not GoalAssignment.objects.filter(goal=w.goals["clouds"]).exists()


def test_work_that_does_not_count_for_the_goal_is_not_found_when_removed(goals: Goals):
    """Another class's work (or work linked to another goal) in the goal's address is a 404,
    not "it no longer counts"; the goal's own link stays."""
    w = goals.weather
    work = assignment(goals.people.homeroom5, "Cloud diary")
    elsewhere = assignment(goals.people.science8, "Lab report")
    sets.assignment_link(goal=w.goals["clouds"], assignment=work)
    sets.assignment_link(goal=w.goals["wind"], assignment=work)
    client = rivera(goals)
    url = f"{base(goals)}/goals/{w.goals['clouds'].pk}/work/"
    assert client.post(f"{url}{elsewhere.pk}/remove/").status_code == 404
    wind = f"{base(goals)}/goals/{w.goals['wind'].pk}/work/"
    client.post(f"{wind}{work.pk}/remove/")
    assert client.post(f"{wind}{work.pk}/remove/").status_code == 404
    assert GoalAssignment.objects.filter(goal=w.goals["clouds"], assignment=work).exists()


def test_a_parent_that_is_not_plain_digits_is_ignored_not_a_server_error(goals: Goals):
    observing = goals.weather.groups["observing"]
    url = f"{base(goals)}/groups/{observing.pk}/goals/new/"
    assert rivera(goals).get(f"{url}?parent=²").status_code == 200


# --- publishing, copying, export and import -------------------------------------------------------


def test_a_set_that_is_not_ready_is_not_published_and_says_why(goals: Goals):
    w = goals.weather
    client = rivera(goals)
    client.post(f"{base(goals)}/publish/", {"published": "0"})
    sets.group_update(group=w.groups["sharing"], title="Sharing what we learn", min_optional=2)
    response = client.post(f"{base(goals)}/publish/", {"published": "1"})
    assert said(response)[-1] == "“Sharing what we learn” asks for 2 optional goals but has 1."
    w.goal_set.refresh_from_db()
    assert not w.goal_set.published
    assert "Before students can see it:" in main(client.get(f"{base(goals)}/"))


def test_publishing_and_hiding(goals: Goals):
    goal_set = goals.weather.goal_set
    client = rivera(goals)
    response = client.post(f"{base(goals)}/publish/", {"published": "0"})
    assert said(response) == ["Students and families no longer see “Weather and the water cycle”."]
    goal_set.refresh_from_db()
    assert not goal_set.published
    client.post(f"{base(goals)}/publish/", {"published": "1"})
    goal_set.refresh_from_db()
    assert goal_set.published


def test_a_set_is_copied_to_another_class_with_new_dates(goals: Goals):
    source = goals.weather.goal_set
    response = rivera(goals).post(
        f"{base(goals)}/copy/",
        {"school_class": goals.people.science8.pk, "opens_on": "2027-09-06"},
    )
    made = GoalSet.objects.get(copied_from=source)
    assert response["Location"] == f"/goals/staff/sets/{made.pk}/"
    assert made.school_class_id == goals.people.science8.pk
    assert made.opens_on.isoformat() == "2027-09-06"
    assert Goal.objects.filter(goal_set=made).count() == 10


def test_a_copy_into_a_class_the_teacher_does_not_teach_is_refused(goals: Goals):
    response = rivera(goals).post(
        f"{base(goals)}/copy/", {"school_class": goals.people.math8.pk, "opens_on": "2027-09-06"}
    )
    assert 'href="#id_school_class"' in main(response)
    assert not GoalSet.objects.filter(copied_from=goals.weather.goal_set).exists()


def test_the_export_is_a_json_file_to_download(goals: Goals):
    response = rivera(goals).get(f"{base(goals)}/export/")
    assert response["Content-Type"].startswith("application/json")
    assert (
        response["Content-Disposition"] == 'attachment; filename="weather-and-the-water-cycle.json"'
    )
    assert json.loads(response.content)["title"] == "Weather and the water cycle"


def _upload(data: Any) -> SimpleUploadedFile:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile("set.json", raw, content_type="application/json")


def test_an_exported_file_is_imported_into_another_class(goals: Goals):
    data = exchange.goal_set_export(goals.weather.goal_set)
    url = f"/goals/staff/classes/{goals.people.science8.pk}/sets/import/"
    response = rivera(goals).post(url, {"file": _upload(data), "opens_on": "2027-01-04"})
    made = GoalSet.objects.get(school_class=goals.people.science8)
    assert response["Location"] == f"/goals/staff/sets/{made.pk}/"
    assert made.opens_on.isoformat() == "2027-01-04"
    assert Prerequisite.objects.filter(goal__goal_set=made).count() == 1


def test_a_bad_file_lists_each_problem_with_its_place_and_imports_nothing(goals: Goals):
    data = exchange.goal_set_export(goals.weather.goal_set)
    data["groups"][1]["goals"][2]["title"] = ""
    data["groups"][0]["goals"][1]["parent"] = "g42"
    url = f"/goals/staff/classes/{goals.people.science8.pk}/sets/import/"
    before = GoalSet.objects.count()
    html = main(rivera(goals).post(url, {"file": _upload(data)}))
    assert 'href="#id_file"' in html
    assert "groups[1].goals[2].title: Write the goal." in html
    assert "groups[0].goals[1].parent: No goal has the key “g42”." in html
    assert GoalSet.objects.count() == before


def test_a_file_that_is_not_json_is_refused(goals: Goals):
    url = f"/goals/staff/classes/{goals.people.science8.pk}/sets/import/"
    html = main(rivera(goals).post(url, {"file": _upload(b"\xff\xfe not json")}))
    assert "The file is not JSON: export it from Village again." in html


# --- in Spanish -----------------------------------------------------------------------------------


def test_the_builder_speaks_spanish_to_a_teacher_who_reads_it(goals: Goals):
    teacher = goals.people.rivera
    teacher.preferred_language = "es"
    teacher.save(update_fields=["preferred_language"])
    html = main(client_for(teacher).get(f"{base(goals)}/"))
    translation.activate("en")
    assert "Sobre este conjunto de metas" in html
    assert "Ocultar a los estudiantes" in html
    # What Ms. Rivera wrote is marked as English, in the actions' hidden names too.
    log = '<span lang="en">Keep a weather log for two weeks</span>'
    assert f'<span class="visually-hidden">Subir «{log}»</span>' in html
    assert f'Cambiar<span class="visually-hidden"> «{log}»</span>' in html
    assert f'Eliminar<span class="visually-hidden"> «{log}»</span>' in html
    observing = '<span lang="en">Observing weather</span>'
    assert f'Agregar una meta<span class="visually-hidden"> a «{observing}»</span>' in html
    assert f"Grupo «{observing}»</span>" in html
    assert "aria-label=" not in html
