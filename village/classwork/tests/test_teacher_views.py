"""The teacher's pages: stream, posting and editing work, managing it, gradebook, grading flow,
topics, events and grading categories. Happy paths and bad input (which names the field and
saves nothing)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from village.accounts.models import User
from village.classwork.models import (
    Assignment,
    AssignmentMaterial,
    ClassEvent,
    Feedback,
    GradingCategory,
    Rubric,
    Topic,
)
from village.classwork.selectors.stream import week_start
from village.classwork.services.assignments import assignment_create
from village.classwork.services.feedback import work_excuse
from village.classwork.services.materials import material_add
from village.classwork.services.rubrics import CriterionSpec, LevelSpec, rubric_create
from village.classwork.services.topics import topic_create
from village.classwork.tests.factories import assignment, feedback, hand_in
from village.core.models import AuditEvent
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

D = Decimal


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def local_input(moment: dt.datetime) -> str:
    """A time as a datetime-local field sends it, in the teacher's time zone (Chicago)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def post_data(**overrides: object) -> dict[str, object]:
    now = timezone.now()
    data: dict[str, object] = {
        "title": "Water cycle poster",
        "instructions": "<p>Draw the <strong>cycle</strong>.</p>",
        "assign_at": local_input(now),
        "due_at": local_input(now + dt.timedelta(days=3)),
        "grading": "points",
        "points": "20",
        "criteria_count": "3",
        "visible_to_families": "on",
    }
    data.update(overrides)
    return data


# --- the stream ------------------------------------------------------------------------------


def test_the_stream_shows_topics_work_due_with_counts_and_recent_work(personas: Personas) -> None:
    p = personas
    today = timezone.localdate()
    topic_create(
        school_class=p.homeroom5,
        title="Fractions",
        starts_on=today - dt.timedelta(days=2),
        ends_on=today + dt.timedelta(days=5),
    )
    topic_create(
        school_class=p.homeroom5,
        title="Decimals",
        starts_on=today + dt.timedelta(days=6),
        ends_on=today + dt.timedelta(days=12),
    )
    overdue = assignment(p.homeroom5, "Fraction strips", due_in_days=-1)
    hand_in(overdue, p.ada, days_ago=2)
    assignment(p.homeroom5, "Old essay", due_in_days=-20, assigned_days_ago=30)
    html = login(p.rivera).get(f"/work/classes/{p.homeroom5.pk}/").content.decode()
    now_part, coming = html.split("Coming up", 1)
    assert "Fractions" in now_part
    assert "Decimals" in coming
    row = html.split("Fraction strips</a>", 1)[1].split("</tr>", 1)[0]
    assert "1 of 2" in row  # Ada handed in; Maya did not
    assert 'badge-danger">1<' in row  # Maya is missing
    assert 'badge-info">1<' in row  # Ada's work waits for feedback
    assert "Old essay" not in html.split("Work due", 1)[1].split("Recently posted", 1)[0]
    assert "Post work" in html


def test_an_admin_sees_the_stream_read_only(personas: Personas) -> None:
    html = login(personas.nguyen).get(f"/work/classes/{personas.homeroom5.pk}/").content.decode()
    assert "only its teachers post and grade work" in html
    assert "Post work" not in html


# --- posting and editing work ----------------------------------------------------------------


def test_posting_work_with_points_a_link_and_a_file(personas, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    p = personas
    data = post_data(
        link_title_1="Video",
        link_url_1="https://example.org/water",
        file_1=SimpleUploadedFile("steps.pdf", b"%PDF-1.4 steps"),
    )
    response = login(p.rivera).post(f"/work/classes/{p.science8.pk}/assignments/new/", data)
    work = Assignment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/work/classes/{p.science8.pk}/assignments/{work.pk}/"
    assert (work.title, work.points, work.created_by) == ("Water cycle poster", D(20), p.rivera)
    assert work.instructions == "<p>Draw the <strong>cycle</strong>.</p>"
    assert [m.title for m in work.materials.all()] == ["Video", "steps.pdf"]
    # The due time was read in Ms. Rivera's time zone.
    expected = timezone.localtime(timezone.now() + dt.timedelta(days=3)).replace(
        second=0, microsecond=0
    )
    assert work.due_at is not None
    assert abs(work.due_at - expected) < dt.timedelta(minutes=1)


def test_posting_work_with_a_new_rubric_built_inline(personas: Personas) -> None:
    p = personas
    data = post_data(
        grading="new_rubric",
        rubric_title="Poster rubric",
        criterion_1="Accuracy",
        criterion_1_level_1="Excellent",
        criterion_1_points_1="6",
        criterion_1_level_2="Good",
        criterion_1_points_2="4",
        criterion_2="Design",
        criterion_2_level_1="Excellent",
        criterion_2_points_1="4",
    )
    response = login(p.rivera).post(f"/work/classes/{p.science8.pk}/assignments/new/", data)
    assert response.status_code == 302
    work = Assignment.objects.get()
    assert work.rubric is not None
    assert work.rubric.title == "Poster rubric"
    assert work.points == D(10)
    assert [c.title for c in work.rubric.criteria.all()] == ["Accuracy", "Design"]


def test_scripts_are_removed_and_the_teacher_is_told(personas: Personas) -> None:
    p = personas
    data = post_data(instructions='<p onclick="x()">Read</p><script>alert(1)</script>')
    response = login(p.rivera).post(
        f"/work/classes/{p.science8.pk}/assignments/new/", data, follow=True
    )
    html = response.content.decode()
    assert Assignment.objects.get().instructions == "<p>Read</p>"
    assert "Some formatting in the instructions is not kept" in html
    assert "<p>Read</p>" in html
    assert "alert(1)" not in html


def test_the_preview_shows_sanitised_instructions_and_saves_nothing(personas: Personas) -> None:
    p = personas
    data = post_data(
        instructions="<p><em>Careful</em><img src=x onerror=alert(1)></p>", preview="1"
    )
    html = (
        login(p.rivera)
        .post(f"/work/classes/{p.science8.pk}/assignments/new/", data)
        .content.decode()
    )
    preview = html.split('id="preview-heading"', 1)[1].split("</div>", 2)[0]
    assert "<em>Careful</em>" in preview
    assert "onerror" not in preview
    assert not Assignment.objects.exists()


def test_more_criteria_adds_rows_without_saving(personas: Personas) -> None:
    p = personas
    data = post_data(more_criteria="1", grading="new_rubric")
    html = (
        login(p.rivera)
        .post(f"/work/classes/{p.science8.pk}/assignments/new/", data)
        .content.decode()
    )
    assert 'name="criterion_5"' in html
    assert 'name="criterion_6"' not in html
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"title": ""}, "title", "This field is required"),
        ({"due_at": "2020-01-01T10:00"}, "due_at", "due before it is assigned"),
        ({"grading": "rubric"}, "rubric", "Choose a rubric"),
        ({"grading": "new_rubric"}, "rubric_title", "Give the new rubric a title"),
        ({"points": "-3"}, "points", "greater than or equal to 0"),
        ({"link_url_1": "not a link"}, "link_url_1", "Enter a valid URL"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(personas, overrides, field, words) -> None:
    p = personas
    response = login(p.rivera).post(
        f"/work/classes/{p.science8.pk}/assignments/new/", post_data(**overrides)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html, field
    assert words in html.split(f'id="id_{field}_error"', 1)[1].split("</ul>", 1)[0]
    assert not Assignment.objects.exists()
    assert not Rubric.objects.exists()


def test_a_file_type_not_allowed_is_refused_and_nothing_saved(personas: Personas) -> None:
    p = personas
    data = post_data(file_1=SimpleUploadedFile("run.exe", b"MZ"))
    html = (
        login(p.rivera)
        .post(f"/work/classes/{p.science8.pk}/assignments/new/", data)
        .content.decode()
    )
    assert "cannot be attached" in html.split('id="id_file_1_error"', 1)[1]
    assert not Assignment.objects.exists()
    assert not AssignmentMaterial.objects.exists()


def test_editing_work_changes_it_and_removes_materials(personas: Personas) -> None:
    p = personas
    work = assignment(p.science8, "Lab", points=10)
    link = material_add(assignment=work, url="https://example.org/a")
    url = f"/work/classes/{p.science8.pk}/assignments/{work.pk}/edit/"
    client = login(p.rivera)
    form = client.get(url).content.decode()
    assert 'value="Lab"' in form
    response = client.post(
        url,
        post_data(
            title="Lab 1",
            points="12",
            remove_materials=[str(link.pk)],
            assign_at=local_input(work.assign_at),
        ),
    )
    assert response.status_code == 302
    work.refresh_from_db()
    assert (work.title, work.points) == ("Lab 1", D(12))
    assert not work.materials.exists()


def test_edit_refusal_keeps_the_work_as_it_was(personas: Personas) -> None:
    p = personas
    work = assignment(p.science8, "Lab", points=10)
    feedback(work, p.leo, score=9)
    url = f"/work/classes/{p.science8.pk}/assignments/{work.pk}/edit/"
    response = login(p.rivera).post(
        url, post_data(title="Renamed", points="5", assign_at=local_input(work.assign_at))
    )
    html = response.content.decode()
    assert "higher than 5 points" in html.split('id="id_points_error"', 1)[1]
    work.refresh_from_db()
    assert (work.title, work.points) == ("Lab", D(10))


def test_work_of_another_class_is_not_found_under_this_class(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Spelling")
    client = login(p.rivera)
    assert client.get(f"/work/classes/{p.science8.pk}/assignments/{work.pk}/").status_code == 404
    assert (
        client.get(f"/work/classes/{p.science8.pk}/assignments/{work.pk}/edit/").status_code == 404
    )


# --- managing one piece of work --------------------------------------------------------------


def test_the_manage_page_shows_every_students_status_and_is_audited(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Spelling", due_in_days=-1, instructions="<p>Ten words</p>")
    hand_in(work, p.ada, days_ago=2)
    hand_in(work, p.ada, days_ago=1.5, attempt=2)
    feedback(work, p.ada, score=8)
    before = AuditEvent.objects.count()
    html = login(p.rivera).get(f"/work/classes/{p.homeroom5.pk}/assignments/{work.pk}/")
    text = html.content.decode()
    assert "<p>Ten words</p>" in text
    ada = text.split("Ada Okoye</a>", 1)[1].split("</tr>", 1)[0]
    maya = text.split("Maya Lopez</a>", 1)[1].split("</tr>", 1)[0]
    assert "Graded" in ada
    assert "2 attempts" in ada
    assert "8" in ada
    assert "Missing" in maya
    assert AuditEvent.objects.count() - before == 2
    assert set(AuditEvent.objects.values_list("student_id", flat=True)) == {p.ada.pk, p.maya.pk}


# --- the gradebook ---------------------------------------------------------------------------


def test_the_gradebook_shows_scores_badges_and_course_grades(personas: Personas) -> None:
    p = personas
    quiz = assignment(p.homeroom5, "Quiz", due_in_days=-5, points=10)
    essay = assignment(p.homeroom5, "Essay", due_in_days=-1, points=20)
    hand_in(quiz, p.ada, days_ago=6)
    feedback(quiz, p.ada, score=9)
    hand_in(essay, p.ada, days_ago=0)  # after the due time
    work_excuse(assignment=quiz, student=p.maya, graded_by=p.rivera)
    client = login(p.rivera)
    before = AuditEvent.objects.count()
    html = client.get(f"/work/classes/{p.homeroom5.pk}/gradebook/").content.decode()
    ada = html.split("Ada Okoye", 1)[1].split("</tr>", 1)[0]
    maya = html.split("Maya Lopez", 1)[1].split("</tr>", 1)[0]
    assert "90.0&nbsp;%" in ada
    assert 'badge-warning">Late<' in ada
    assert f'href="/work/assignments/{quiz.pk}/grade/{p.ada.pk}/">9<' in ada
    assert 'badge-danger">Missing<' in maya
    assert ">Excused<" in maya
    # Newest work first.
    assert html.index(">Essay<") < html.index(">Quiz<")
    assert AuditEvent.objects.count() - before == 2

    attention = client.get(f"/work/classes/{p.homeroom5.pk}/gradebook/?show=attention")
    text = attention.content.decode()
    assert "Ada Okoye" in text
    assert "Maya Lopez" in text
    work_excuse(assignment=essay, student=p.maya, graded_by=p.rivera)
    feedback(essay, p.ada, score=15)
    again = client.get(f"/work/classes/{p.homeroom5.pk}/gradebook/?show=attention")
    assert b"No student has missing or late work." in again.content


def test_the_gradebook_filter_swaps_only_the_results_in_with_htmx(personas: Personas) -> None:
    p = personas
    quiz = assignment(p.homeroom5, "Quiz", due_in_days=-5, points=10)
    hand_in(quiz, p.ada, days_ago=6)
    feedback(quiz, p.ada, score=9)
    client = login(p.rivera)
    path = f"/work/classes/{p.homeroom5.pk}/gradebook/?show=attention"
    full = client.get(path)
    assert b"<html" in full.content
    assert b'hx-target="#gradebook-results"' in full.content
    before = AuditEvent.objects.count()
    partial = client.get(path, headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert "<html" not in html
    assert 'id="gradebook"' in html
    assert "Maya Lopez" in html  # missing the quiz
    assert "Ada Okoye" not in html  # graded: not shown under "missing or late"
    assert "HX-Request" in partial["Vary"]
    assert AuditEvent.objects.count() - before == 1  # the students shown are audited as before
    # going back in history asks for the whole page again
    history = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    restored = client.get(path, headers=history)
    assert b"<html" in restored.content


# --- grading, student after student ----------------------------------------------------------


def rubric_lab(p: Personas) -> Assignment:
    rubric = rubric_create(
        school_class=p.homeroom5,
        title="Writing",
        criteria=[
            CriterionSpec(
                title="Ideas",
                levels=[LevelSpec("Strong", D(4), "Clear and original."), LevelSpec("Weak", D(1))],
            ),
            CriterionSpec(title="Spelling", levels=[LevelSpec("Strong", D(2))]),
        ],
    )
    return assignment_create(
        school_class=p.homeroom5,
        title="Story",
        created_by=p.rivera,
        rubric=rubric,
        assign_at=timezone.now() - dt.timedelta(days=3),
        due_at=timezone.now() - dt.timedelta(days=1),
    )


def test_return_to_student_saves_scores_returns_and_moves_to_the_next_to_grade(
    personas: Personas,
) -> None:
    p = personas
    work = rubric_lab(p)
    hand_in(work, p.ada, days_ago=2, text="Once upon a time")
    hand_in(work, p.maya, days_ago=2)
    client = login(p.rivera)
    url = f"/work/assignments/{work.pk}/grade/{p.maya.pk}/"  # Maya Lopez comes before Ada Okoye
    page = client.get(url).content.decode()
    assert "Student 1 of 2" in page
    assert "Clear and original." in page
    assert work.rubric is not None
    ideas, spelling = work.rubric.criteria.all()
    response = client.post(
        url,
        {
            f"criterion_{ideas.pk}": str(ideas.levels.get(title="Strong").pk),
            f"criterion_{spelling.pk}": str(spelling.levels.get().pk),
            "comment": "A lively start.",
            "action": "return",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/work/assignments/{work.pk}/grade/{p.ada.pk}/"
    saved = Feedback.objects.get(student=p.maya)
    assert (saved.score, saved.comment) == (D(6), "A lively start.")
    assert saved.returned_at is not None
    ada_page = client.get(response["Location"]).content.decode()
    assert "Once upon a time" in ada_page


def test_save_draft_stays_on_the_student_and_does_not_return(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Quiz", due_in_days=-1, points=10)
    hand_in(work, p.ada, days_ago=2)
    url = f"/work/assignments/{work.pk}/grade/{p.ada.pk}/"
    response = login(p.rivera).post(url, {"score": "7", "comment": "Nearly", "action": "draft"})
    assert response["Location"] == url
    saved = Feedback.objects.get()
    assert (saved.score, saved.returned_at) == (D(7), None)


def test_returning_the_last_one_to_grade_goes_back_to_the_work(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Quiz", due_in_days=-1, points=10)
    hand_in(work, p.ada, days_ago=2)
    response = login(p.rivera).post(
        f"/work/assignments/{work.pk}/grade/{p.ada.pk}/", {"score": "9", "action": "return"}
    )
    assert response["Location"] == f"/work/classes/{p.homeroom5.pk}/assignments/{work.pk}/"


def test_a_grade_above_the_points_is_shown_on_the_grade_field(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Quiz", due_in_days=-1, points=10)
    response = login(p.rivera).post(
        f"/work/assignments/{work.pk}/grade/{p.ada.pk}/", {"score": "12", "action": "return"}
    )
    html = response.content.decode()
    assert "between 0 and 10" in html.split('id="id_score_error"', 1)[1]
    assert not Feedback.objects.exists()


def test_an_overlong_comment_is_shown_on_the_comment_field(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Essay", due_in_days=-1, points=10)
    response = login(p.rivera).post(
        f"/work/assignments/{work.pk}/grade/{p.ada.pk}/",
        {"score": "8", "comment": "a" * 50_001, "action": "return"},
    )
    html = response.content.decode()
    assert "at most 50,000 characters" in html.split('id="id_comment_error"', 1)[1]
    assert not Feedback.objects.exists()


def test_excused_from_the_grading_page(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Quiz", due_in_days=-1, points=10)
    login(p.rivera).post(
        f"/work/assignments/{work.pk}/grade/{p.maya.pk}/", {"excused": "on", "action": "draft"}
    )
    assert Feedback.objects.get(student=p.maya).excused


def test_a_student_not_in_the_class_cannot_be_graded_there(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Quiz")
    client = login(p.rivera)
    assert client.get(f"/work/assignments/{work.pk}/grade/{p.leo.pk}/").status_code == 404
    response = client.post(
        f"/work/assignments/{work.pk}/grade/{p.leo.pk}/", {"score": "1", "action": "return"}
    )
    assert response.status_code == 404
    assert not Feedback.objects.exists()


# --- topics, events, categories --------------------------------------------------------------


def test_adding_and_editing_a_topic(personas: Personas) -> None:
    p = personas
    client = login(p.rivera)
    url = f"/work/classes/{p.science8.pk}/topics/new/"
    bad = client.post(url, {"title": "Rain", "starts_on": "2026-03-10", "ends_on": "2026-03-01"})
    assert "ends before it starts" in bad.content.decode().split('id="id_ends_on_error"', 1)[1]
    assert not Topic.objects.exists()
    good = {"title": "Rain", "starts_on": "2026-03-01", "ends_on": "2026-03-10"}
    assert client.post(url, good).status_code == 302
    topic = Topic.objects.get()
    edit = f"/work/classes/{p.science8.pk}/topics/{topic.pk}/"
    assert client.post(edit, good | {"title": "Rain and snow"}).status_code == 302
    topic.refresh_from_db()
    assert topic.title == "Rain and snow"


@pytest.mark.parametrize("title", ["Rain\r\nSnow", "Rain\tand snow", "Rain\x00"])
def test_a_title_on_more_than_one_line_is_refused_naming_the_field(
    personas: Personas, title: str
) -> None:
    p = personas
    response = login(p.rivera).post(
        f"/work/classes/{p.science8.pk}/topics/new/",
        {"title": title, "starts_on": "2026-03-01", "ends_on": "2026-03-10"},
    )
    assert response.status_code == 200
    error = response.content.decode().split('id="id_title_error"', 1)[1]
    assert "one line" in error or "Null characters" in error
    assert not Topic.objects.exists()


def test_adding_an_event(personas: Personas) -> None:
    p = personas
    start = timezone.now() + dt.timedelta(days=4)
    response = login(p.rivera).post(
        f"/work/classes/{p.science8.pk}/events/new/",
        {"title": "Water works trip", "starts_at": local_input(start), "location": "Dam"},
    )
    assert response.status_code == 302
    event = ClassEvent.objects.get()
    assert (event.title, event.location, event.visible_to_families) == (
        "Water works trip",
        "Dam",
        False,  # an unticked checkbox: the teacher chose not to show it
    )


def test_grading_categories_with_weights(personas: Personas) -> None:
    p = personas
    client = login(p.rivera)
    url = f"/work/classes/{p.science8.pk}/settings/"
    data = {
        "categories-TOTAL_FORMS": "2",
        "categories-INITIAL_FORMS": "0",
        "categories-0-name": "Labs",
        "categories-0-weight": "60",
        "categories-1-name": "Homework",
        "categories-1-weight": "40",
    }
    assert client.post(url, data).status_code == 302
    assert dict(GradingCategory.objects.values_list("name", "weight")) == {
        "Labs": D(60),
        "Homework": D(40),
    }
    page = client.get(url).content.decode()
    assert "The weights add up to 100 now." in page
    bad = dict(data, **{"categories-0-weight": "150"})
    GradingCategory.objects.all().delete()
    html = client.post(url, bad).content.decode()
    assert "100" in html.split('id="id_categories-0-weight_error"', 1)[1].split("</ul>")[0]
    assert not GradingCategory.objects.exists()


# --- the teacher's home panel ----------------------------------------------------------------


def test_the_home_panel_counts_work_to_grade_missing_this_week_and_next_due(
    personas: Personas,
) -> None:
    p = personas
    now = timezone.now()
    # Due earlier this week (halfway between Monday 00:00 and now), whatever day it is.
    monday = week_start(now)
    recent = assignment(p.homeroom5, "This week's sheet", points=10)
    Assignment.objects.filter(pk=recent.pk).update(
        assign_at=monday - dt.timedelta(days=1), due_at=monday + (now - monday) / 2
    )
    hand_in(recent, p.ada, days_ago=8)
    assignment(p.homeroom5, "Next reading", due_in_days=2)
    assignment(p.homeroom5, "Later reading", due_in_days=5)
    html = login(p.rivera).get("/").content.decode()
    panel = html.split('id="glance-' + str(p.homeroom5.pk) + '"', 1)[1].split("</article>", 1)[0]
    assert "piece of work waiting for feedback" in panel
    assert 'badge-danger">1<' in panel  # Maya, missing since earlier this week
    assert "Next due:" in panel
    assert "Next reading" in panel
    assert "Later reading" not in panel
    # Counts only: no student is named.
    assert "Maya" not in panel
    assert "Ada" not in panel


def test_grading_starts_with_the_first_student_who_has_work_to_grade(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Spelling", due_in_days=-1)
    hand_in(work, p.ada, days_ago=2)  # Maya Lopez comes first, but has handed in nothing
    html = login(p.rivera).get(f"/work/classes/{p.homeroom5.pk}/assignments/{work.pk}/")
    start = f'href="/work/assignments/{work.pk}/grade/{p.ada.pk}/">Grade student by student<'
    assert start in html.content.decode()
