"""A free username: the wanted one, or the first free number after it."""

from __future__ import annotations

import pytest

from village.accounts.models import User
from village.accounts.services import free_username

pytestmark = pytest.mark.django_db


def test_a_free_name_is_kept_trimmed_and_in_lower_case():
    assert free_username("  Kim.Lee@Families.Village.Test ") == "kim.lee@families.village.test"


def test_a_taken_username_gets_the_first_free_number():
    User.objects.create_user(username="ito")
    User.objects.create_user(username="ITO-2")
    assert free_username("Ito") == "ito-3"


def test_someone_elses_address_is_not_given_as_a_username():
    User.objects.create_user(username="kim", email="kim@families.village.test")
    assert free_username("kim@families.village.test") == "kim@families.village.test-2"
