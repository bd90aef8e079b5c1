"""The registry through which apps above community say what a guardian link the school adds may
see; without an answer, a new link may see every area."""

from __future__ import annotations

import pytest

from village.community import link_defaults
from village.community.models import Organisation, Scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_providers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry as it is with no app above community installed."""
    monkeypatch.setattr(link_defaults, "_providers", {})


def test_without_a_provider_a_new_link_may_see_every_area(personas, no_providers):
    assert link_defaults.default_scopes(personas.school) == list(Scope)


def test_a_provider_without_an_answer_leaves_every_area(personas, no_providers):
    link_defaults.register("silent", lambda school: None)
    assert link_defaults.default_scopes(personas.school) == list(Scope)


def test_the_first_answer_counts_and_registering_a_name_again_replaces_it(personas, no_providers):
    def only_at(school_id: int, scopes: list[Scope]):
        return lambda school: scopes if school.pk == school_id else None

    link_defaults.register("first", only_at(personas.school.pk, [Scope.GRADES]))
    link_defaults.register("second", lambda school: [Scope.CLASSWORK])
    assert link_defaults.default_scopes(personas.school) == [Scope.GRADES]
    assert link_defaults.default_scopes(personas.other_school) == [Scope.CLASSWORK]
    link_defaults.register("first", lambda school: [Scope.GOALS, Scope.MESSAGES])
    assert link_defaults.default_scopes(personas.school) == [Scope.GOALS, Scope.MESSAGES]
    link_defaults.unregister("first")
    assert link_defaults.default_scopes(personas.school) == [Scope.CLASSWORK]


def test_an_organisation_is_all_a_provider_is_given(personas, no_providers):
    given: list[Organisation] = []
    link_defaults.register("spy", lambda school: given.append(school))
    link_defaults.default_scopes(personas.school)
    assert given == [personas.school]
