"""The API spells people's names in SQL (a roster of hundreds in one query); the pages spell
them in Python. Both must give the same name for any combination of name fields."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from village.accounts.models import User
from village.community.api_queries import _first_name_and_initial, _full_name
from village.community.models import RosterVisibility
from village.community.selectors import classmate_name

pytestmark = pytest.mark.django_db

# Empty names, spaces, accents and scripts beyond Latin: what rosters bring.
NAME = st.one_of(
    st.just(""),
    st.text(alphabet="aZéÑøß Ωжد李-'", min_size=1, max_size=12),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(first=NAME, preferred=NAME, last=NAME)
def test_sql_names_match_the_python_names(first: str, preferred: str, last: str) -> None:
    person = User.objects.create(
        username="person",
        first_name=first,
        preferred_name=preferred,
        last_name=last,
    )
    try:
        full, initial = (
            User.objects.filter(pk=person.pk)
            .annotate(full=_full_name(), initial=_first_name_and_initial())
            .values_list("full", "initial")
            .get()
        )
        assert full == classmate_name(person, RosterVisibility.FULL_NAMES)
        assert full == person.display_name
        assert initial == classmate_name(person, RosterVisibility.FIRST_NAMES)
    finally:
        person.delete()
