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

from typing import IO

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.utils import timezone

from village.accounts.models import User
from village.classwork.models import (
    Assignment,
    AssignmentMaterial,
    AssignmentQuerySet,
    ClassEvent,
    Feedback,
    Rubric,
    Submission,
    Topic,
    published_q,
)
from village.community.models import Enrollment, EnrollmentRole, Role, SchoolClass, Scope
from village.community.policies import (
    AnyUser,
    IdQuery,
    administered_schools,
    guardian_children_ids,
    roles_of,
    taught_class_ids,
    teaches_class,
    today,
    visible_classes,
    visible_students,
)
from village.core.policies import one_or_404


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
    return one_or_404(
        queryset.select_related("course", "school").filter(pk=class_id), "No such class."
    )


def class_for_note_writer(user: AnyUser, class_id: int) -> SchoolClass:
    """A class ``user`` teaches or assists in, whose weekly notes they write; ``Http404`` for
    anyone else (admins of the school included: the notes are the class's teachers' own)."""
    return class_for_staff(user, class_id, manage=True)


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
    return one_or_404(
        (
            visible_assignments(user)
            .select_related("school_class", "topic", "category", "rubric")
            .filter(pk=assignment_id)
        ),
        "No such assignment.",
    )


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


def class_for_editor(user: AnyUser, class_id: int, message: str) -> SchoolClass:
    """A class ``user`` teaches, to change: ``Http404`` if they do not see it as staff,
    ``PermissionDenied`` (with ``message``) if they only view it (an admin of its school)."""
    school_class = class_for_staff(user, class_id)
    if not teaches_class(user, school_class):
        raise PermissionDenied(message)
    return school_class


def is_student_of(user: User, class_id: int) -> bool:
    """Is ``user`` currently enrolled in the class as a student?"""
    return student_class_ids([user.pk]).filter(school_class_id=class_id).exists()


def sees_as_staff(user: AnyUser, class_id: int) -> bool:
    """Does ``user`` see the class's work as staff (teaching it, or administering its school)?"""
    return staff_classes(user).filter(pk=class_id).exists()


def student_for_viewer(user: AnyUser, message: str) -> User:
    """``user`` themselves when they are a student (their own work), or ``Http404``."""
    if not isinstance(user, User) or not roles_of(user).has(Role.STUDENT):
        raise Http404(message)
    return user


def own_assignment_for_viewer(user: User, assignment_id: int) -> Assignment:
    """Published work of a class ``user`` is currently a student of, or ``Http404``."""
    assignment = assignment_for_viewer(user, assignment_id)
    if not is_student_of(user, assignment.school_class_id):
        raise Http404("No such assignment.")
    return assignment


def children_for_viewer(guardian: AnyUser, class_id: int) -> list[User]:
    """The guardian's children (links that allow classwork) currently in the class, by name;
    ``Http404`` when there are none."""
    children = guardian_children_ids(guardian, scope=Scope.CLASSWORK)
    enrolled = student_class_ids(children).filter(school_class_id=class_id)
    found = list(
        User.objects.filter(pk__in=enrolled.values("user_id"), is_active=True).order_by(
            "first_name", "last_name", "pk"
        )
    )
    if not found:
        raise Http404("No such assignment.")
    return found


# --- one object of a class loaded through ``class_for_staff`` or ``class_for_editor`` ----------


def class_assignment_for_viewer(school_class: SchoolClass, assignment_id: int) -> Assignment:
    """An active assignment of the class, or ``Http404``."""
    found = (
        Assignment.objects.filter(pk=assignment_id, school_class=school_class, status="active")
        .select_related("topic", "category", "rubric")
        .first()
    )
    if found is None:
        raise Http404("No such assignment.")
    found.school_class = school_class
    return found


def staff_assignment_for_viewer(user: AnyUser, assignment_id: int) -> Assignment:
    """An active assignment of a class ``user`` sees as staff (teaches, or administers its
    school), or ``Http404``."""
    return one_or_404(
        (
            Assignment.objects.filter(
                pk=assignment_id,
                status="active",
                school_class__in=staff_classes(user).values("pk"),
            ).select_related("school_class", "school_class__school", "topic", "category", "rubric")
        ),
        "No such assignment.",
    )


def staff_assignment_for_editor(user: AnyUser, assignment_id: int, message: str) -> Assignment:
    """As ``staff_assignment_for_viewer``, to change: ``PermissionDenied`` (with ``message``)
    for someone who only views the class's work."""
    work = staff_assignment_for_viewer(user, assignment_id)
    if not teaches_class(user, work.school_class):
        raise PermissionDenied(message)
    return work


def topic_for_editor(school_class: SchoolClass, topic_id: int) -> Topic:
    """A topic of the class, or ``Http404`` (a topic of another class included)."""
    return one_or_404(
        Topic.objects.filter(pk=topic_id, school_class=school_class), "No such topic."
    )


def event_for_editor(school_class: SchoolClass, event_id: int) -> ClassEvent:
    """An event of the class, or ``Http404`` (an event of another class included)."""
    return one_or_404(
        ClassEvent.objects.filter(pk=event_id, school_class=school_class), "No such event."
    )


def visible_rubrics(user: AnyUser) -> QuerySet[Rubric]:
    """Rubrics ``user`` may see: a class's as staff of the class (``staff_classes``: its
    teachers and aides, its school's admins), a school's own (no class) as a teacher, aide or
    admin of the school."""
    if not user.is_authenticated:
        return Rubric.objects.none()
    roles = roles_of(user)
    school_staff = Q(school_id__in=roles.orgs(Role.TEACHER) | roles.orgs(Role.AIDE))
    if roles.is_admin:
        school_staff |= Q(school_id__in=administered_schools(user).values("pk"))
    return Rubric.objects.filter(
        Q(school_class__in=staff_classes(user).values("pk"))
        | (Q(school_class__isnull=True) & school_staff)
    )


def rubric_for_editor(school_class: SchoolClass, rubric_id: int) -> Rubric:
    """A rubric of the class, or ``Http404`` (a rubric of another class included)."""
    return one_or_404(
        Rubric.objects.filter(pk=rubric_id, school_class=school_class), "No such rubric."
    )


def material_for_editor(assignment: Assignment, material_id: int) -> AssignmentMaterial:
    """A material of the assignment, or ``Http404`` (one of another assignment included)."""
    return one_or_404(
        AssignmentMaterial.objects.filter(pk=material_id, assignment=assignment),
        "No such material.",
    )


def class_student_for_viewer(class_id: int, student_id: int) -> User:
    """A current student of the class (an active account), or ``Http404`` for anyone else."""
    enrolled = Enrollment.objects.current(today()).filter(
        school_class_id=class_id, role=EnrollmentRole.STUDENT
    )
    found = User.objects.filter(
        pk=student_id, is_active=True, pk__in=enrolled.values("user_id")
    ).first()
    if found is None:
        raise Http404("No such student.")
    return found


def feedback_for_editor(assignment: Assignment, student: User) -> Feedback:
    """The feedback saved on the student's work, or ``Http404`` when there is none yet."""
    return one_or_404(
        Feedback.objects.filter(assignment=assignment, student=student), "No feedback yet."
    )


# --- files -------------------------------------------------------------------------------------


def submission_file_for_viewer(user: AnyUser, submission_id: int) -> Submission:
    """A submission with a file that ``user`` may open (``visible_submissions``), or
    ``Http404``."""
    return one_or_404(
        visible_submissions(user).filter(pk=submission_id).exclude(file=""), "No such file."
    )


def material_file_for_viewer(user: AnyUser, material_id: int) -> AssignmentMaterial:
    """A file that goes with an assignment ``user`` may see, or ``Http404``."""
    return one_or_404(
        (
            AssignmentMaterial.objects.filter(
                pk=material_id, assignment__in=visible_assignments(user)
            ).exclude(file="")
        ),
        "No such file.",
    )


def stored_file_for_viewer(field_file: FieldFile) -> IO[bytes]:
    """A file loaded through the functions above, opened for reading; ``Http404`` when the
    storage no longer has it (as absent to the viewer as a file they may not see)."""
    try:
        return field_file.storage.open(field_file.name or "", "rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404("No such file.") from error


__all__ = [
    "assignment_for_viewer",
    "children_for_viewer",
    "class_assignment_for_viewer",
    "class_for_editor",
    "class_for_staff",
    "class_student_for_viewer",
    "event_for_editor",
    "feedback_for_editor",
    "grade_scope_student_ids",
    "is_student_of",
    "material_file_for_viewer",
    "material_for_editor",
    "may_submit",
    "own_assignment_for_viewer",
    "rubric_for_editor",
    "sees_as_staff",
    "staff_assignment_for_editor",
    "staff_assignment_for_viewer",
    "staff_classes",
    "stored_file_for_viewer",
    "student_class_ids",
    "student_for_viewer",
    "submission_file_for_viewer",
    "teaches_class",
    "topic_for_editor",
    "visible_assignments",
    "visible_classes",
    "visible_rubrics",
    "visible_submissions",
]
