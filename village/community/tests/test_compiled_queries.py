"""Queries compiled once by the ORM (``core.compiled``) and run again with new values: the same
rows, converted the same way, as the ORM gives, for every user; a definition that drops a value
fails loudly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from village.accounts.models import User
from village.community import policies, selectors
from village.community.models import GuardianLink, OrgRole
from village.core.compiled import CompiledQuery
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db


def roles_query() -> CompiledQuery:
    return CompiledQuery(
        "test.roles",
        lambda user_id, today: (
            OrgRole.objects.current(today).filter(user_id=user_id).values_list("role", "pk")
        ),
        user_id=int,
        today=dt.date,
    )


def test_rows_match_the_orm_for_every_person_and_day(personas: Personas):
    query = roles_query()
    today = timezone.localdate()
    for user in User.objects.all():
        for day in (today, today - dt.timedelta(days=400), today + dt.timedelta(days=400)):
            orm = OrgRole.objects.current(day).filter(user_id=user.pk).values_list("role", "pk")
            assert sorted(query.rows(user_id=user.pk, today=day)) == sorted(orm), user.username


def test_columns_are_converted_as_the_orm_converts_them(personas: Personas):
    query = CompiledQuery(
        "test.links",
        lambda guardian_id: GuardianLink.objects.filter(guardian_id=guardian_id).values_list(
            "updated_at", "no_access", "scope_grades", "student__date_joined"
        ),
        guardian_id=int,
    )
    rows = query.rows(guardian_id=personas.sam.pk)
    orm = list(
        GuardianLink.objects.filter(guardian_id=personas.sam.pk).values_list(
            "updated_at", "no_access", "scope_grades", "student__date_joined"
        )
    )
    assert sorted(rows) == sorted(orm)
    updated_at, no_access, grades, _joined = rows[0]
    assert isinstance(updated_at, dt.datetime)
    assert timezone.is_aware(updated_at)
    assert no_access is False
    assert grades is True


def test_it_is_compiled_once_per_connection(personas: Personas):
    built = []

    def build(user_id: int) -> object:
        built.append(user_id)
        return User.objects.filter(pk=user_id).values_list("username")

    query = CompiledQuery("test.once", build, user_id=int)  # type: ignore[arg-type]
    with CaptureQueriesContext(connection) as captured:
        assert query.rows(user_id=personas.sam.pk) == [("sam",)]
        assert query.rows(user_id=personas.ada.pk) == [("ada",)]
    assert len(built) == 1  # the second run only filled in the value
    assert len(captured) == 2
    assert query.rows(user_id=-1) == []


def test_a_definition_that_drops_a_value_fails_instead_of_answering_for_someone_else(
    personas: Personas,
):
    query = CompiledQuery(
        "test.dropped",
        lambda user_id: User.objects.filter(pk=personas.sam.pk).values_list("username"),
        user_id=int,
    )
    with pytest.raises(RuntimeError, match="user_id"):
        query.rows(user_id=personas.ada.pk)


def test_the_home_page_queries_answer_as_their_orm_definitions(personas: Personas):
    for user in User.objects.all():
        policies.forget_roles(user)
        expected = set(
            OrgRole.objects.current(policies.today())
            .filter(user=user)
            .values_list("role", "organisation_id")
        )
        assert {
            (role, org) for role, orgs in policies.roles_of(user).by_role.items() for org in orgs
        } == expected
        links = selectors.guardian_links(user)
        orm = list(policies.children_links(user).values_list("pk", flat=True))
        assert sorted(link.link_id for link in links) == sorted(orm)
