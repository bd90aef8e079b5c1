"""Names people type are shown on one line: every form that takes one refuses a line break or
another control character, naming the field (the API does the same through its schemas)."""

from __future__ import annotations

import pytest
from django import forms

from village.accounts.forms import ProfileForm, TokenCreateForm
from village.community.forms import PersonAddForm
from village.core.text import SINGLE_LINE_MESSAGE
from village.onboarding.forms import SignupForm

BROKEN = ["Sam\r\nAdmin", "Sam\nAdmin", "Sam\tAdmin", "Sam\u2028Admin", "Sam\x00"]


def errors_for(form: forms.Form, field: str) -> list[str]:
    form.is_valid()
    return [str(message) for message in form.errors.get(field, [])]


@pytest.mark.parametrize("value", BROKEN)
@pytest.mark.parametrize("field", ["preferred_name", "pronouns"])
def test_the_profile_refuses_a_name_on_two_lines(field, value):
    form = ProfileForm(data={field: value, "language": "en", "time_zone": "America/Chicago"})
    assert str(SINGLE_LINE_MESSAGE) in errors_for(form, field)


def test_the_profile_takes_a_name_on_one_line():
    form = ProfileForm(data={"preferred_name": "Sam", "pronouns": "they/them", "language": "en"})
    assert errors_for(form, "preferred_name") == []
    assert errors_for(form, "pronouns") == []


@pytest.mark.parametrize("value", BROKEN)
def test_a_token_name_is_one_line(value):
    assert str(SINGLE_LINE_MESSAGE) in errors_for(TokenCreateForm(data={"name": value}), "name")


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["first_name", "last_name", "preferred_name"])
def test_adding_a_person_refuses_a_name_on_two_lines(personas, field):
    data = {"first_name": "Ana", "last_name": "Diaz", field: "Ana\r\nDiaz"}
    form = PersonAddForm(data=data, viewer=personas.nguyen)
    assert str(SINGLE_LINE_MESSAGE) in errors_for(form, field)


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_family_sign_up_refuses_a_name_on_two_lines(field):
    data = {"first_name": "Rosa", "last_name": "Lopez", field: "Rosa\nLopez"}
    assert str(SINGLE_LINE_MESSAGE) in errors_for(SignupForm(data=data), field)
