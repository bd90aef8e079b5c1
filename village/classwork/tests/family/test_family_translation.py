"""Teacher-written classwork in the family's language: asked for when the teacher saves it
(for the languages of the class's families only), translated by the worker (Apertium, for
real), and shown on the family pages with the original one tap away; families who read English
see what was written."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.authorization import api_client_for
from village.calendar.tests.calendar_data import feed_for, feed_path, read_events, unescape
from village.classwork.models import Assignment
from village.classwork.richtext import plain_text
from village.classwork.services.assignments import assignment_create, assignment_update
from village.classwork.services.events import class_event_create
from village.classwork.services.feedback import feedback_save
from village.classwork.services.topics import topic_create
from village.classwork.tests.factories import assignment
from village.classwork.tests.family.test_family_selectors import returned, topic
from village.classwork.translations import classes_ask
from village.demo.personas import Personas
from village.translation import worker
from village.translation.models import Translation, TranslationState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _apertium(settings) -> None:
    if shutil.which("apertium") is None:
        pytest.skip("Debian's apertium and apertium-eng-spa are not installed (make test-deps)")
    settings.VILLAGE_TRANSLATION_ENGINES = ["apertium"]


def get(user, path: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def spanish(text: str) -> str:
    """The translation the worker made of ``text`` into Spanish."""
    return Translation.objects.get(source=text, target_language="es", state="done").text


def squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def leos_week(p: Personas) -> Assignment:
    """Ms. Rivera's science class this week, written through the services: a topic, an event,
    work due soon, and feedback for Leo."""
    today = timezone.localdate()
    topic_create(
        school_class=p.science8,
        title="The water cycle",
        summary="Evaporation, condensation and rain.",
        starts_on=today - dt.timedelta(days=2),
        ends_on=today + dt.timedelta(days=5),
    )
    class_event_create(
        school_class=p.science8,
        title="Science fair",
        starts_at=timezone.now() + dt.timedelta(days=3),
        description="Bring your poster.",
    )
    work = assignment_create(
        school_class=p.science8,
        title="Water cycle poster",
        instructions="Draw **all four** stages of the water cycle.",
        created_by=p.rivera,
        assign_at=timezone.now() - dt.timedelta(days=3),
        due_at=timezone.now() + dt.timedelta(days=2),
        points=Decimal(10),
    )
    feedback_save(
        assignment=work,
        student=p.leo,
        graded_by=p.rivera,
        comment="Great work, Leo! Check the blorptastic label.",
        score=Decimal(9),
        return_to_student=True,
    )
    return work


def test_saving_asks_for_the_families_languages_only(personas):
    leos_week(personas)
    asked = Translation.objects.values_list("target_language", "state").distinct()
    assert set(asked) == {("es", TranslationState.PENDING)}  # Sam; Jordan reads English
    sources = set(Translation.objects.values_list("source", flat=True))
    assert sources == {
        "The water cycle",
        "Evaporation, condensation and rain.",
        "Science fair",
        "Bring your poster.",
        "Water cycle poster",
        "<p>Draw <strong>all four</strong> stages of the water cycle.</p>",
        "Great work, Leo! Check the blorptastic label.",
    }
    assert Translation.objects.get(source__startswith="Great work").keep == ["Leo", "Okoye"]


def test_a_class_whose_families_read_english_asks_for_nothing(personas):
    assignment_create(school_class=personas.sister_class, title="Book report", created_by=None)
    personas.sam.children_links.update(scope_classwork=False)
    assignment_create(school_class=personas.science8, title="Lab report", created_by=None)
    assert not Translation.objects.exists()


def test_changing_the_due_date_asks_for_nothing_more(personas):
    work = leos_week(personas)
    count = Translation.objects.count()
    assert work.due_at is not None
    with CaptureQueriesContext(connection) as queries:
        assignment_update(assignment=work, due_at=work.due_at + dt.timedelta(days=1))
    assert Translation.objects.count() == count
    assert not any("translation_" in query["sql"] for query in queries.captured_queries)
    assignment_update(assignment=work, title="Water cycle diagram")
    assert Translation.objects.filter(source="Water cycle diagram").exists()


def test_until_the_worker_has_run_sam_reads_what_was_written_with_a_note(personas):
    leos_week(personas)
    html = squeeze(get(personas.sam, reverse("families:child", args=[personas.leo.pk])))
    assert '<p class="fam-title" lang="en"><a href="' in html
    assert "Water cycle poster</a></p>" in html
    assert 'Idioma original: Inglés · <span class="mt-pending">Traducción en camino</span>' in html


def test_sam_reads_leos_page_in_spanish_with_the_original_one_tap_away(personas):
    work = leos_week(personas)
    assert worker.run()["translated"] == 7
    html = squeeze(get(personas.sam, reverse("families:child", args=[personas.leo.pk])))
    title = spanish("Water cycle poster")
    link = reverse("classwork:assignment", args=[work.pk])
    assert f'<p class="fam-title"><a href="{link}">{title}</a></p>' in html
    assert "Traducción automática. Idioma original: Inglés" in html
    original = '<div class="mt-original-text" lang="en">Water cycle poster</div>'
    assert f"<summary>Ver el original</summary> {original}" in html
    comment = spanish("Great work, Leo! Check the blorptastic label.")
    assert "Leo" in comment
    assert comment in html
    assert "Dudosa: algunas palabras no se tradujeron" in html
    assert '(<span lang="en">blorptastic</span>)' in html
    for source in ("The water cycle", "Evaporation, condensation and rain.", "Science fair"):
        assert spanish(source) in html


def test_jordan_reads_english_and_sees_no_translation(personas):
    leos_week(personas)
    worker.run()
    html = get(personas.jordan, reverse("families:child", args=[personas.leo.pk]))
    assert "Water cycle poster" in html
    assert "Science fair" in html
    assert "mt-note" not in html
    assert "Machine-translated" not in html


def test_the_work_page_shows_title_instructions_and_feedback_in_spanish(personas):
    work = leos_week(personas)
    worker.run()
    html = squeeze(get(personas.sam, reverse("classwork:assignment", args=[work.pk])))
    assert f'<h1 class="page-title">{spanish("Water cycle poster")}</h1>' in html
    instructions = spanish("<p>Draw <strong>all four</strong> stages of the water cycle.</p>")
    assert instructions.startswith("<p>")
    assert "<strong>" in instructions
    assert f'<div class="rich-text">{instructions}</div>' in html
    assert (
        '<div class="mt-original-text" lang="en"><p>Draw <strong>all four</strong> stages of the '
        "water cycle.</p></div>"
    ) in html
    assert spanish("Great work, Leo! Check the blorptastic label.") in html
    assert '<span lang="en">The water cycle</span>' not in html


def test_the_home_page_shows_the_weeks_work_and_feedback_in_spanish(personas):
    leos_week(personas)
    worker.run()
    html = get(personas.sam, "/")
    assert spanish("Water cycle poster") in html
    assert spanish("Science fair") in html
    assert "Ver el original" in html


def test_the_home_page_kept_while_translations_are_on_their_way_is_kept_briefly(personas):
    leos_week(personas)
    client = Client()
    client.force_login(personas.sam)
    assert "Traducción en camino" in client.get("/").content.decode()
    worker.run()
    assert "Traducción en camino" in client.get("/").content.decode()  # kept for now
    later = timezone.now() + dt.timedelta(seconds=40)
    with time_machine.travel(later):
        html = client.get("/").content.decode()
    assert "Traducción en camino" not in html
    assert spanish("Water cycle poster") in html


def test_the_printed_summary_marks_translations(personas):
    leos_week(personas)
    worker.run()
    html = get(personas.sam, reverse("families:child_print", args=[personas.leo.pk]))
    assert spanish("Water cycle poster") in html
    assert (
        "Lo que escribieron los docentes es una traducción automática (idioma original: "
        "Inglés); Village muestra el original."
    ) in html
    assert '<details class="mt-original">' not in html
    assert "Traducción en camino" not in html


def test_the_child_page_reads_its_translations_in_one_query(personas):
    leos_week(personas)
    worker.run()
    client = Client()
    client.force_login(personas.sam)
    path = reverse("families:child", args=[personas.leo.pk])
    client.get(path)
    caches["pages"].clear()  # the page built, not its sections kept by the last request
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    reads = [q["sql"] for q in queries.captured_queries if "translation_translation" in q["sql"]]
    assert len(reads) == 1


def test_classwork_written_in_bulk_is_asked_for_all_at_once(personas):
    p = personas
    work = assignment(p.science8, "Density lab", instructions="<p>Measure twice.</p>")
    assignment(p.science8, "Teachers only", visible_to_families=False)
    topic(p.science8, "Matter", "Solids, liquids and gases.")
    returned(work, p.leo, comment="Well measured, Leo.")
    assignment(p.sister_class, "Oak Hill poem")  # Olga reads English
    with CaptureQueriesContext(connection) as queries:
        asked = classes_ask([p.science8.pk, p.sister_class.pk])
    assert asked == 5
    assert len(queries) == 7  # families, work, topics, events, feedback; version and insert
    rows = Translation.objects.values_list("source", "target_language", "keep")
    assert sorted(rows) == [
        ("<p>Measure twice.</p>", "es", []),
        ("Density lab", "es", []),
        ("Matter", "es", []),
        ("Solids, liquids and gases.", "es", []),
        ("Well measured, Leo.", "es", ["Leo", "Okoye"]),
    ]
    worker.run()
    html = get(p.sam, reverse("classwork:assignment", args=[work.pk]))
    assert spanish("Well measured, Leo.") in html


def test_sams_weekly_digest_carries_the_teachers_words_in_spanish(personas):
    """The digest reads the batch's translations once per language; Jordan reads English."""
    from village.notifications import digest

    leos_week(personas)
    worker.run()
    composed = digest.preview(personas.sam)
    assert composed is not None
    comment = spanish("Great work, Leo! Check the blorptastic label.")
    body = squeeze(str(composed.body))
    assert comment in body
    assert "Great work, Leo!" not in body
    assert '<span class="dg-mt">traducción automática</span>' in body
    assert "[traducción automática]" in composed.text
    english = digest.preview(personas.jordan)
    assert english is not None
    assert "Great work, Leo! Check the blorptastic label." in english.text
    assert "machine-translated" not in english.text


# --- the family API --------------------------------------------------------------------------


def api(user, path: str) -> dict:
    response = api_client_for(user).get(path)
    assert response.status_code == 200, path
    return response.json()


def test_the_family_api_gives_sam_the_spanish_beside_what_was_written(personas):
    work = leos_week(personas)
    worker.run()
    page = api(personas.sam, f"/api/v1/family/children/{personas.leo.pk}")
    (item,) = [w for w in page["recent_feedback"] if w["assignment_id"] == work.pk]
    assert item["title"] == "Water cycle poster"  # as written, as before
    assert item["title_shown"] == {
        "text": spanish("Water cycle poster"),
        "language": "es",
        "translated": True,
        "uncertain": [],
        "original_language": "en",
    }
    comment = item["comment_shown"]
    assert comment["text"] == spanish("Great work, Leo! Check the blorptastic label.")
    assert comment["uncertain"] == ["blorptastic"]
    (water,) = [t for t in page["topics"] if t["title"] == "The water cycle"]
    assert water["title_shown"]["text"] == spanish("The water cycle")
    assert water["summary_shown"]["text"] == spanish("Evaporation, condensation and rain.")
    overview = api(personas.sam, "/api/v1/family/overview")
    (due,) = [w for w in overview["this_week"] if w["assignment_id"] == work.pk]
    assert due["title_shown"]["text"] == spanish("Water cycle poster")
    assert due["title_shown"]["translated"] is True


def test_the_family_api_before_the_worker_and_for_an_english_reader(personas):
    work = leos_week(personas)
    page = api(personas.sam, f"/api/v1/family/children/{personas.leo.pk}")
    (item,) = [w for w in page["upcoming"] if w["assignment_id"] == work.pk]
    assert item["title_shown"]["text"] == "Water cycle poster"
    assert item["title_shown"]["translated"] is False
    assert item["title_shown"]["language"] == "en"
    worker.run()
    page = api(personas.jordan, f"/api/v1/family/children/{personas.leo.pk}")
    (item,) = [w for w in page["upcoming"] if w["assignment_id"] == work.pk]
    assert item["title_shown"] == {
        "text": "Water cycle poster",
        "language": "en",
        "translated": False,
        "uncertain": [],
        "original_language": "en",
    }
    assert item["comment_shown"] is None or item["comment_shown"]["translated"] is False


# --- the calendar feed -------------------------------------------------------------------------


def feed_events(user) -> dict[str, dict[str, str]]:
    """The events of ``user``'s family feed, by UID (without the site)."""
    _feed, token = feed_for(user)
    response = Client().get(feed_path(token))
    assert response.status_code == 200
    return {event["UID"].split("@")[0]: event for event in read_events(response.content.decode())}


def test_sams_calendar_feed_gives_the_work_and_events_in_spanish_naming_the_original(personas):
    work = leos_week(personas)
    worker.run()
    events = feed_events(personas.sam)
    due = events[f"assignment-{work.pk}-student-{personas.leo.pk}"]
    assert spanish("Water cycle poster") in unescape(due["SUMMARY"])
    details = unescape(due["DESCRIPTION"])
    assert "Idioma original: Inglés. Texto original: Water cycle poster" in details
    instructions = spanish("<p>Draw <strong>all four</strong> stages of the water cycle.</p>")
    assert plain_text(instructions) in details  # the instructions, translated
    (fair,) = [e for uid, e in events.items() if uid.startswith("classevent-")]
    assert spanish("Science fair") in unescape(fair["SUMMARY"])
    assert spanish("Bring your poster.") in unescape(fair["DESCRIPTION"])


def test_jordans_feed_stays_as_written(personas):
    work = leos_week(personas)
    worker.run()
    events = feed_events(personas.jordan)
    due = events[f"assignment-{work.pk}-student-{personas.leo.pk}"]
    assert unescape(due["SUMMARY"]) == "Leo: Water cycle poster (due)"
    assert "Machine-translated" not in unescape(due["DESCRIPTION"])


def test_before_the_worker_the_feed_shows_what_was_written(personas):
    work = leos_week(personas)
    events = feed_events(personas.sam)
    due = events[f"assignment-{work.pk}-student-{personas.leo.pk}"]
    assert "Water cycle poster" in unescape(due["SUMMARY"])
    assert "Original" not in unescape(due["DESCRIPTION"])
