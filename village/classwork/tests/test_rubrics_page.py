"""The class's rubrics page: the list (criteria, levels, points, the work each grades), writing and
editing a rubric (only its title once work was scored on it), deleting one no work uses (a
confirmation page first, which changes nothing), and the services behind them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from village.accounts.models import User
from village.classwork.models import Assignment, Rubric, RubricCriterion, RubricLevel
from village.classwork.services.assignments import assignment_create
from village.classwork.services.feedback import feedback_save
from village.classwork.services.rubrics import (
    CriterionSpec,
    LevelSpec,
    rubric_create,
    rubric_delete,
    rubric_max_points,
    rubric_update,
)
from village.classwork.tests.factories import feedback, version_tokens
from village.community.models import SchoolClass
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

D = Decimal
#: A rubric's criteria as (title, description, [(level, points, description)]).
Rows = list[tuple[str, str, list[tuple[str, Decimal, str]]]]


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def levels(*points: int) -> list[LevelSpec]:
    names = ["Excellent", "Good", "Developing", "Beginning"]
    return [LevelSpec(title=names[i], points=D(p)) for i, p in enumerate(points)]


def lab_rubric(school_class: SchoolClass, title: str = "Lab report") -> Rubric:
    """Two criteria, the best levels worth 4 and 6: out of 10."""
    return rubric_create(
        school_class=school_class,
        title=title,
        criteria=[
            CriterionSpec(title="Hypothesis", levels=levels(4, 3, 2, 1)),
            CriterionSpec(title="Evidence", levels=levels(6, 4, 2)),
        ],
    )


def graded_with(rubric: Rubric, title: str = "Lab") -> Assignment:
    assert rubric.school_class is not None
    return assignment_create(
        school_class=rubric.school_class, title=title, created_by=None, rubric=rubric
    )


def score_on(work: Assignment, student: User) -> None:
    """A draft: the best level of every criterion (drafts count as scored)."""
    assert work.rubric is not None
    feedback_save(
        assignment=work,
        student=student,
        graded_by=None,
        rubric_levels={c.pk: c.levels.all()[0].pk for c in work.rubric.criteria.all()},
    )


def rows_of(rubric: Rubric) -> tuple[str, Rows]:
    """What the database holds of a rubric: its title and its criteria with their levels."""
    title = Rubric.objects.get(pk=rubric.pk).title
    return title, [
        (
            c.title,
            c.description,
            [(lv.title, lv.points, lv.description) for lv in c.levels.all()],
        )
        for c in RubricCriterion.objects.filter(rubric=rubric).prefetch_related("levels")
    ]


def everything() -> tuple[object, ...]:
    """Every rubric, criterion and level, and the rubric and points of every piece of work."""
    return (
        sorted(Rubric.objects.values_list("pk", "title", "school_class_id")),
        sorted(RubricCriterion.objects.values_list("pk", "rubric_id", "title", "position")),
        sorted(RubricLevel.objects.values_list("pk", "criterion_id", "title", "points")),
        sorted(Assignment.objects.values_list("pk", "rubric_id", "points")),
    )


def form_data(title: str, criteria: Rows, *, levels_count: int = 4) -> dict[str, Any]:
    """The rubric form as a browser sends it: rows left empty are sent empty."""
    data: dict[str, Any] = {
        "title": title,
        "criteria_count": str(max(3, len(criteria))),
        "levels_count": str(levels_count),
    }
    for row in range(1, max(3, len(criteria)) + 1):
        criterion = criteria[row - 1] if row <= len(criteria) else ("", "", [])
        data[f"criterion_{row}"] = criterion[0]
        data[f"criterion_{row}_description"] = criterion[1]
        for number in range(1, levels_count + 1):
            level = criterion[2][number - 1] if number <= len(criterion[2]) else ("", "", "")
            data[f"criterion_{row}_level_{number}"] = level[0]
            data[f"criterion_{row}_points_{number}"] = str(level[1])
            data[f"criterion_{row}_description_{number}"] = level[2]
    return data


def field_error(html: str, field: str) -> str:
    """The error list shown under a field (empty if there is none)."""
    parts = html.split(f'id="id_{field}_error"', 1)
    return parts[1].split("</ul>", 1)[0] if len(parts) == 2 else ""


def rubrics_url(school_class: SchoolClass, rest: str = "") -> str:
    return f"/work/classes/{school_class.pk}/rubrics/{rest}"


POSTER: Rows = [
    (
        "Design",
        "Layout and colour",
        [("Striking", D(5), "Draws the eye"), ("Clear", D(3), ""), ("Busy", D(1), "")],
    ),
    ("Facts", "", [("All right", D("2.5"), ""), ("Some wrong", D(0), "")]),
]
POSTER_SPECS = [
    CriterionSpec(title, [LevelSpec(*level) for level in rows], description)
    for title, description, rows in POSTER
]


# --- the list --------------------------------------------------------------------------------


def test_the_page_lists_the_class_rubrics_with_levels_points_and_the_work_using_them(
    personas: Personas,
) -> None:
    p = personas
    lab, quiz = lab_rubric(p.science8), lab_rubric(p.science8, "Quiz rubric")
    graded_with(lab, "Lab 1")
    graded_with(lab, "Lab 2")
    lab_rubric(p.homeroom5, "Homeroom rubric")
    client = login(p.rivera)

    response = client.get(rubrics_url(p.science8))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Homeroom rubric" not in html
    lab_part, quiz_part = html.split('id="rubric-')[1:3]  # in title order
    assert lab_part.startswith(f'{lab.pk}">Lab report</h2>')
    assert "Out of 10 points · used by 2 pieces of work" in lab_part
    assert '<th scope="row">Hypothesis</th>' in lab_part
    assert "<li>Excellent · 4 points</li><li>Good · 3 points</li>" in lab_part
    assert "<li>Excellent · 6 points</li>" in lab_part
    assert quiz_part.startswith(f'{quiz.pk}">Quiz rubric</h2>')
    assert "Out of 10 points · not used by any work yet" in quiz_part
    assert f'href="{rubrics_url(p.science8, "new/")}"' in html
    for rubric in (lab, quiz):
        assert f'href="{rubrics_url(p.science8, f"{rubric.pk}/")}"' in html
        assert f'href="{rubrics_url(p.science8, f"{rubric.pk}/delete/")}"' in html
    # the class's other management pages link to it
    settings_page = client.get(f"/work/classes/{p.science8.pk}/settings/").content.decode()
    assert f'href="{rubrics_url(p.science8)}"' in settings_page


def test_the_list_costs_the_same_however_many_rubrics_criteria_and_uses(
    personas: Personas,
) -> None:
    p = personas
    graded_with(lab_rubric(p.homeroom5))
    for number in range(8):
        rubric = lab_rubric(p.science8, f"Rubric {number}")
        for piece in range(number % 3):
            work = graded_with(rubric, f"Work {number}.{piece}")
            if piece:
                score_on(work, p.leo)
    client = login(p.rivera)

    def queries(school_class: SchoolClass) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(rubrics_url(school_class)).status_code == 200
        return len(captured.captured_queries)

    one = queries(p.homeroom5)
    assert queries(p.science8) == one
    html = client.get(rubrics_url(p.science8)).content.decode()
    assert html.count("used by 2 pieces of work") == 2
    assert html.count("work was scored on it: only its title can change") == 2


# --- writing a rubric ------------------------------------------------------------------------


def test_a_teacher_writes_a_rubric_with_criteria_and_levels(personas: Personas) -> None:
    p = personas
    client = login(p.rivera)
    assert client.get(rubrics_url(p.science8, "new/")).status_code == 200
    before = version_tokens([p.leo.pk])

    response = client.post(rubrics_url(p.science8, "new/"), form_data(" Poster ", POSTER))

    assert response.status_code == 302
    assert response["Location"] == rubrics_url(p.science8)
    rubric = Rubric.objects.get()
    assert rubric.school_class_id == p.science8.pk
    assert rows_of(rubric) == ("Poster", POSTER)
    assert rubric_max_points(rubric) == D("7.5")
    assert version_tokens([p.leo.pk]) == before  # no work uses it: nothing to see
    listed = client.get(response["Location"]).content.decode()
    assert "“Poster” is saved." in listed
    assert "Out of 7.50 points" in listed
    assert '<li>Striking · 5 points<span class="help">Draws the eye</span></li>' in listed


def test_more_criteria_and_more_levels_show_the_form_again_and_save_nothing(
    personas: Personas,
) -> None:
    p = personas
    data = form_data("Poster", POSTER) | {"more_criteria": "1"}
    html = login(p.rivera).post(rubrics_url(p.science8, "new/"), data).content.decode()
    assert 'name="criterion_5"' in html
    assert 'value="Striking"' in html
    data = form_data("Poster", POSTER) | {"more_levels": "1"}
    html = login(p.rivera).post(rubrics_url(p.science8, "new/"), data).content.decode()
    assert 'name="criterion_1_level_5"' in html
    assert not Rubric.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": "  "}, "title", "This field is required."),
        (
            {f"criterion_1_{k}_{n}": "" for k in ("level", "points") for n in range(1, 5)},
            "criteria_count",
            "“Design” needs at least one level.",
        ),
        ({"criterion_2_points_2": "-1"}, "criterion_2_points_2", "greater than or equal to 0"),
        ({"criterion_2_points_1": ""}, "criterion_2_points_1", "Give this level points"),
        ({"criterion_2_level_1": ""}, "criterion_2_level_1", "Give this level a name."),
        ({"criterion_1": ""}, "criterion_1", "Give this criterion a title."),
        (
            {f"criterion_{r}{k}": "" for r in (1, 2) for k in ("", "_description")},
            "criteria_count",
            "A rubric needs at least one criterion.",
        ),
    ],
)
def test_bad_input_shows_the_field_error_and_writes_nothing(
    personas: Personas, change: dict[str, str], field: str, message: str
) -> None:
    p = personas
    lab = lab_rubric(p.science8)
    graded_with(lab)
    before = everything()
    client = login(p.rivera)

    for url in (rubrics_url(p.science8, "new/"), rubrics_url(p.science8, f"{lab.pk}/")):
        response = client.post(url, form_data("Poster", POSTER) | change)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert message in field_error(html, field), url
        assert "Please correct the fields marked below." in html
        assert everything() == before, url


def test_the_services_check_a_rubric_and_write_nothing_on_bad_input(personas: Personas) -> None:
    p = personas
    lab = lab_rubric(p.science8)
    before = everything()
    bad: list[tuple[str, list[CriterionSpec], str]] = [
        ("  ", [CriterionSpec(title="Design", levels=levels(2))], "title"),
        ("Poster", [], "criteria"),
        ("Poster", [CriterionSpec(title="Design", levels=[])], "criteria"),
        ("Poster", [CriterionSpec(title="Design", levels=[LevelSpec("Bad", D(-1))])], "criteria"),
        ("x" * 201, [CriterionSpec(title="Design", levels=levels(2))], "title"),
    ]
    for title, criteria, field in bad:
        with pytest.raises(ValidationError) as refused:
            rubric_update(rubric=lab, title=title, criteria=criteria)
        assert set(refused.value.message_dict) == {field}, (title, criteria)
        lab.refresh_from_db()
    assert everything() == before


# --- editing a rubric ------------------------------------------------------------------------


def test_the_title_and_levels_of_an_unused_rubric_change(personas: Personas) -> None:
    p = personas
    lab, other = lab_rubric(p.science8), lab_rubric(p.science8, "Other")
    other_before = rows_of(other)
    url = rubrics_url(p.science8, f"{lab.pk}/")
    client = login(p.rivera)

    page = client.get(url).content.decode()
    assert "Edit “Lab report”" in page
    assert 'name="title" value="Lab report"' in page
    assert 'name="criterion_2" value="Evidence"' in page
    assert 'name="criterion_2_points_3" value="2.00"' in page
    # Evidence has three levels: its fourth row starts empty, not with a suggested level
    level_4 = page.split('name="criterion_2_level_4"', 1)[1].split(">", 1)[0]
    assert "value=" not in level_4
    assert "Delete this rubric" in page

    response = client.post(url, form_data("Poster rubric", POSTER))

    assert response.status_code == 302
    assert response["Location"] == rubrics_url(p.science8)
    assert rows_of(lab) == ("Poster rubric", POSTER)
    assert rows_of(other) == other_before


def test_changing_levels_moves_the_points_of_the_work_graded_with_the_rubric(
    personas: Personas,
) -> None:
    p = personas
    lab = lab_rubric(p.science8)
    work, elsewhere = graded_with(lab), graded_with(lab_rubric(p.science8, "Other"))
    assert work.points == D(10)
    before = version_tokens([p.leo.pk, p.ada.pk])
    client = login(p.rivera)
    page = client.get(rubrics_url(p.science8, f"{lab.pk}/")).content.decode()
    assert "1 piece of work is graded with this rubric" in page

    response = client.post(rubrics_url(p.science8, f"{lab.pk}/"), form_data("Lab", POSTER))

    assert response.status_code == 302
    assert Assignment.objects.get(pk=work.pk).points == D("7.5")
    assert Assignment.objects.get(pk=elsewhere.pk).points == D(10)
    after = version_tokens([p.leo.pk, p.ada.pk])
    assert after[p.leo.pk][0] != before[p.leo.pk][0]  # Leo's family sees the new points
    assert after[p.ada.pk] == before[p.ada.pk]  # not in the class


def test_levels_cannot_drop_below_a_grade_already_given(personas: Personas) -> None:
    p = personas
    lab = lab_rubric(p.science8)
    work = graded_with(lab)
    feedback(work, p.leo, score=9)  # a grade without rubric scores (e.g. imported)
    before = everything()
    with pytest.raises(ValidationError) as refused:
        rubric_update(
            rubric=lab, title="Lab", criteria=[CriterionSpec(title="All", levels=levels(5, 1))]
        )
    assert refused.value.message_dict == {
        "criteria": ["Some grades already given are higher than 5 points."]
    }
    assert everything() == before


def test_a_scored_rubric_keeps_its_levels_but_its_title_changes(personas: Personas) -> None:
    p = personas
    lab = lab_rubric(p.science8)
    work = graded_with(lab)
    url = rubrics_url(p.science8, f"{lab.pk}/")
    client = login(p.rivera)
    stale = client.get(url).content.decode()  # opened before the work was scored
    assert 'name="criterion_1"' in stale
    score_on(work, p.leo)
    _title, criteria = rows_of(lab)
    before = everything()
    refusal = (
        "Work was already scored on this rubric, so its criteria and levels cannot change: "
        "only its title can."
    )

    page = client.get(url).content.decode()
    assert refusal + " To grade differently, write a new rubric." in page
    assert 'name="criterion_1"' not in page
    assert '<th scope="row">Hypothesis</th>' in page

    changed = client.post(url, form_data("Renamed", POSTER))  # the stale form, sent
    assert changed.status_code == 200
    assert refusal in field_error(changed.content.decode(), "criteria_count")
    assert everything() == before
    with pytest.raises(ValidationError) as refused:
        rubric_update(rubric=lab, title="Renamed", criteria=POSTER_SPECS)
    assert refused.value.message_dict == {"criteria": [refusal]}
    lab.refresh_from_db()
    assert everything() == before

    renamed = client.post(url, {"title": "Lab report (2025)"})  # the page as it is now
    assert renamed.status_code == 302
    assert rows_of(lab) == ("Lab report (2025)", criteria)
    assert Assignment.objects.get(pk=work.pk).points == D(10)
    # the same criteria sent again are no change
    same = [CriterionSpec(t, [LevelSpec(*lv) for lv in lvs], d) for t, d, lvs in criteria]
    rubric_update(rubric=lab, title="Lab", criteria=same)
    assert rows_of(lab) == ("Lab", criteria)


# --- deleting a rubric -----------------------------------------------------------------------


def test_an_unused_rubric_is_deleted_after_confirming(personas: Personas) -> None:
    p = personas
    lab, other = lab_rubric(p.science8), lab_rubric(p.science8, "Other")
    url = rubrics_url(p.science8, f"{lab.pk}/delete/")
    client = login(p.rivera)

    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == rubrics_url(p.science8)
    assert list(Rubric.objects.values_list("pk", flat=True)) == [other.pk]
    assert not RubricCriterion.objects.filter(rubric_id=lab.pk).exists()
    assert RubricLevel.objects.count() == 7  # the other rubric's
    assert "“Lab report” is deleted." in client.get(response["Location"]).content.decode()
    assert client.post(url).status_code == 404  # gone


def test_the_confirmation_page_changes_nothing(personas: Personas) -> None:
    p = personas
    unused, used = lab_rubric(p.science8), lab_rubric(p.science8, "Used")
    graded_with(used)
    before, tokens = everything(), version_tokens([p.leo.pk])
    client = login(p.rivera)

    page = client.get(rubrics_url(p.science8, f"{unused.pk}/delete/")).content.decode()
    assert "Delete “Lab report”?" in page
    assert '<button type="submit" class="button">Delete rubric</button>' in page
    page = client.get(rubrics_url(p.science8, f"{used.pk}/delete/")).content.decode()
    assert "1 piece of work is graded with this rubric, so it cannot be deleted." in page
    assert "Delete rubric</button>" not in page

    assert everything() == before
    assert version_tokens([p.leo.pk]) == tokens


def test_deleting_a_rubric_work_uses_is_refused_and_changes_nothing(personas: Personas) -> None:
    p = personas
    lab = lab_rubric(p.science8)
    graded_with(lab, "Lab 1")
    graded_with(lab, "Lab 2")
    before, tokens = everything(), version_tokens([p.leo.pk])

    response = login(p.rivera).post(rubrics_url(p.science8, f"{lab.pk}/delete/"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<div class="notice notice-error" role="alert">' in html
    assert "“Lab report” is used by 2 pieces of work, so it cannot be deleted." in html
    with pytest.raises(ValidationError) as refused:
        rubric_delete(rubric=lab)
    assert set(refused.value.message_dict) == {"rubric"}
    assert everything() == before
    assert version_tokens([p.leo.pk]) == tokens


# --- whose rubrics ---------------------------------------------------------------------------


def test_a_rubric_of_another_class_in_the_url_is_404(personas: Personas) -> None:
    p = personas
    science, math = lab_rubric(p.science8), lab_rubric(p.math8, "Math rubric")
    before = everything()
    client = login(p.rivera)  # teaches homeroom 5 and science 8
    for school_class, rubric in ((p.homeroom5, science), (p.science8, math)):
        for rest in (f"{rubric.pk}/", f"{rubric.pk}/delete/"):
            url = rubrics_url(school_class, rest)
            assert client.get(url).status_code == 404, url
            assert client.post(url, form_data("Taken", POSTER)).status_code == 404, url
    assert everything() == before
