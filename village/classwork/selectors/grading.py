"""One assignment as its teachers see it: every student's status on it, and the grading flow."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from village.accounts.models import User
from village.classwork.models import (
    Assignment,
    AssignmentMaterial,
    Feedback,
    RubricCriterion,
    Submission,
)
from village.classwork.selectors.cells import (
    Cell,
    Student,
    Tally,
    Work,
    cell_for,
    cells,
    class_students,
    tally,
)
from village.classwork.selectors.rubrics import assessment_levels, rubric_criteria


@dataclass(frozen=True, slots=True)
class StudentWork:
    student: Student
    cell: Cell


@dataclass(frozen=True)
class AssignmentPage:
    assignment: Assignment
    work: Work
    materials: list[AssignmentMaterial]
    criteria: list[RubricCriterion]
    rows: list[StudentWork]
    tally: Tally

    @property
    def first_to_grade(self) -> Student | None:
        """Where grading starts: the first student with work to grade, else the first one."""
        waiting = (row.student for row in self.rows if row.cell.needs_grading)
        return next(waiting, self.rows[0].student if self.rows else None)


def _work_of(assignment: Assignment, now: dt.datetime) -> Work:
    return Work(
        id=assignment.pk,
        class_id=assignment.school_class_id,
        title=assignment.title,
        assign_at=assignment.assign_at,
        due_at=assignment.due_at,
        points=assignment.points,
        category_id=assignment.category_id,
        topic_title=assignment.topic.title if assignment.topic else "",
        has_rubric=assignment.rubric_id is not None,
        visible_to_families=assignment.visible_to_families,
        published=assignment.assign_at <= now,
    )


def student_work(assignment: Assignment, *, now: dt.datetime) -> tuple[Work, list[StudentWork]]:
    """Every current student of the class with their cell on the assignment (three queries)."""
    work = _work_of(assignment, now)
    students = class_students([assignment.school_class_id])[assignment.school_class_id]
    found = cells([work], [s.id for s in students], now)
    return work, [StudentWork(s, cell_for(found, work, s.id, now)) for s in students]


def assignment_page(assignment: Assignment, *, now: dt.datetime) -> AssignmentPage:
    """The assignment with its materials and rubric, and every student's status. Six queries."""
    work, rows = student_work(assignment, now=now)
    students = [row.student for row in rows]
    found = {(work.id, row.student.id): row.cell for row in rows}
    return AssignmentPage(
        assignment=assignment,
        work=work,
        materials=list(assignment.materials.all()),
        criteria=rubric_criteria(assignment),
        rows=rows,
        tally=tally(work, students, found, now),
    )


@dataclass(frozen=True)
class GradingPage:
    assignment: Assignment
    work: Work
    student: User
    cell: Cell
    position: int
    total: int
    previous_id: int | None
    next_id: int | None
    next_ungraded_id: int | None
    submissions: list[Submission]
    feedback: Feedback | None
    criteria: list[RubricCriterion]
    chosen_levels: dict[int, int]


def grading_page(assignment: Assignment, student: User, *, now: dt.datetime) -> GradingPage:
    """One student's work on the assignment (every attempt, latest first), the feedback saved so
    far and the rubric, with the students before and after and the next one with work to grade.

    ``student`` is a current student of the class (``policies.class_student_for_viewer``)."""
    student_id = student.pk
    work, rows = student_work(assignment, now=now)
    index = [row.student.id for row in rows].index(student_id)
    later = rows[index + 1 :] + rows[:index]
    feedback = Feedback.objects.filter(assignment=assignment, student_id=student_id).first()
    chosen = (
        assessment_levels(feedback.assessment_id)
        if feedback is not None and assignment.rubric_id is not None
        else {}
    )
    return GradingPage(
        assignment=assignment,
        work=work,
        student=student,
        cell=rows[index].cell,
        position=index + 1,
        total=len(rows),
        previous_id=rows[index - 1].student.id if index > 0 else None,
        next_id=rows[index + 1].student.id if index + 1 < len(rows) else None,
        next_ungraded_id=next((r.student.id for r in later if r.cell.needs_grading), None),
        submissions=list(
            Submission.objects.filter(assignment=assignment, student_id=student_id).order_by(
                "-attempt"
            )
        ),
        feedback=feedback,
        criteria=rubric_criteria(assignment),
        chosen_levels=chosen,
    )
