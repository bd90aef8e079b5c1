"""Who sees a support plan and takes part in it, for every persona, both ways: a plan checked
alone and the plans listed (filtered in SQL), a draft and a proposed plan; and what each state
allows each party."""

from __future__ import annotations

import pytest
from django.db.models import QuerySet
from django.http import Http404

from village.support import plan_policies
from village.support.models import PartyRole, PlanState, SupportPlan
from village.support.plan_policies import PlanAccess
from village.support.services.plans import plan_create, plan_propose
from village.support.tests.conftest import Support
from village.support.tests.plan_helpers import draft, person, plan_fields

pytestmark = pytest.mark.django_db

STAFF, GUARDIAN, STUDENT = PartyRole.STAFF, PartyRole.GUARDIAN, PartyRole.STUDENT

#: persona -> (sees the draft, sees the proposed plan, takes part as)
MATRIX: dict[str, tuple[bool, bool, PartyRole | None]] = {
    "ada": (False, True, STUDENT),
    "sam": (False, True, GUARDIAN),
    "kim": (False, False, None),  # a link without the support plan
    "lou": (False, False, None),  # a link that ended
    "rex": (False, False, None),  # no_access
    "jordan": (False, False, None),  # Leo's guardian, not Ada's
    "rivera": (True, True, STAFF),  # her homeroom teacher
    "diaz": (True, True, STAFF),  # the homeroom's aide
    "ortiz": (True, True, STAFF),  # counsellor
    "nguyen": (True, True, STAFF),  # school admin
    "priya": (True, True, STAFF),  # district admin
    "vance": (False, False, None),  # her teacher until yesterday
    "chen": (False, False, None),  # a teacher of another class
    "park": (False, False, None),  # a teacher at a sister school
    "stone": (False, False, None),  # a teacher at another district's school
    "maya": (False, False, None),  # a classmate
    "eve": (False, False, None),
    "library": (False, False, None),
}


def _sees(user: object, plan: SupportPlan) -> bool:
    listed = plan_policies.visible_plans(user).filter(pk=plan.pk).exists()  # type: ignore[arg-type]
    try:
        plan_policies.plan_for_viewer(user, plan.pk)  # type: ignore[arg-type]
    except Http404:
        alone = False
    else:
        alone = True
    assert listed == alone
    return alone


@pytest.mark.parametrize("name", list(MATRIX))
def test_who_sees_a_plan_and_takes_part_in_it(support: Support, name: str) -> None:
    user = person(support, name)
    sees_draft, sees_proposed, role = MATRIX[name]
    plan = draft(support)
    assert _sees(user, plan) == sees_draft
    plan_propose(actor=support.people.rivera, plan=plan)
    plan.refresh_from_db()
    assert _sees(user, plan) == sees_proposed
    assert plan_policies.party_role(user, plan) == role


def test_lists_are_querysets_of_the_plans_one_may_see(support: Support) -> None:
    people = support.people
    ada_plan = draft(support)
    plan_propose(actor=people.rivera, plan=ada_plan)
    leos = plan_create(author=people.rivera, student=people.leo, fields=plan_fields())
    plan_propose(actor=people.rivera, plan=leos)
    found = plan_policies.visible_plans(people.sam)
    assert isinstance(found, QuerySet)
    assert set(found) == {ada_plan, leos}
    assert set(plan_policies.visible_plans(people.jordan)) == set()  # no support plan area
    assert set(plan_policies.visible_plans(people.chen)) == {leos}  # teaches Leo math
    assert set(plan_policies.visible_plans(people.leo)) == {leos}


def test_another_schools_plan_is_its_own(support: Support) -> None:
    people = support.people
    finn = plan_create(author=people.stone, student=people.finn, fields=plan_fields())
    assert _sees(people.stone, finn)
    for name in ("rivera", "nguyen", "priya", "eve"):
        assert not _sees(person(support, name), finn)


@pytest.mark.parametrize(
    ("role", "state", "allowed"),
    [
        (STAFF, PlanState.DRAFT, {"edit", "propose", "close", "comment"}),
        (STAFF, PlanState.PROPOSED, {"edit", "respond", "close", "comment"}),
        (STAFF, PlanState.AGREED, {"start_review", "close", "comment", "note_progress"}),
        (STAFF, PlanState.IN_REVIEW, {"edit", "propose", "close", "comment", "note_progress"}),
        (STAFF, PlanState.CLOSED, set()),
        (GUARDIAN, PlanState.PROPOSED, {"respond", "comment"}),
        (GUARDIAN, PlanState.AGREED, {"comment", "log_home"}),
        (STUDENT, PlanState.IN_REVIEW, {"comment", "log_home"}),
        (STUDENT, PlanState.CLOSED, set()),
        (None, PlanState.AGREED, set()),
    ],
)
def test_what_each_state_allows_each_party(
    role: PartyRole | None, state: PlanState, allowed: set[str]
) -> None:
    access = PlanAccess(role=role, state=state)
    doings = ("edit", "propose", "respond", "start_review", "close", "comment")
    found = {name for name in (*doings, "note_progress", "log_home") if getattr(access, name)}
    assert found == allowed
