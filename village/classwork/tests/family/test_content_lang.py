"""Teacher-written text carries its language when the reader reads another one (WCAG 3.1.2):
the template tag and filter, and the student's pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import timezone, translation

from village.accounts.models import User
from village.classwork.services.events import class_event_create
from village.classwork.tests.factories import assignment

TEMPLATE = Template(
    "{% load content_lang %}<h1{% content_lang %}>{{ title }}</h1> · {{ title|in_content_lang }}"
)


def render(language: str, title: str) -> str:
    with translation.override(language):
        return TEMPLATE.render(Context({"title": title}))


def test_nothing_is_marked_for_a_reader_of_the_content_language():
    assert render("en", "Book report") == "<h1>Book report</h1> · Book report"


def test_teacher_text_is_marked_and_escaped_for_a_reader_of_another_language():
    assert render("es", "Fish & <chips>") == (
        '<h1 lang="en">Fish &amp; &lt;chips&gt;</h1> · '
        '<span lang="en">Fish &amp; &lt;chips&gt;</span>'
    )


@pytest.mark.django_db
def test_a_student_reading_spanish_gets_english_titles_marked(personas):
    p = personas
    User.objects.filter(pk=p.leo.pk).update(preferred_language="es")
    assignment(p.science8, "Lab report: density", due_in_days=2)
    starts = timezone.now() + dt.timedelta(days=2)
    class_event_create(school_class=p.science8, title="Science fair", starts_at=starts)
    client = Client()
    client.force_login(p.leo)
    for path in ("/", "/work/"):
        html = client.get(path).content.decode()
        assert '<html lang="es">' in html
        assert 'class="work-title" lang="en"' in html
        assert '<p class="fam-title event-title" lang="en">Science fair</p>' in html
