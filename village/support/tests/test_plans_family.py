"""Support plans on the family's child page (in Sam's Spanish): each plan's state, what waits
for this guardian's answer, a late progress check; nothing for a draft, nor for a guardian whose
link does not allow the support plan; the student's list of their own plans (tú); and a
constant number of queries however many plans."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from village.accounts.models import User
from village.community.policies import today
from village.support.models import SupportPlan
from village.support.services.plans import plan_confirm, plan_create, plan_propose
from village.support.tests.conftest import Support
from village.support.tests.plan_helpers import agreed, client_for, draft, plan_fields, proposed

pytestmark = pytest.mark.django_db

WAITS = "Espera su respuesta"


def _child_page(client: Client, child: User) -> str:
    response = client.get(reverse("families:child", args=[child.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_sam_sees_what_waits_for_her_answer_until_she_gives_it(support: Support) -> None:
    people = support.people
    draft(support, title="Borrador de la escuela")
    plan = proposed(support)
    sam = client_for(people.sam)
    html = _child_page(sam, people.ada)
    assert "Planes de apoyo" in html
    assert reverse("support:plan", args=[plan.pk]) in html
    assert WAITS in html
    assert "Propuesto" in html
    assert "Borrador de la escuela" not in html  # a draft is the staff's
    plan_confirm(party=people.sam, plan=plan, version=1)
    html = _child_page(sam, people.ada)
    assert WAITS not in html
    assert "Propuesto" in html  # still waiting for Ada and the staff


def test_a_late_progress_check_is_shown_to_the_family(support: Support) -> None:
    people = support.people
    plan = agreed(support)
    SupportPlan.objects.filter(pk=plan.pk).update(agreed_on=today() - dt.timedelta(days=17))
    html = _child_page(client_for(people.sam), people.ada)
    assert "El seguimiento del progreso de la escuela tocaba el" in html
    assert "hace 3 días" in html
    assert "Acordado" in html


def test_guardians_without_the_area_see_no_plan(support: Support) -> None:
    people = support.people
    leos = plan_create(author=people.rivera, student=people.leo, fields=plan_fields())
    plan_propose(actor=people.rivera, plan=leos)
    jordan = client_for(people.jordan).get(reverse("families:child", args=[people.leo.pk]))
    assert jordan.status_code == 200
    assert b"Reading with confidence" not in jordan.content
    assert reverse("support:plan", args=[leos.pk]).encode() not in jordan.content
    kim = client_for(support.kim).get(reverse("families:child", args=[people.ada.pk]))
    assert b"support/plans" not in kim.content


def test_ada_lists_her_own_plans_in_her_words(support: Support) -> None:
    people = support.people
    proposed(support)
    User.objects.filter(pk=people.ada.pk).update(preferred_language="es")
    html = client_for(people.ada).get(reverse("support:plans", args=[people.ada.pk]))
    text = html.content.decode()
    assert "Mis planes de apoyo" in text
    assert "Espera tu respuesta" in text


def _queries(client: Client, child: User) -> int:
    with CaptureQueriesContext(connection) as found:
        _child_page(client, child)
    return len(found)


def test_the_child_page_reads_as_many_queries_for_more_plans(support: Support) -> None:
    people = support.people
    proposed(support)
    sam = client_for(people.sam)
    _child_page(sam, people.ada)  # translations asked for once
    caches["pages"].clear()
    before = _queries(sam, people.ada)
    agreed(support, title="Writing with confidence")
    proposed(support, title="Friends at lunch")
    _child_page(sam, people.ada)
    caches["pages"].clear()
    assert _queries(sam, people.ada) == before
