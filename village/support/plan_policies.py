"""Who may see and do what with a student's support plans. Built on ``policies`` (the student's
staff) and the community policy (guardian links).

**The parties** of a plan (``party_role``):

- *staff*: the student's current staff (``policies.staff_student_ids``: teachers and aides of
  the student's classes now, the admins of the student's school, its support team) who are
  staff at the plan's school: a former teacher, a teacher of another class, or anyone of
  another school is no party;
- *guardian*: a guardian whose link to the student is usable (active, not ``no_access``) and
  allows ``Scope.SUPPORT_PLAN``; never a guardian of another child, nor one whose link ended;
- *student*: the plan's student.

**Seeing** (``visible_plans``): staff see their students' plans at their schools, drafts too;
the student and the guardians see a plan once it has been proposed (``shared_at``), in every
state after that, closed included. A draft is the staff's.

**Doing**, by state (``PlanAccess``):

- staff edit the content in draft, proposed and in review (closed is read-only, agreed is
  reviewed first); editing a proposed plan makes a new version, which nobody has confirmed yet;
- staff propose a draft or a plan in review; each party then confirms the proposed version or
  records disagreement with a note (staff sign, each guardian confirms, the student agrees);
- staff start a review of an agreed plan and close a plan;
- every party comments (a comment or a proposed change) until the plan is closed;
- while the plan is in force (agreed, in review) staff write progress notes on its goals, and
  guardians and the student mark home actions done.

Who must agree for the plan to be agreed is ``services.plans``' rule (``required_parties``
here: every guardian who may confirm, the student, and at least one of the staff).

What a user may not see is a 404 (``*_for_viewer``); what they see but may not do, a 403
(``PermissionDenied``). Lists are filtered in SQL.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.community.models import Enrollment, EnrollmentRole, GuardianLink, OrgRole, Role
from village.community.policies import (
    AnyUser,
    Roles,
    administered_schools,
    guardian_children_ids,
    roles_of,
    today,
    usable_link_q,
)
from village.core.policies import one_or_404
from village.goals.models import Goal
from village.support import policies
from village.support.models import (
    EDITABLE,
    IN_FORCE,
    Accommodation,
    ActionSide,
    PartyRole,
    PlanState,
    PlanVersion,
    SupportAction,
    SupportGoal,
    SupportPlan,
    TeamMember,
)

SCOPE = policies.SCOPE
#: Roles whose holders read a plan as its family.
FAMILY_ROLES = (PartyRole.GUARDIAN, PartyRole.STUDENT)


def _none() -> Q:
    return Q(pk__in=[])


# --- seeing -------------------------------------------------------------------------------------


def _staff_school_q(user: AnyUser, roles: Roles, field: str = "school_id") -> Q | None:
    """``field`` among the schools ``user`` is staff at (teacher, aide, school admin, or admin
    of its district); ``None`` when there are none."""
    parts: list[Q] = []
    direct = set().union(*(roles.orgs(role) for role in policies.SCHOOL_STAFF_ROLES))
    if direct:
        parts.append(Q(**{f"{field}__in": sorted(direct)}))
    if roles.has(Role.DISTRICT_ADMIN):
        parts.append(Q(**{f"{field}__in": administered_schools(user).values("pk")}))
    return reduce(operator.or_, parts) if parts else None


def _staff_q(user: AnyUser, roles: Roles) -> Q:
    schools = _staff_school_q(user, roles)
    if schools is None:
        return _none()
    return Q(student_id__in=policies.staff_student_ids(user)) & schools


def _plans_q(user: AnyUser) -> Q:
    roles = roles_of(user)
    condition = _none()
    shared = Q(shared_at__isnull=False)
    if roles.has(Role.STUDENT):
        condition |= Q(student_id=user.pk) & shared
    if roles.has(Role.GUARDIAN):
        condition |= Q(student_id__in=guardian_children_ids(user, scope=SCOPE)) & shared
    if roles.is_staff_member:
        condition |= _staff_q(user, roles)
    return condition


def visible_plans(user: AnyUser) -> QuerySet[SupportPlan]:
    """The support plans ``user`` may read (see the module's rules)."""
    if not user.is_authenticated:
        return SupportPlan.objects.none()
    return SupportPlan.objects.filter(_plans_q(user))


def plan_for_viewer(user: AnyUser, plan_id: int) -> SupportPlan:
    """A plan ``user`` may read, with its student and school, or ``Http404``."""
    return one_or_404(
        visible_plans(user).filter(pk=plan_id).select_related("student", "school"),
        "No such plan.",
    )


def version_for_viewer(plan: SupportPlan, number: int) -> PlanVersion:
    """A version of a plan loaded through ``plan_for_viewer``, or ``Http404``."""
    return one_or_404(
        PlanVersion.objects.filter(plan=plan, number=number).select_related("changed_by"),
        "No such version.",
    )


# --- the parties --------------------------------------------------------------------------------


def is_plan_staff(user: AnyUser, plan: SupportPlan) -> bool:
    """Is ``user`` one of the student's current staff, at the plan's school?"""
    roles = roles_of(user)
    if not roles.is_staff_member:
        return False
    return SupportPlan.objects.filter(_staff_q(user, roles), pk=plan.pk).exists()


def is_plan_guardian(user: AnyUser, plan: SupportPlan) -> bool:
    """Is ``user`` a guardian of the plan's student whose link allows the support plan?"""
    children = guardian_children_ids(user, scope=SCOPE)
    return children.filter(student_id=plan.student_id).exists()


def party_role(user: AnyUser, plan: SupportPlan) -> PartyRole | None:
    """As which party ``user`` takes part in ``plan`` (the student first, then a guardian,
    then staff), or ``None``. The family takes part once the plan has been proposed."""
    roles = roles_of(user)
    if plan.shared and roles.has(Role.STUDENT) and user.pk == plan.student_id:
        return PartyRole.STUDENT
    if plan.shared and roles.has(Role.GUARDIAN) and is_plan_guardian(user, plan):
        return PartyRole.GUARDIAN
    if is_plan_staff(user, plan):
        return PartyRole.STAFF
    return None


def confirming_guardians(student_id: int) -> list[User]:
    """The guardians who confirm the student's plans: usable links allowing the support plan,
    active accounts, by name (one query)."""
    links = GuardianLink.objects.filter(usable_link_q(SCOPE), student_id=student_id)
    return list(
        User.objects.filter(pk__in=links.values("guardian_id"), is_active=True).order_by(
            "last_name", "first_name", "pk"
        )
    )


@dataclass(frozen=True)
class PlanAccess:
    """What one user may do with one plan now (``plan_access``)."""

    role: PartyRole | None
    state: PlanState

    @property
    def staff(self) -> bool:
        return self.role == PartyRole.STAFF

    @property
    def family(self) -> bool:
        return self.role in FAMILY_ROLES

    @property
    def edit(self) -> bool:
        return self.staff and self.state in EDITABLE

    @property
    def propose(self) -> bool:
        return self.staff and self.state in (PlanState.DRAFT, PlanState.IN_REVIEW)

    @property
    def respond(self) -> bool:
        return self.role is not None and self.state == PlanState.PROPOSED

    @property
    def start_review(self) -> bool:
        return self.staff and self.state == PlanState.AGREED

    @property
    def close(self) -> bool:
        return self.staff and self.state != PlanState.CLOSED

    @property
    def comment(self) -> bool:
        return self.role is not None and self.state != PlanState.CLOSED

    @property
    def note_progress(self) -> bool:
        return self.staff and self.state in IN_FORCE

    @property
    def log_home(self) -> bool:
        return self.family and self.state in IN_FORCE


def plan_access(user: AnyUser, plan: SupportPlan) -> PlanAccess:
    """What ``user`` may do with ``plan`` (a plan they may read; at most two queries)."""
    return PlanAccess(role=party_role(user, plan), state=PlanState(plan.state))


def require(allowed: bool, message: str) -> None:
    """``PermissionDenied`` with ``message`` unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message)


def plan_for_editor(user: AnyUser, plan_id: int) -> SupportPlan:
    """A plan ``user`` may change now: 404 if they may not read it, 403 if they only read it
    (the family, or a plan agreed or closed)."""
    plan = plan_for_viewer(user, plan_id)
    access = plan_access(user, plan)
    require(access.staff, _("Only the student's staff change a support plan."))
    require(access.edit, _("This plan cannot change now: start a review first."))
    return plan


def may_create_plan(user: AnyUser, student_id: int) -> bool:
    """The student's current staff write a new plan for them."""
    return policies.is_student_staff(user, student_id)


def goal_for_progress(user: AnyUser, goal_id: int) -> SupportGoal:
    """A goal of a plan in force on which ``user`` writes a progress note: 404 if they may not
    read the plan, 403 if they may not write (the family, a plan not in force)."""
    goal = one_or_404(
        SupportGoal.objects.filter(
            pk=goal_id, in_plan=True, plan__in=visible_plans(user).values("pk")
        ).select_related("plan__student", "plan__school"),
        "No such goal.",
    )
    access = plan_access(user, goal.plan)
    require(access.note_progress, _("Only the student's staff note progress on a plan in force."))
    return goal


def home_action_for_logger(
    user: AnyUser, action_id: int, *, plan_id: int | None = None
) -> SupportAction:
    """A home action of a plan in force (of ``plan_id``, when given) that ``user`` marks done:
    404 if they may not read the plan, 403 if they may not mark it (staff, a plan not in
    force)."""
    actions = SupportAction.objects.filter(
        pk=action_id, in_plan=True, side=ActionSide.HOME, plan__in=visible_plans(user).values("pk")
    )
    if plan_id is not None:
        actions = actions.filter(plan_id=plan_id)
    action = one_or_404(actions.select_related("plan__student", "plan__school"), "No such action.")
    access = plan_access(user, action.plan)
    require(access.log_home, _("The family marks home actions done while the plan is in force."))
    return action


# --- what a plan may name -----------------------------------------------------------------------


def linkable_learning_goals(student_id: int) -> QuerySet[Goal]:
    """The learning goals a plan's goal may name: those of the published goal sets of the
    student's current classes."""
    classes = (
        Enrollment.objects.current(today())
        .filter(user_id=student_id, role=EnrollmentRole.STUDENT)
        .values("school_class_id")
    )
    return (
        Goal.objects.filter(goal_set__published=True, goal_set__school_class_id__in=classes)
        .select_related("goal_set")
        .order_by("goal_set__title", "goal_set_id", "position", "pk")
    )


def plan_accommodation_choices(
    student_id: int, plan: SupportPlan | None = None
) -> QuerySet[Accommodation]:
    """The student's accommodations a plan may list: those not ended before today, and those
    ``plan`` lists already."""
    condition = Q(ends_on__isnull=True) | Q(ends_on__gte=today())
    if plan is not None:
        condition |= Q(pk__in=plan.accommodations.values("pk"))
    return Accommodation.objects.filter(condition, student_id=student_id).order_by(
        "category", "starts_on", "pk"
    )


# --- many plans at once (the reminders) ---------------------------------------------------------


def still_staff(pairs: Iterable[tuple[int, int, int]]) -> set[tuple[int, int]]:
    """Of ``(user id, student id, school id)``, the ``(user id, student id)`` where the user is
    still the student's staff at that school: teaching or assisting in a class the student is in
    now, or holding the school's admin role, or on its support team while on its staff. Four
    queries however many pairs; district admins are not counted (they are not told of plans)."""
    pairs = set(pairs)
    if not pairs:
        return set()
    users = sorted({user for user, _student, _school in pairs})
    students = sorted({student for _user, student, _school in pairs})
    now = today()
    classes_of: dict[int, set[int]] = {}
    for user, class_id in (
        Enrollment.objects.current(now)
        .filter(user_id__in=users, role__in=[EnrollmentRole.TEACHER, EnrollmentRole.AIDE])
        .values_list("user_id", "school_class_id")
    ):
        classes_of.setdefault(user, set()).add(class_id)
    taught = {class_id for found in classes_of.values() for class_id in found}
    in_class = set(
        Enrollment.objects.current(now)
        .filter(role=EnrollmentRole.STUDENT, user_id__in=students, school_class_id__in=taught)
        .values_list("user_id", "school_class_id")
    )
    teaching = {
        (user, student)
        for user, student, _school in pairs
        if any((student, class_id) in in_class for class_id in classes_of.get(user, ()))
    }
    at_school = {
        (user, school, role)
        for user, school, role in OrgRole.objects.current(now)
        .filter(user_id__in=users, role__in=policies.SCHOOL_STAFF_ROLES)
        .values_list("user_id", "organisation_id", "role")
    }
    team = set(TeamMember.objects.filter(user_id__in=users).values_list("user_id", "school_id"))
    found: set[tuple[int, int]] = set()
    for user, student, school in pairs:
        staff_there = any((user, school, role) in at_school for role in policies.SCHOOL_STAFF_ROLES)
        if (
            (user, student) in teaching
            or (user, school, Role.SCHOOL_ADMIN) in at_school
            or ((user, school) in team and staff_there)
        ):
            found.add((user, student))
    return found
