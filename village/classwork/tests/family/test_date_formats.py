"""Dates in Spanish are written the Spanish way: weekday and month in lower case, abbreviated
too ("vie 20 nov", never "vie 20 Nov")."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from village.classwork.tests.factories import assignment

FRIDAY = dt.date(2026, 11, 20)


@pytest.mark.parametrize(("language", "expected"), [("es", "vie 20 nov"), ("en", "Fri, Nov 20")])
def test_the_short_day_format_follows_each_languages_rules(language, expected):
    with translation.override(language):
        assert date_format(FRIDAY, "DAY_SHORT_FORMAT") == expected


@pytest.mark.django_db
def test_sams_printed_summary_writes_spanish_months_in_lower_case(personas):
    p = personas
    work = assignment(p.homeroom5, "Cartel del ciclo del agua", due_in_days=3)
    client = Client()
    client.force_login(p.sam)  # reads Spanish
    html = client.get(reverse("families:child_print", args=[p.ada.pk])).content.decode()
    with translation.override("es"), timezone.override(p.sam.timezone):
        day = date_format(timezone.localtime(work.due_at), "DAY_SHORT_FORMAT")
    assert f"vence el {day}" in html
    dates = re.findall(r"\b(?:lun|mar|mié|jue|vie|sáb|dom)\.? \d{1,2} (\w+)", html)
    assert dates, html
    assert all(month == month.lower() for month in dates), dates
