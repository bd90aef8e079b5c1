"""The gradebook reads its times from the database as integers to stay fast; what it shows must
still be exactly what ``status.work_status`` and the per-pair ``cells`` say, to the microsecond:
handing in right at the due time or right at the return, a microsecond after, resubmitting after
feedback came back, excused work, drafts, work without a due date, scheduled work."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal

import pytest
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from village.accounts.models import User
from village.classwork.grades import ScoredWork, course_grade
from village.classwork.models import Assignment, Feedback, GradingCategory, Submission
from village.classwork.selectors import gradebook as gradebook_reads
from village.classwork.selectors.cells import cell_for, cells, class_students
from village.classwork.selectors.gradebook import (
    Gradebook,
    GradebookCell,
    Microseconds,
    microseconds,
)
from village.classwork.status import WorkStatus, work_status
from village.community import services as community
from village.community.models import EnrollmentRole, Role, SchoolClass
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

D = Decimal
US = dt.timedelta(microseconds=1)
_numbers = itertools.count(1)


def pupil(p: Personas, school_class: SchoolClass, name: str) -> User:
    student = community.person_create(
        username=f"gb-{name.lower()}-{next(_numbers)}",
        first_name=name,
        last_name="Test",
        role=Role.STUDENT,
        organisation=p.school,
    )
    community.enrollment_add(user=student, school_class=school_class, role=EnrollmentRole.STUDENT)
    return student


class Book:
    """A class where every way a piece of work can stand occurs at least once."""

    def __init__(self, p: Personas) -> None:
        # A fixed fraction, and a moment past: the page, asked later, sees the same statuses.
        now = (timezone.now() - dt.timedelta(seconds=2)).replace(microsecond=654321)
        self.now = now
        course = community.course_create(organisation=p.school, title="Equivalence")
        self.school_class = community.class_create(
            course=course, school=p.school, title="Equivalence", terms=[p.term]
        )
        community.enrollment_add(
            user=p.rivera, school_class=self.school_class, role=EnrollmentRole.TEACHER
        )
        homework = GradingCategory.objects.create(
            school_class=self.school_class, name="Homework", weight=D(40)
        )
        tests = GradingCategory.objects.create(
            school_class=self.school_class, name="Tests", weight=D(60)
        )

        def work(title: str, due: dt.datetime | None, **fields: object) -> Assignment:
            values: dict[str, object] = {
                "school_class": self.school_class,
                "title": title,
                "assign_at": now - dt.timedelta(days=40),
                "due_at": due,
                "points": D(10),
                "category": homework,
            }
            values.update(fields)
            return Assignment.objects.create(**values)

        due = now - dt.timedelta(days=3)
        whole = (now - dt.timedelta(days=2)).replace(microsecond=0)
        self.past = work("Past", due)
        self.whole = work("Due on a whole second", whole, category=tests, points=D("12.5"))
        self.at_now = work("Due right now", now)
        self.undated = work("No due date", None, category=tests)
        self.unscored = work("No points", due - dt.timedelta(days=1), points=None)
        self.later = work("Due later", now + dt.timedelta(days=2))
        self.scheduled = work(
            "Scheduled", now + dt.timedelta(days=9), assign_at=now + dt.timedelta(days=1)
        )
        # Due at noon, local time (whatever the daylight saving), a week apart: each week's
        # grade lands in a week of its own.
        noon = timezone.localtime(now).replace(hour=12, minute=0, second=0, microsecond=0)
        self.weekly = [
            work(
                f"Week {k}", noon - dt.timedelta(days=36 - 7 * k), category=[homework, tests][k % 2]
            )
            for k in range(4)
        ]
        names = ["On", "Late", "Again", "Back", "Excused", "Draft", "Paper", "Quiet"]
        self.students = {name: pupil(p, self.school_class, name) for name in names}
        s = self.students
        returned = now - dt.timedelta(days=1)

        def hand_in(work: Assignment, student: User, at: dt.datetime, attempt: int = 1) -> None:
            Submission.objects.create(
                assignment=work, student=student, attempt=attempt, submitted_at=at
            )

        def feedback(work: Assignment, student: User, **fields: object) -> None:
            Feedback.objects.create(assignment=work, student=student, **fields)

        # Right at the due time is on time; a microsecond later is late.
        hand_in(self.past, s["On"], due)
        hand_in(self.whole, s["On"], whole)
        hand_in(self.at_now, s["On"], now)
        hand_in(self.past, s["Late"], due + US)
        hand_in(self.whole, s["Late"], whole + US)
        # Handed in again a microsecond after the feedback came back / right at it.
        hand_in(self.past, s["Again"], due - dt.timedelta(days=1))
        feedback(self.past, s["Again"], score=D(7), returned_at=returned)
        hand_in(self.past, s["Again"], returned + US, attempt=2)
        hand_in(self.undated, s["Again"], returned - dt.timedelta(hours=1))
        feedback(self.undated, s["Again"], score=D(9), returned_at=returned)
        hand_in(self.undated, s["Again"], returned + US, attempt=2)
        hand_in(self.past, s["Back"], due - dt.timedelta(hours=1))
        feedback(self.past, s["Back"], score=D("8.25"), returned_at=returned)
        hand_in(self.past, s["Back"], returned, attempt=2)
        feedback(self.undated, s["Back"], score=None, returned_at=returned)
        # Excused, with or without work handed in, with a grade or not.
        hand_in(self.past, s["Excused"], due - dt.timedelta(hours=2))
        feedback(self.past, s["Excused"], excused=True, score=D(5), returned_at=returned)
        feedback(self.whole, s["Excused"], excused=True)
        # Drafts: on work handed in, on work not handed in, on work not due yet.
        hand_in(self.past, s["Draft"], due - dt.timedelta(hours=3))
        feedback(self.past, s["Draft"], score=D(6))
        feedback(self.whole, s["Draft"], score=D(4))
        feedback(self.later, s["Draft"], score=D(3))
        hand_in(self.unscored, s["Draft"], due + dt.timedelta(hours=1))
        feedback(self.unscored, s["Draft"], score=D(2), returned_at=returned)
        # Graded on paper, nothing handed in; work on scheduled work does not show yet.
        feedback(self.past, s["Paper"], score=D(10), returned_at=due)
        feedback(self.scheduled, s["Paper"], score=D(10), returned_at=returned)
        hand_in(self.scheduled, s["Paper"], now - dt.timedelta(hours=1))
        # Weeks of graded work, for the course grade and its trend.
        scores: dict[str, list[str]] = {
            "On": ["10", "10", "10", "10"],
            "Late": ["9", "9", "8", "8"],
            "Again": ["4", "6", "8", "9.5"],
            "Paper": ["9", "5", "3", "1"],  # low, and going down
        }
        for k, weekly in enumerate(self.weekly):
            assert weekly.due_at is not None
            for hours, (name, points) in enumerate(scores.items(), start=1):
                at = weekly.due_at - dt.timedelta(hours=hours)
                hand_in(weekly, s[name], at)
                score = D(points[k])
                feedback(weekly, s[name], score=score, returned_at=at + dt.timedelta(days=1))
        # Someone who left the class: their work is not in the gradebook.
        gone = pupil(p, self.school_class, "Gone")
        hand_in(self.past, gone, due)
        gone.is_active = False
        gone.save(update_fields=["is_active"])


def gradebook(book: Book) -> Gradebook:
    return gradebook_reads.gradebook(
        book.school_class, now=book.now, tz=timezone.get_current_timezone()
    )


def test_every_cell_has_the_status_work_status_gives_it(personas: Personas) -> None:
    book = Book(personas)
    result = gradebook(book)
    latest = {
        (a, s): at
        for a, s, at in Submission.objects.values("assignment_id", "student_id")
        .annotate(at=Max("submitted_at"))
        .values_list("assignment_id", "student_id", "at")
        .order_by()
    }
    feedback = {
        (a, s): (returned_at, excused)
        for a, s, returned_at, excused in Feedback.objects.values_list(
            "assignment_id", "student_id", "returned_at", "excused"
        )
    }
    seen = set()
    for row in result.rows:
        for work, cell in zip(result.columns, row.cells, strict=True):
            returned_at, excused = feedback.get((work.id, row.student.id), (None, False))
            expected = (
                work_status(
                    due_at=work.due_at,
                    submitted_at=latest.get((work.id, row.student.id)),
                    returned_at=returned_at,
                    excused=excused,
                    now=book.now,
                )
                if work.published
                else WorkStatus.NOT_YET_DUE
            )
            assert cell.status == expected, (work.title, row.student.name)
            seen.add(cell.status)
    assert seen == set(WorkStatus)


def test_cells_counts_and_grades_are_those_of_the_per_pair_cells(personas: Personas) -> None:
    """The gradebook agrees with ``cells``/``cell_for`` (the stream's and the assignment page's
    reading), and its course grades with ``course_grade`` over the returned, scored work."""
    book = Book(personas)
    result = gradebook(book)
    tz = timezone.get_current_timezone()
    students = class_students([book.school_class.pk])[book.school_class.pk]
    assert [row.student for row in result.rows] == students
    published = [work for work in result.columns if work.published]
    found = cells(published, [s.id for s in students], book.now)
    weights = dict(
        GradingCategory.objects.filter(school_class=book.school_class).values_list("pk", "weight")
    )
    for row in result.rows:
        expected = []
        scored = []
        for work in result.columns:
            if not work.published:
                expected.append(GradebookCell(WorkStatus.NOT_YET_DUE))
                continue
            cell = cell_for(found, work, row.student.id, book.now)
            expected.append(GradebookCell(cell.status, cell.score, cell.draft))
            if cell.returned_at and not cell.excused and cell.score is not None and work.points:
                scored.append(
                    ScoredWork(work.category_id, cell.score, work.points, cell.returned_at)
                )
        assert row.cells == expected, row.student.name
        assert row.missing == sum(c.status == WorkStatus.MISSING for c in expected)
        assert row.late == sum(c.status == WorkStatus.LATE for c in expected)
        assert row.grade == course_grade(scored, weights, tz=tz), row.student.name


def test_the_edge_cases_show_as_a_teacher_expects(personas: Personas) -> None:
    book = Book(personas)
    result = gradebook(book)
    by_name = {row.student.name.split()[0]: row for row in result.rows}
    column = {work.id: index for index, work in enumerate(result.columns)}

    def cell(name: str, work: Assignment) -> GradebookCell:
        return by_name[name].cells[column[work.pk]]

    assert cell("On", book.past).status == WorkStatus.SUBMITTED
    assert cell("On", book.whole).status == WorkStatus.SUBMITTED
    assert cell("On", book.at_now).status == WorkStatus.SUBMITTED
    assert cell("Quiet", book.at_now).status == WorkStatus.NOT_YET_DUE
    assert cell("Late", book.past).status == WorkStatus.LATE
    assert cell("Late", book.whole).status == WorkStatus.LATE
    assert cell("Again", book.past) == GradebookCell(WorkStatus.LATE, D(7))
    assert cell("Again", book.undated) == GradebookCell(WorkStatus.SUBMITTED, D(9))
    assert cell("Back", book.past) == GradebookCell(WorkStatus.GRADED, D("8.25"))
    assert cell("Back", book.undated) == GradebookCell(WorkStatus.GRADED)
    assert cell("Excused", book.past).status == WorkStatus.EXCUSED
    assert cell("Excused", book.whole).status == WorkStatus.EXCUSED
    assert cell("Draft", book.past) == GradebookCell(WorkStatus.SUBMITTED, D(6), draft=True)
    assert cell("Draft", book.whole) == GradebookCell(WorkStatus.MISSING, D(4), draft=True)
    assert cell("Draft", book.later) == GradebookCell(WorkStatus.NOT_YET_DUE, D(3), draft=True)
    assert cell("Paper", book.past) == GradebookCell(WorkStatus.GRADED, D(10))
    assert cell("Paper", book.scheduled) == GradebookCell(WorkStatus.NOT_YET_DUE)
    assert cell("Quiet", book.past).status == WorkStatus.MISSING
    assert cell("Quiet", book.undated).status == WorkStatus.NOT_YET_DUE
    assert "Gone" not in by_name
    assert by_name["Paper"].grade.percent is not None
    assert by_name["Quiet"].grade.percent is None


def test_the_database_counts_microseconds_as_python_does(personas: Personas) -> None:
    """Whole seconds (stored without a fraction on SQLite), fractions, and the latest of several
    attempts."""
    student, work = (
        personas.ada,
        Assignment.objects.create(
            school_class=personas.homeroom5,
            title="Clock",
            assign_at=timezone.now() - dt.timedelta(days=1),
        ),
    )
    base = dt.datetime(2026, 3, 8, 7, 59, 59, tzinfo=dt.UTC)
    moments = [base, base + US, base + 999_999 * US, base + dt.timedelta(days=300, microseconds=5)]
    for attempt, moment in enumerate(moments, start=1):
        Submission.objects.create(
            assignment=work, student=student, attempt=attempt, submitted_at=moment
        )
    read = list(
        Submission.objects.filter(assignment=work)
        .order_by("attempt")
        .values_list(Microseconds("submitted_at"), flat=True)
    )
    assert read == [microseconds(moment) for moment in moments]
    latest = (
        Submission.objects.filter(assignment=work)
        .values("assignment_id")
        .annotate(at=Microseconds(Max("submitted_at")))
        .values_list("at", flat=True)
    )
    assert list(latest) == [microseconds(max(moments))]
    assert microseconds(base) == int(base.timestamp()) * 1_000_000


def test_the_gradebook_rows_show_missing_work_low_grades_and_no_grade_yet(
    personas: Personas,
) -> None:
    """The student's and grade cells, as the template writes them."""
    book = Book(personas)
    client = Client()
    client.force_login(personas.rivera)
    html = client.get(f"/work/classes/{book.school_class.pk}/gradebook/").content.decode()
    quiet = html.split("Quiet Test", 1)[1].split("</tr>", 1)[0]
    assert quiet.startswith(' <span class="gb-count">8 missing</span></th>')
    assert (
        '<td class="gb-grade"><span class="muted">—</span>'
        '<span class="visually-hidden">no grade yet</span></td>'
    ) in quiet
    paper = html.split("Paper Test", 1)[1].split("</tr>", 1)[0]
    assert (
        '<td class="gb-grade"><span class="gb-low">47.3&nbsp;%</span>'
        '<span class="visually-hidden"> (low)</span> '
        '<span class="gb-trend gb-trend-down" aria-hidden="true">↓</span>'
        '<span class="visually-hidden">Going down</span></td>'
    ) in paper
    again = html.split("Again Test", 1)[1].split("</tr>", 1)[0]
    assert '<td class="gb-grade"><span>' in again
    assert '<span class="gb-trend" aria-hidden="true">↑</span>' in again


@pytest.mark.parametrize(
    ("language", "score", "points"), [("en", "8.25", "12.5"), ("es", "8,25", "12,5")]
)
def test_the_gradebook_writes_names_titles_scores_and_links_escaped(
    personas: Personas, language: str, score: str, points: str
) -> None:
    """The view fills in what the gradebook's templates render once: the students' names and
    the titles come out escaped, the scores in the teacher's language, each cell with its link."""
    book = Book(personas)
    draft = book.students["Draft"]
    draft.first_name = "<b>\"Dee\"</b> & 'Co'"
    draft.save(update_fields=["first_name"])
    book.whole.title = '<script>alert("x")</script> & more'
    book.whole.save(update_fields=["title"])
    personas.rivera.preferred_language = language
    personas.rivera.save(update_fields=["preferred_language"])
    client = Client()
    client.force_login(personas.rivera)
    html = client.get(f"/work/classes/{book.school_class.pk}/gradebook/").content.decode()
    assert "<script>alert" not in html
    assert '<b>"Dee"' not in html
    assert not re.search("[\x00-\x08]", html)
    manage = reverse("classwork:assignment_manage", args=[book.school_class.pk, book.whole.pk])
    title = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more"
    header = f'<th scope="col" class="gb-work"><a href="{manage}">{title}</a><span class="gb-meta">'
    assert header in html
    assert html.split(header, 1)[1].split("</th>", 1)[0].endswith(f" · /{points}</span>")
    name = "&lt;b&gt;&quot;Dee&quot;&lt;/b&gt; &amp; &#x27;Co&#x27; Test"
    row = html.split(f'<th scope="row" class="gb-student">{name} <span class="gb-count">', 1)[1]
    link = reverse("classwork:grade", args=[book.past.pk, draft.pk])
    assert f'<td class="gb-cell"><a href="{link}"><span class="badge badge-info">' in row
    assert '<span class="gb-draft">6*<span class="visually-hidden">' in row.split("</tr>", 1)[0]
    back = html.split("Back Test", 1)[1].split("</tr>", 1)[0]
    link = reverse("classwork:grade", args=[book.past.pk, book.students["Back"].pk])
    assert f'<td class="gb-cell"><a href="{link}">{score}</a></td>' in back
