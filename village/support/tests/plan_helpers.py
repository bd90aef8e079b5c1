"""What the support-plan tests share: Ada's reading plan, written by Ms. Rivera through the
services, at each step of its life (draft, proposed, agreed), and the people of the support
tests' district by name."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from village.accounts.models import User
from village.community.policies import today
from village.support.models import ActionSide, SupportPlan
from village.support.services.plans import (
    ActionFields,
    GoalFields,
    PlanFields,
    plan_confirm,
    plan_create,
    plan_propose,
)
from village.support.tests.conftest import Support

READING = GoalFields(
    text="Read a grade-5 passage aloud at 90 words a minute",
    baseline="62 words a minute in September",
    target="90 words a minute by the review",
    measure="A one-minute timed reading every second Friday",
)
SCHOOL_READING = ActionFields(
    side=ActionSide.SCHOOL,
    who="Ms. Rivera",
    what="Guided reading in a small group",
    how_often="Three times a week",
    goal=1,
)
HOME_READING = ActionFields(
    side=ActionSide.HOME,
    who="Sam and Ada",
    what="Read a chapter book together, Ada reading every other page",
    how_often="Fifteen minutes each evening",
    goal=1,
)


def plan_fields(**changes: Any) -> PlanFields:
    values: dict[str, Any] = {
        "title": "Reading with confidence",
        "concern": "Ada reads slowly and avoids reading aloud in class.",
        "present_level": "Reads 62 words a minute; understands what she reads.",
        "review_on": today() + dt.timedelta(days=90),
        "check_every_days": 14,
        "goals": [READING],
        "actions": [SCHOOL_READING, HOME_READING],
    }
    values.update(changes)
    return PlanFields(**values)


def person(support: Support, name: str) -> User:
    found = getattr(support, name, None) or getattr(support.people, name)
    assert isinstance(found, User)
    return found


def draft(support: Support, **changes: Any) -> SupportPlan:
    people = support.people
    return plan_create(author=people.rivera, student=people.ada, fields=plan_fields(**changes))


def proposed(support: Support, **changes: Any) -> SupportPlan:
    plan = draft(support, **changes)
    return plan_propose(actor=support.people.rivera, plan=plan)


def agreed(support: Support, **changes: Any) -> SupportPlan:
    plan = proposed(support, **changes)
    for party in (support.people.rivera, support.people.sam, support.people.ada):
        plan_confirm(party=party, plan=plan, version=plan.version)
    plan.refresh_from_db()
    return plan


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
