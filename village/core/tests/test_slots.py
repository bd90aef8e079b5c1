"""``Slots``: a template rendered once, filled in many times, escaped as the template would."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from village.core.slots import Slots

TEMPLATES = {
    "item.html": (
        '<li class="{{ kind }}"><a href="{{ link }}">{{ title }}</a>'
        "{% if note %} {{ note }}{% endif %}</li>\n"
    ),
    "item.txt": "{% autoescape off %}- {{ title }} ({{ link }}){% endautoescape %}\n",
}


@pytest.fixture(autouse=True)
def _templates(settings: Any) -> None:
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", TEMPLATES)]},
        }
    ]


def test_filled_slots_read_as_the_template_rendered_with_the_values() -> None:
    slots = Slots("item.html", {"kind": "work", "note": True}, ("link", "title", "note"))
    values = {
        "link": "/a?b=1&c=2",
        "title": "Fish <b>& chips</b>",
        "note": mark_safe("<em>new</em>"),
    }
    expected = render_to_string("item.html", {"kind": "work", **values}).removesuffix("\n")
    assert slots.fill(values) == expected
    assert "Fish &lt;b&gt;&amp; chips&lt;/b&gt;" in slots.fill(values)
    again = {"link": "/x", "title": "Second", "note": ""}
    assert slots.fill(again) == '<li class="work"><a href="/x">Second</a> </li>'


def test_plain_text_slots_are_not_escaped() -> None:
    slots = Slots("item.txt", {}, ("title", "link"), autoescape=False)
    assert slots.fill({"title": "Fish & <chips>", "link": "/a?b=1&c=2"}) == (
        "- Fish & <chips> (/a?b=1&c=2)"
    )
