"""Who may see and change classwork. Built on the community access policy.

- A teacher or aide of a class (current enrolment) manages its topics, assignments, rubrics and
  events, and sees and grades every student's work in it.
- Admins of the class's school (or its district) see everything teachers see, but do not grade.
- A student sees the published work of the classes they are enrolled in, and their own
  submissions and returned feedback.
- A guardian sees, for each child whose link allows ``classwork``, the published work of that
  child's classes that is marked for families, what the child handed in for it (text, link and
  file), the child's status on it and returned feedback comments; scores, rubric scores and
  course grades need the ``grades`` scope as well.
- Anyone else sees nothing: every refusal is a 404, so nothing leaks that something exists.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from village.accounts.models import User
from village.classwork.models import Assignment, AssignmentQuerySet, Submission, published_q
from village.community.models import Enrollment, EnrollmentRole, Role, SchoolClass, Scope
from village.community.policies import (
    AnyUser,
    IdQuery,
    administered_schools,
    guardian_children_ids,
    roles_of,
    taught_class_ids,
    today,
    visible_classes,
    visible_students,
)


def teaches(user: AnyUser, school_class: SchoolClass | int) -> bool:
    """Does ``user`` currently teach (or assist in) the class?"""
    class_id = school_class if isinstance(school_class, int) else school_class.pk
    return taught_class_ids(user).filter(school_class_id=class_id).exists()


def _staff_class_condition(user: AnyUser) -> Q:
    condition = Q(pk__in=taught_class_ids(user))
    if roles_of(user).is_admin:
        condition |= Q(school_id__in=administered_schools(user).values("pk"))
    return condition


def staff_classes(user: AnyUser) -> QuerySet[SchoolClass]:
    """Classes whose work ``user`` sees as staff: those they teach, and their schools' (admins)."""
    if not user.is_authenticated:
        return SchoolClass.objects.none()
    return SchoolClass.objects.filter(_staff_class_condition(user), status="active")


def class_for_staff(user: AnyUser, class_id: int, *, manage: bool = False) -> SchoolClass:
    """A class ``user`` sees as staff (``manage``: one they teach), or ``Http404``."""
    queryset = (
        SchoolClass.objects.filter(pk__in=taught_class_ids(user), status="active")
        if manage
        else staff_classes(user)
    )
    school_class = queryset.select_related("course", "school").filter(pk=class_id).first()
    if school_class is None:
        raise Http404("No such class.")
    return school_class


def student_class_ids(student_ids: IdQuery | list[int]) -> QuerySet[Enrollment]:
    """Current student enrolments of these students (a queryset of enrolments)."""
    return Enrollment.objects.current(today()).filter(
        user_id__in=student_ids, role=EnrollmentRole.STUDENT
    )


def visible_assignments(user: AnyUser) -> AssignmentQuerySet:
    """Assignments ``user`` may see.

    Staff see all of their classes' work, drafts and scheduled work included; students the
    published work of their classes; guardians the published, family-visible work of classes of
    children whose link allows classwork.
    """
    if not user.is_authenticated:
        return Assignment.objects.none()
    now = timezone.now()
    roles = roles_of(user)
    condition = Q(pk__in=[])
    if roles.is_staff_member:
        condition |= Q(school_class__in=staff_classes(user).values("pk"))
    published = published_q(now)
    if roles.has(Role.STUDENT):
        own = student_class_ids([user.pk]).values("school_class_id")
        condition |= published & Q(school_class_id__in=own)
    if roles.has(Role.GUARDIAN):
        condition |= _family_work(guardian_children_ids(user, scope=Scope.CLASSWORK))
    return Assignment.objects.filter(condition).filter(school_class__status="active")


def _family_work(children: IdQuery) -> Q:
    """Published work marked for families in the current classes of these children."""
    family = student_class_ids(children).values("school_class_id")
    return published_q(timezone.now()) & Q(visible_to_families=True, school_class_id__in=family)


def assignment_for_viewer(user: AnyUser, assignment_id: int) -> Assignment:
    assignment = (
        visible_assignments(user)
        .select_related("school_class", "topic", "category", "rubric")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        raise Http404("No such assignment.")
    return assignment


def assignment_for_teacher(user: AnyUser, assignment_id: int) -> Assignment:
    """An assignment of a class ``user`` teaches (to change or grade), or ``Http404``."""
    assignment = (
        Assignment.objects.filter(school_class_id__in=taught_class_ids(user), pk=assignment_id)
        .select_related("school_class", "topic", "category", "rubric")
        .first()
    )
    if assignment is None:
        raise Http404("No such assignment.")
    return assignment


def may_submit(user: AnyUser, assignment: Assignment) -> bool:
    """Students enrolled in the class may hand in published, active work."""
    if not user.is_authenticated or assignment.status != "active":
        return False
    if assignment.assign_at > timezone.now():
        return False
    return student_class_ids([user.pk]).filter(school_class_id=assignment.school_class_id).exists()


def visible_submissions(user: AnyUser) -> QuerySet[Submission]:
    """Submissions ``user`` may open: their own, any in classes they see as staff, and, for a
    guardian, their children's (links that allow classwork) on work they see as a family, in a
    class the child is in now."""
    if not user.is_authenticated:
        return Submission.objects.none()
    roles = roles_of(user)
    condition = Q(student_id=user.pk)
    if roles.is_staff_member:
        condition |= Q(assignment__school_class__in=staff_classes(user).values("pk"))
    if roles.has(Role.GUARDIAN):
        children = guardian_children_ids(user, scope=Scope.CLASSWORK)
        # The child's own current class: a sibling's enrolment in it does not open the work a
        # child handed in there before leaving the class.
        in_class = student_class_ids(children).filter(
            user_id=OuterRef("student_id"), school_class_id=OuterRef("assignment__school_class_id")
        )
        condition |= Q(
            Exists(in_class),
            student_id__in=children,
            assignment__in=Assignment.objects.filter(
                _family_work(children), school_class__status="active"
            ),
        )
    return Submission.objects.filter(condition)


def grade_scope_student_ids(user: AnyUser) -> QuerySet[User]:
    """Students whose scores and course grades ``user`` may see (a queryset of users)."""
    return visible_students(user, scope=Scope.GRADES)


__all__ = [
    "assignment_for_teacher",
    "assignment_for_viewer",
    "class_for_staff",
    "grade_scope_student_ids",
    "may_submit",
    "staff_classes",
    "student_class_ids",
    "teaches",
    "visible_assignments",
    "visible_classes",
    "visible_submissions",
]
