"""Who may see and change learning goals. Built on the classwork and community policies.

- **Staff**: a teacher or aide of a class (current enrolment) builds its goal sets, approves its
  students' plans, answers their efforts and confirms goals met. Admins of the class's school
  (or district) see all of that and change nothing.
- **Students** see the published sets of the classes they are enrolled in now, and their own
  plan in each: they choose, order and propose activities while the set is open for choosing
  (from ``opens_on`` until ``closes_on``), and report efforts until ``closes_on``.
- **Guardians** see, for each child whose link is usable and allows the ``goals`` area, the
  published sets of the child's current classes and the child's plan, efforts, self-reports and
  the teacher's feedback; they encourage and answer the child's requests for help at home.
- Anyone else (another family, another school, a partner) sees nothing: every refusal of
  something the user may not see is a 404; a 403 only where they see it but may not change it.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.classwork.models import Rubric
from village.classwork.policies import staff_classes, student_class_ids
from village.community.models import Role, SchoolClass, Scope
from village.community.policies import (
    AnyUser,
    guardian_children_ids,
    roles_of,
    taught_class_ids,
    teaches_class,
    today,
)
from village.community.selectors.home import guardian_links
from village.core.policies import one_or_404
from village.families.selectors import linked_child
from village.families.surface import Child
from village.goals.models import (
    Activity,
    Effort,
    Encouragement,
    Goal,
    GoalAssignment,
    GoalGroup,
    GoalSet,
    HelpRequest,
    Plan,
    PlanGoal,
)

SCOPE = Scope.GOALS


# --- staff ------------------------------------------------------------------------------------


def staff_goal_sets(user: AnyUser) -> QuerySet[GoalSet]:
    """Sets of the classes ``user`` sees as staff (teaches, or administers the school of)."""
    return GoalSet.objects.filter(school_class__in=staff_classes(user).values("pk"))


def goal_set_for_staff(user: AnyUser, set_id: int) -> GoalSet:
    return one_or_404(
        staff_goal_sets(user).select_related("school_class", "topic", "rubric").filter(pk=set_id),
        "No such goal set.",
    )


def may_edit_class(user: AnyUser, class_id: int) -> bool:
    """Does ``user`` teach (or assist in) the class now?"""
    return teaches_class(user, class_id)


def editable_class_ids(user: AnyUser) -> set[int]:
    """The classes whose goals ``user`` changes and answers (``may_edit_class`` for many at
    once; one query)."""
    return set(taught_class_ids(user).values_list("school_class_id", flat=True))


def goal_set_for_editor(user: AnyUser, set_id: int) -> GoalSet:
    """A set ``user`` may change: 404 if they do not see it, 403 if they only see it."""
    goal_set = goal_set_for_staff(user, set_id)
    if not may_edit_class(user, goal_set.school_class_id):
        raise PermissionDenied(_("Only the class's teachers change its goals."))
    return goal_set


def editable_classes(user: AnyUser) -> QuerySet[SchoolClass]:
    """The classes ``user`` adds goal sets to: those they teach now."""
    return SchoolClass.objects.filter(pk__in=taught_class_ids(user), status="active")


def goal_set_for_copier(user: AnyUser, set_id: int) -> GoalSet:
    """A set ``user`` sees as staff and may copy to a class they teach: 404 if they do not see
    it, 403 if they teach no class to copy it to (an admin)."""
    goal_set = goal_set_for_staff(user, set_id)
    if not editable_classes(user).exists():
        raise PermissionDenied(_("Only teachers copy goal sets to their classes."))
    return goal_set


def may_see_staff_pages(user: AnyUser) -> bool:
    """Does ``user`` work at a school (teaching, or administering), so has goal sets to see?"""
    return user.is_authenticated and roles_of(user).is_staff_member


def may_see_teacher_panel(user: AnyUser) -> bool:
    """Does the home page show ``user`` the teacher's goals panel: a teacher (not an admin, who
    answers nothing) with goal sets to answer for?"""
    return not roles_of(user).is_admin and staff_goal_sets(user).exists()


def group_for_editor(goal_set: GoalSet, group_id: int) -> GoalGroup:
    """A group of a set already loaded through ``goal_set_for_editor`` (or, for the student's
    own plan, ``own_goal_set_for_editor``); 404 otherwise."""
    return one_or_404(GoalGroup.objects.filter(goal_set=goal_set, pk=group_id), "No such group.")


def goal_for_editor(goal_set: GoalSet, goal_id: int) -> Goal:
    """A goal of a set already loaded through ``goal_set_for_editor``; 404 otherwise."""
    return one_or_404(
        Goal.objects.filter(goal_set=goal_set, pk=goal_id).select_related("group"),
        "No such goal.",
    )


def work_link_for_editor(goal: Goal, assignment_id: int) -> GoalAssignment:
    """The link of a piece of work to a goal already loaded through ``goal_for_editor``; 404
    when that work does not count for the goal (another class's work, say)."""
    return one_or_404(
        GoalAssignment.objects.filter(goal=goal, assignment_id=assignment_id), "No such work."
    )


def class_for_goal_editor(user: AnyUser, class_id: int) -> SchoolClass:
    """A class ``user`` teaches, to add a set to; 404 otherwise."""
    return one_or_404(
        editable_classes(user).select_related("school", "course").filter(pk=class_id),
        "No such class.",
    )


def usable_rubrics(school_class: SchoolClass) -> QuerySet[Rubric]:
    """The rubrics a set of ``school_class`` reports on: the class's own and its school's."""
    return Rubric.objects.filter(
        Q(school_class=school_class)
        | Q(school_class__isnull=True, school_id=school_class.school_id)
    )


def may_use_rubric(school_class: SchoolClass, rubric: Rubric) -> bool:
    """Is ``rubric`` one of ``usable_rubrics(school_class)``? (No query.)"""
    return rubric.school_class_id == school_class.pk or (
        rubric.school_class_id is None and rubric.school_id == school_class.school_id
    )


def staff_plans(user: AnyUser) -> QuerySet[Plan]:
    return Plan.objects.filter(goal_set__in=staff_goal_sets(user).values("pk"))


def may_see_as_staff(user: AnyUser, plan: Plan) -> bool:
    """Does ``user`` see ``plan`` as staff (and so the encouragement a teacher hid)?"""
    return staff_plans(user).filter(pk=plan.pk).exists()


def plan_for_staff(user: AnyUser, plan_id: int) -> Plan:
    return one_or_404(
        staff_plans(user)
        .select_related("goal_set__school_class", "goal_set__rubric", "student")
        .filter(pk=plan_id),
        "No such plan.",
    )


def plan_for_reviewer(user: AnyUser, plan_id: int) -> Plan:
    """A plan whose class ``user`` teaches (to approve, answer, confirm); 404/403 as above."""
    plan = plan_for_staff(user, plan_id)
    if not may_edit_class(user, plan.goal_set.school_class_id):
        raise PermissionDenied(_("Only the class's teachers answer its students' plans."))
    return plan


def plan_goal_for_reviewer(user: AnyUser, plan_goal_id: int) -> PlanGoal:
    """A goal of a plan ``user`` may answer (to confirm it met): the plan through
    ``plan_for_reviewer`` (404 when not seen, 403 when only seen)."""
    plan_id = PlanGoal.objects.filter(pk=plan_goal_id).values_list("plan_id", flat=True)
    plan = plan_for_reviewer(user, plan_id.first() or 0)
    found = plan.chosen.select_related("goal").get(pk=plan_goal_id)
    found.plan = plan
    return found


def effort_for_reviewer(user: AnyUser, effort_id: int) -> Effort:
    effort = one_or_404(
        Effort.objects.filter(plan_goal__plan__in=staff_plans(user).values("pk"))
        .select_related(
            "plan_goal__goal",
            "plan_goal__plan__student",
            "plan_goal__plan__goal_set__school_class",
            "plan_goal__plan__goal_set__rubric",
            "self_assessment",
        )
        .filter(pk=effort_id),
        "No such effort.",
    )
    if not may_edit_class(user, effort.plan_goal.plan.goal_set.school_class_id):
        raise PermissionDenied(_("Only the class's teachers answer its students' efforts."))
    return effort


def encouragement_for_moderator(user: AnyUser, encouragement_id: int) -> Encouragement:
    found = one_or_404(
        Encouragement.objects.filter(plan_goal__plan__in=staff_plans(user).values("pk"))
        .select_related("plan_goal__plan__goal_set")
        .filter(pk=encouragement_id),
        "No such encouragement.",
    )
    if not may_edit_class(user, found.plan_goal.plan.goal_set.school_class_id):
        raise PermissionDenied(_("Only the class's teachers hide an encouragement."))
    return found


# --- students and families --------------------------------------------------------------------


def _published_in(class_ids: object) -> Q:
    return Q(published=True, school_class__status="active", school_class_id__in=class_ids)


def visible_goal_sets(user: AnyUser) -> QuerySet[GoalSet]:
    """Sets ``user`` sees: staff their classes' (drafts too); students the published sets of
    their current classes; guardians those of children whose link allows goals."""
    if not user.is_authenticated:
        return GoalSet.objects.none()
    roles = roles_of(user)
    condition = Q(pk__in=[])
    if roles.is_staff_member:
        condition |= Q(school_class__in=staff_classes(user).values("pk"))
    if roles.has(Role.STUDENT):
        condition |= _published_in(student_class_ids([user.pk]).values("school_class_id"))
    if roles.has(Role.GUARDIAN):
        children = guardian_children_ids(user, scope=SCOPE)
        condition |= _published_in(student_class_ids(children).values("school_class_id"))
    return GoalSet.objects.filter(condition)


def goal_set_for_viewer(user: AnyUser, set_id: int) -> GoalSet:
    """A set ``user`` sees (``visible_goal_sets``), read with its class; 404 otherwise."""
    return one_or_404(
        visible_goal_sets(user).select_related("school_class").filter(pk=set_id),
        "No such goal set.",
    )


def student_of(user: AnyUser) -> User:
    """``user`` when they are a student (to work on their own plans), or ``Http404``."""
    if not isinstance(user, User) or not roles_of(user).has(Role.STUDENT):
        raise Http404("No such page.")
    return user


def student_goal_sets(user: AnyUser) -> QuerySet[GoalSet]:
    """The published sets of the classes ``user`` is a student of now (none for others, even
    a student who is also a guardian sees only their own classes' sets here)."""
    if not user.is_authenticated or not roles_of(user).has(Role.STUDENT):
        return GoalSet.objects.none()
    return GoalSet.objects.filter(
        _published_in(student_class_ids([user.pk]).values("school_class_id"))
    )


def own_plans(user: AnyUser) -> QuerySet[Plan]:
    """``user``'s own plans, on the sets they see as a student (``student_goal_sets``)."""
    return Plan.objects.filter(
        student_id=user.pk, goal_set__in=student_goal_sets(user).values("pk")
    )


def own_plan(user: AnyUser, goal_set: GoalSet) -> Plan | None:
    """``user``'s plan for a set loaded through ``own_goal_set`` (``None``: none yet)."""
    return own_plans(user).filter(goal_set=goal_set).first()


class GoalsHome(enum.Enum):
    """Whose goal pages a user's ``/goals/`` leads to."""

    STUDENT = "student"
    STAFF = "staff"
    FAMILY = "family"
    NONE = "none"


def goals_home(user: AnyUser) -> GoalsHome:
    """Students first (their own plans), then staff, then guardians."""
    if not user.is_authenticated:
        return GoalsHome.NONE
    roles = roles_of(user)
    if roles.has(Role.STUDENT):
        return GoalsHome.STUDENT
    if roles.is_staff_member:
        return GoalsHome.STAFF
    if roles.has(Role.GUARDIAN):
        return GoalsHome.FAMILY
    return GoalsHome.NONE


def visible_plans(user: AnyUser) -> QuerySet[Plan]:
    """Plans ``user`` sees: as staff (their classes'), as a guardian (children whose link
    allows goals), and their own as a student (on sets they see)."""
    return Plan.objects.filter(
        Q(pk__in=staff_plans(user).values("pk"))
        | Q(pk__in=family_plans(user).values("pk"))
        | Q(pk__in=own_plans(user).values("pk"))
    )


def plan_goal_for_viewer(user: AnyUser, plan_goal_id: int) -> PlanGoal:
    """A goal of a plan ``user`` sees (``visible_plans``), or 404."""
    return one_or_404(
        PlanGoal.objects.filter(
            pk=plan_goal_id, plan__in=visible_plans(user).values("pk")
        ).select_related(
            "goal", "plan__student", "plan__goal_set__school_class", "plan__goal_set__rubric"
        ),
        "No such goal.",
    )


def visible_help_requests(user: AnyUser) -> QuerySet[HelpRequest]:
    """The requests for help at home on the plans ``user`` sees (``visible_plans``)."""
    return HelpRequest.objects.filter(plan_goal__plan__in=visible_plans(user).values("pk"))


def effort_file_for_viewer(user: AnyUser, effort_id: int) -> Effort:
    """An effort with an evidence file ``user`` may open: their own (on a set they still
    see), one of a class they see as staff, or one of a child whose goals they see; 404
    otherwise."""
    return one_or_404(
        Effort.objects.filter(plan_goal__plan__in=visible_plans(user).values("pk"), pk=effort_id)
        .exclude(file="")
        .select_related("plan_goal__plan__goal_set__school_class"),
        "No such file.",
    )


def own_goal_set(user: AnyUser, set_id: int) -> GoalSet:
    """A published set of a class ``user`` is a student of now, or ``Http404``."""
    student = student_of(user)
    return one_or_404(
        student_goal_sets(student)
        .filter(pk=set_id)
        .select_related("school_class", "rubric", "topic"),
        "No such goal set.",
    )


def own_plan_goal(user: AnyUser, plan_goal_id: int) -> PlanGoal:
    """A goal of ``user``'s own plan, on a set they still see, or ``Http404``."""
    student = student_of(user)
    return one_or_404(
        PlanGoal.objects.filter(
            pk=plan_goal_id, plan__in=own_plans(student).values("pk")
        ).select_related(
            "goal__group",
            "plan__student",
            "plan__goal_set__rubric",
            "plan__goal_set__school_class",
        ),
        "No such goal.",
    )


def _while_open(goal_set: GoalSet, message: str | None) -> None:
    if not choosing_open(goal_set):
        raise PermissionDenied(
            message or _("This goal set is closed: your plan can no longer change.")
        )


def own_goal_set_for_editor(user: AnyUser, set_id: int) -> GoalSet:
    """A set of ``user``'s own (``own_goal_set``) whose plan they may change now: 404 if they
    do not see it, 403 once it is closed (a page left open after it closed)."""
    goal_set = own_goal_set(user, set_id)
    _while_open(goal_set, None)
    return goal_set


def own_plan_goal_for_editor(
    user: AnyUser, plan_goal_id: int, message: str | None = None
) -> PlanGoal:
    """A goal of ``user``'s own plan (``own_plan_goal``) they may work on now: 404 if they do
    not see it, 403 (``message``) once the set is closed."""
    plan_goal = own_plan_goal(user, plan_goal_id)
    _while_open(plan_goal.plan.goal_set, message)
    return plan_goal


def activity_for_editor(plan_goal: PlanGoal, activity_id: int) -> Activity:
    """An activity of a goal already loaded through ``own_plan_goal_for_editor``; 404
    otherwise."""
    activity = one_or_404(plan_goal.activities.filter(pk=activity_id), "No such activity.")
    activity.plan_goal = plan_goal
    return activity


def family_plans(user: AnyUser) -> QuerySet[Plan]:
    """Plans of the children ``user`` sees goals of, each on a published set of one of that
    child's own current classes (not a sibling's: a plan the child made in a class they left
    stays out, even while a brother or sister is in it)."""
    if not user.is_authenticated or not roles_of(user).has(Role.GUARDIAN):
        return Plan.objects.none()
    children = guardian_children_ids(user, scope=SCOPE)
    in_class = student_class_ids(children).filter(
        user_id=OuterRef("student_id"), school_class_id=OuterRef("goal_set__school_class_id")
    )
    return Plan.objects.filter(
        Exists(in_class),
        student_id__in=children,
        goal_set__published=True,
        goal_set__school_class__status="active",
    )


def children_for_family(user: User) -> list[Child]:
    """The children whose goals ``user`` sees (usable links allowing goals), in order."""
    return [linked_child(link) for link in guardian_links(user) if link.allows(SCOPE)]


def visible_child_classes(user: AnyUser, child_ids: Iterable[int]) -> list[tuple[int, int]]:
    """``(child id, class id)`` of the current classes of those of ``child_ids`` whose goals
    ``user`` sees as a guardian (one query)."""
    seen = guardian_children_ids(user, scope=SCOPE)
    return list(
        student_class_ids(list(child_ids))
        .filter(user_id__in=seen)
        .values_list("user_id", "school_class_id")
    )


def sees_classwork_of(user: AnyUser, child_id: int) -> bool:
    """Does ``user``'s link to the child allow classwork too (the work linked to goals)?"""
    return guardian_children_ids(user, scope=Scope.CLASSWORK).filter(student_id=child_id).exists()


def child_for_family(user: AnyUser, child_id: int) -> User:
    """A child whose goals ``user`` sees (usable link with the goals area), or ``Http404``."""
    return one_or_404(
        User.objects.filter(pk=child_id, pk__in=guardian_children_ids(user, scope=SCOPE)),
        "No such child.",
    )


def goal_set_for_family(user: AnyUser, child: User, set_id: int) -> GoalSet:
    """A published set of one of ``child``'s current classes that ``user`` sees (``child``
    loaded through ``child_for_family``), read with its class, school, topic and rubric; 404
    otherwise."""
    classes = student_class_ids([child.pk]).values("school_class_id")
    return one_or_404(
        visible_goal_sets(user)
        .filter(published=True, school_class_id__in=classes, pk=set_id)
        .select_related("school_class__school", "topic", "rubric"),
        "No such goal set.",
    )


def plan_for_family(user: AnyUser, child: User, goal_set: GoalSet) -> Plan | None:
    """``child``'s plan for ``goal_set`` when ``user`` sees it (``None``: no plan yet)."""
    return family_plans(user).filter(student=child, goal_set=goal_set).first()


def effort_on(plan_goal: PlanGoal, effort_id: int | None) -> Effort | None:
    """An effort on a goal already loaded through a policy (``None`` when ``effort_id`` is
    ``None`` or names no effort on this goal)."""
    if effort_id is None:
        return None
    return plan_goal.efforts.filter(pk=effort_id).first()


def plan_goal_for_family(user: AnyUser, plan_goal_id: int) -> PlanGoal:
    """A goal of a child's plan that ``user`` sees (to encourage), or ``Http404``."""
    return one_or_404(
        PlanGoal.objects.filter(
            pk=plan_goal_id, plan__in=family_plans(user).values("pk")
        ).select_related("goal", "plan__student", "plan__goal_set__school_class"),
        "No such goal.",
    )


def help_request_for_family(user: AnyUser, request_id: int) -> HelpRequest:
    return one_or_404(
        HelpRequest.objects.filter(
            pk=request_id, plan_goal__plan__in=family_plans(user).values("pk")
        ).select_related("plan_goal__goal", "plan_goal__plan__student"),
        "No such request.",
    )


# --- when students work -----------------------------------------------------------------------


def choosing_open(goal_set: GoalSet, on: dt.date | None = None) -> bool:
    """May students choose and order goals of the set on ``on`` (default today)?"""
    day = on or today()
    return goal_set.published and goal_set.opens_on <= day <= goal_set.closes_on


def working_open(goal_set: GoalSet, on: dt.date | None = None) -> bool:
    """May students report efforts on the set's goals on ``on``? The same window: a set's work
    ends on ``closes_on``."""
    return choosing_open(goal_set, on)
