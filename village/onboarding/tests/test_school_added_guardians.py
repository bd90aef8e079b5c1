"""A guardian a school admin adds on the add-person page may see the areas the school chose for
new family links on its onboarding settings page (onboarding answers community's
``link_defaults`` registry)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from village.accounts.models import User
from village.community import link_defaults
from village.community.models import GuardianLink, LinkStatus, Relationship, Role, Scope
from village.demo.personas import Personas
from village.onboarding.tests.conftest import signed_in

pytestmark = pytest.mark.django_db

APPROVAL_FIELDS = (
    "approve_student_codes",
    "approve_teacher_codes",
    "approve_admin_codes",
    "approve_invitations",
)


def choose_areas(client: Client, p: Personas, *scopes: Scope) -> None:
    """Save the school's areas for new links on its settings page, as its admin."""
    answers = {**dict.fromkeys(APPROVAL_FIELDS, "approve"), "default_scopes": list(scopes)}
    url = reverse("onboarding:school_settings", args=[p.school.pk])
    assert client.post(url, answers).status_code == 302


def add_guardian(client: Client, p: Personas, email: str, student: User) -> GuardianLink:
    form = {
        "school": p.school.pk,
        "role": Role.GUARDIAN,
        "first_name": "Rosa",
        "last_name": "Lopez",
        "preferred_name": "",
        "email": email,
        "username": "",
        "grade": "",
        "preferred_language": "es",
        "student": student.pk,
        "relationship": Relationship.MOTHER,
    }
    response = client.post(reverse("community:person_add"), form)
    assert response.status_code == 302
    return GuardianLink.objects.get(guardian__email=email)


def areas(link: GuardianLink) -> set[Scope]:
    return {scope for scope in Scope if link.allows(scope)}


def test_a_guardian_added_by_the_principal_gets_the_schools_default_areas(client, personas):
    signed_in(client, personas.nguyen)
    choose_areas(client, personas, Scope.CLASSWORK, Scope.MESSAGES)
    link = add_guardian(client, personas, "rosa@example.test", personas.maya)
    assert areas(link) == {Scope.CLASSWORK, Scope.MESSAGES}
    assert link.status == LinkStatus.ACTIVE  # the school added them: nothing to approve


def test_changing_the_settings_changes_what_the_next_added_guardian_gets(client, personas):
    signed_in(client, personas.nguyen)
    choose_areas(client, personas, Scope.CLASSWORK, Scope.MESSAGES)
    first = add_guardian(client, personas, "rosa@example.test", personas.maya)
    choose_areas(client, personas, Scope.GRADES)
    second = add_guardian(client, personas, "tio@example.test", personas.ada)
    assert areas(second) == {Scope.GRADES}
    first.refresh_from_db()
    assert areas(first) == {Scope.CLASSWORK, Scope.MESSAGES}  # existing links keep theirs


def test_a_school_without_settings_gives_every_area(client, personas):
    link = add_guardian(
        signed_in(client, personas.nguyen), personas, "rosa@example.test", personas.maya
    )
    assert areas(link) == set(Scope)


def test_onboarding_answers_the_registry_with_each_schools_settings(client, personas):
    signed_in(client, personas.nguyen)
    choose_areas(client, personas, Scope.GOALS)
    assert link_defaults.default_scopes(personas.school) == [Scope.GOALS]
    assert link_defaults.default_scopes(personas.sister_school) == list(Scope)
