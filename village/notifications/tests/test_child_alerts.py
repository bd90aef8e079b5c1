"""A guardian's alerts about one child: every per-child kind the link allows, prefilled from the
guardian's own rule, the school's default or the kind's; bad thresholds name the field and
change nothing; the child's family page leads there."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.authorization import client_for
from village.notifications.models import AlertRule, SchoolAlertDefault
from village.notifications.policies import alert_child_for_guardian
from village.notifications.services.preferences import child_rules_update
from village.notifications.services.rules import RuleInput
from village.notifications.tests import kinds as k
from village.notifications.tests.kinds import registered_kinds

pytestmark = pytest.mark.django_db


def url(child) -> str:
    return reverse("notifications:child_alerts", args=[child.pk])


def main(html: str) -> str:
    return html.split("<main", 1)[1]


def value(html: str, name: str) -> str | None:
    found = re.search(rf'<input type="number" name="{name}" value="([^"]*)"', html)
    return found.group(1) if found else None


def checked(html: str, name: str) -> bool:
    found = re.search(rf'<input type="checkbox" name="{name}"[^>]*>', html)
    assert found, name
    return "checked" in found.group(0)


def block(html: str, label: str) -> str:
    return html.split(f"<legend>{label}</legend>", 1)[1].split("</fieldset>", 1)[0]


def answers(**changes: str) -> dict[str, str]:
    given = {
        f"{k.MISSING}-enabled": "on",
        f"{k.GRADE_BELOW}-enabled": "on",
        f"{k.GRADE_BELOW}-threshold": "70",
        f"{k.TREND}-threshold": "10",
        f"{k.TREND}-weeks": "3",
    }
    given.update(changes)
    return {name: answer for name, answer in given.items() if answer != "-"}


def test_every_alert_is_offered_with_villages_defaults(personas, kinds):
    html = main(client_for(personas.jordan).get(url(personas.leo)).content.decode())
    assert "Alerts about Leo" in html
    assert checked(html, f"{k.MISSING}-enabled")
    assert "Village’s default: change it" in block(html, "Test: missing work")  # noqa: RUF001


def test_the_schools_default_comes_before_villages(personas, kinds):
    SchoolAlertDefault.objects.create(
        school=personas.school, kind=k.GRADE_BELOW, threshold=Decimal(60), enabled=True
    )
    html = main(client_for(personas.sam).get(url(personas.leo)).content.decode())
    assert value(html, f"{k.GRADE_BELOW}-threshold") == "60"
    assert "Lo predeterminado por la escuela" in block(html, "Test: course grade below")
    assert value(html, f"{k.TREND}-threshold") == "10"
    assert value(html, f"{k.TREND}-weeks") == "3"
    assert not checked(html, f"{k.TREND}-enabled")  # off unless chosen


def test_saving_makes_them_the_guardians_own_for_that_child_only(personas, kinds):
    p = personas
    client = client_for(p.sam)
    response = client.post(
        url(p.leo),
        answers(
            **{
                f"{k.MISSING}-enabled": "-",
                f"{k.GRADE_BELOW}-threshold": "65.5",
                f"{k.TREND}-enabled": "on",
                f"{k.TREND}-threshold": "8",
                f"{k.TREND}-weeks": "2",
            }
        ),
    )
    assert response.status_code == 302
    rules = {
        rule.kind: (rule.enabled, rule.threshold, rule.weeks)
        for rule in AlertRule.objects.filter(guardian=p.sam, child=p.leo)
    }
    assert rules == {
        k.MISSING: (False, None, None),
        k.GRADE_BELOW: (True, Decimal("65.5"), None),
        k.TREND: (True, Decimal(8), 2),
    }
    html = main(client.get(url(p.leo)).content.decode())
    assert "Sus alertas sobre Leo están guardadas." in html
    assert "Su propia elección." in block(html, "Test: missing work")
    assert not checked(html, f"{k.MISSING}-enabled")
    assert value(html, f"{k.GRADE_BELOW}-threshold") == "65.5"
    assert value(html, f"{k.TREND}-threshold") == "8"
    # Ada's alerts and Jordan's alerts about Leo are their own
    assert checked(main(client.get(url(p.ada)).content.decode()), f"{k.MISSING}-enabled")
    jordan = main(client_for(p.jordan).get(url(p.leo)).content.decode())
    assert checked(jordan, f"{k.MISSING}-enabled")


@pytest.mark.parametrize(
    ("changes", "label", "message"),
    [
        (
            {f"{k.GRADE_BELOW}-threshold": "101"},
            "Test: course grade below: When it is below (percent)",
            "Enter a percentage from 0 to 100.",
        ),
        (
            {f"{k.GRADE_BELOW}-threshold": "-1"},
            "Test: course grade below: When it is below (percent)",
            "Enter a percentage from 0 to 100.",
        ),
        (
            {f"{k.GRADE_BELOW}-threshold": "70.25"},
            "Test: course grade below: When it is below (percent)",
            "Enter a percentage from 0 to 100.",
        ),
        (
            {f"{k.GRADE_BELOW}-threshold": ""},
            "Test: course grade below: When it is below (percent)",
            "Enter a percentage from 0 to 100.",
        ),
        (
            {f"{k.GRADE_BELOW}-threshold": "lots"},
            "Test: course grade below: When it is below (percent)",
            "Enter a number.",
        ),
        (
            {f"{k.TREND}-threshold": "0"},
            "Test: grade falling: When it falls by at least (points)",
            "Enter a number of points from 1 to 100.",
        ),
        (
            {f"{k.TREND}-weeks": "13"},
            "Test: grade falling: Over how many weeks",
            "Enter a number of weeks from 1 to 12.",
        ),
        (
            {f"{k.TREND}-weeks": "1.5"},
            "Test: grade falling: Over how many weeks",
            "Enter a whole number of weeks.",
        ),
    ],
)
def test_a_bad_threshold_names_the_field_and_changes_nothing(
    personas, kinds, changes, label, message
):
    sam = personas.sam
    sam.preferred_language = "en"
    sam.save()
    response = client_for(sam).post(
        url(personas.leo), answers(**{f"{k.MISSING}-enabled": "-", **changes})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert f">{label}</a>: {message}" in html
    assert 'aria-invalid="true"' in html
    assert not AlertRule.objects.exists()


def test_alerts_the_link_does_not_allow_are_not_offered_and_say_why(personas, kinds):
    html = main(client_for(personas.jordan).get(url(personas.leo)).content.decode())
    assert f'name="{k.GRADE_BELOW}-threshold"' not in html
    withheld = html.split('id="withheld-heading"', 1)[1]
    assert "The school does not share Leo’s “Grades” with you" in withheld  # noqa: RUF001
    assert "Test: course grade below" in withheld
    assert "Test: grade falling" in withheld
    assert "Test: missing work" not in withheld


def test_the_service_refuses_an_alert_the_link_does_not_allow(personas, kinds):
    child = alert_child_for_guardian(personas.jordan, personas.leo.pk)
    with pytest.raises(ValidationError) as raised:
        child_rules_update(
            guardian=personas.jordan,
            child=child,
            rules=[
                RuleInput(k.MISSING, enabled=False),
                RuleInput(k.GRADE_BELOW, enabled=True, threshold=Decimal(50)),
                RuleInput("no_such_alert", enabled=True),
                RuleInput(k.NEWS, enabled=True),  # not a per-child alert
            ],
        )
    assert set(raised.value.message_dict) == {
        f"rules.{k.GRADE_BELOW}.kind",
        "rules.no_such_alert.kind",
        f"rules.{k.NEWS}.kind",
    }
    assert not AlertRule.objects.exists()


def test_without_alerts_registered_the_page_says_so(personas):
    with registered_kinds([]):
        html = main(client_for(personas.jordan).get(url(personas.leo)).content.decode())
    assert "There are no alerts to choose about Leo yet." in html
    assert "<form" not in html.split("</h1>", 1)[1].split("</main>")[0]


def test_the_child_page_leads_to_the_alerts_but_the_printed_summary_does_not(personas, kinds):
    client = client_for(personas.jordan)
    page = client.get(f"/family/children/{personas.leo.pk}/").content.decode()
    assert f'href="{url(personas.leo)}">Set alerts about Leo</a>' in page
    printed = client.get(f"/family/children/{personas.leo.pk}/print/").content.decode()
    assert url(personas.leo) not in printed


def test_the_page_costs_the_same_with_or_without_rules_and_defaults(
    personas, kinds, django_assert_num_queries
):
    client = client_for(personas.sam)
    client.get(url(personas.leo))
    with CaptureQueriesContext(connection) as bare:
        client.get(url(personas.leo))
    for kind in (k.MISSING, k.GRADE_BELOW, k.TREND):
        SchoolAlertDefault.objects.create(school=personas.school, kind=kind, enabled=False)
        AlertRule.objects.create(guardian=personas.sam, child=personas.leo, kind=kind)
    with django_assert_num_queries(len(bare.captured_queries)):
        client.get(url(personas.leo))
