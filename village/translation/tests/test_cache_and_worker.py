"""The cache of translations and the worker that fills it: asked for when text is saved,
computed in the background, read by pages in one query, made again after a glossary change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from village.demo.personas import Personas
from village.translation import selectors, services, worker
from village.translation.models import GlossaryRule, Translation, TranslationState
from village.translation.tests.fakes import CountingEngine
from village.translation.texts import Reason, Text

pytestmark = pytest.mark.django_db

NOTE = Text("Bring the form, Ada.", "en", keep=("Ada",))


def ask(p: Personas, *texts: Text, targets=("es",)) -> int:
    return services.request(school_id=p.school.pk, texts=list(texts or [NOTE]), targets=targets)


def shown(p: Personas, text: Text = NOTE, target: str = "es"):
    return selectors.lookup(school_id=p.school.pk, texts=[text], target=target)[text]


def test_asking_writes_one_pending_row_per_text_and_language_in_two_queries(personas, counting):
    texts = [Text(f"Note {number}", "en") for number in range(10)]
    with CaptureQueriesContext(connection) as queries:
        asked = services.request(
            school_id=personas.school.pk, texts=texts, targets=["es", "vi", "en", "es-MX"]
        )
    assert asked == 20
    assert len(queries) == 2
    assert Translation.objects.filter(state=TranslationState.PENDING).count() == 20
    assert counting.calls == []  # nothing is translated while the sender waits
    assert services.request(school_id=personas.school.pk, texts=texts, targets=["es"]) == 10
    assert Translation.objects.count() == 20


def test_nothing_to_ask_asks_nothing(personas, counting):
    with CaptureQueriesContext(connection) as queries:
        assert ask(personas, Text("Hello", "en"), targets=["en", "en-GB"]) == 0
        assert ask(personas, Text("  ", "en")) == 0
    assert len(queries) == 0


def test_the_worker_translates_and_the_page_finds_it(personas, counting):
    ask(personas)
    assert shown(personas).reason == Reason.PENDING
    outcome = worker.run()
    assert outcome["translated"] == 1
    found = shown(personas)
    assert found.translated
    assert found.text == "BRING THE FORM, Ada."  # the name kept as written
    assert found.language == "es"
    assert found.original == "Bring the form, Ada."
    assert found.engine == "counting"


def test_a_cached_translation_makes_no_engine_call(personas, counting):
    ask(personas)
    worker.run()
    calls = len(counting.calls)
    ask(personas)
    worker.run()
    assert shown(personas).translated
    assert len(counting.calls) == calls == 1


def test_texts_of_a_group_go_to_the_engine_in_one_call(personas, counting):
    ask(personas, *[Text(f"Note {number}", "en") for number in range(40)])
    worker.run()
    assert len(counting.calls) == 1
    assert len(counting.calls[0]) == 40


def test_a_page_reads_many_texts_in_one_query_and_none_in_its_own_language(personas, counting):
    texts = [Text(f"Note {number}", "en") for number in range(25)]
    ask(personas, *texts)
    worker.run()
    with CaptureQueriesContext(connection) as queries:
        found = selectors.lookup(school_id=personas.school.pk, texts=texts, target="es")
    assert len(queries) == 1
    assert all(one.translated for one in found.values())
    with CaptureQueriesContext(connection) as queries:
        same = selectors.lookup(school_id=personas.school.pk, texts=texts, target="en-US")
    assert len(queries) == 0
    assert {one.reason for one in same.values()} == {Reason.SAME_LANGUAGE}


def test_texts_of_classes_are_found_at_each_class_school(personas, counting):
    text = Text("Bring the form.", "en")
    services.request(school_id=personas.school.pk, texts=[text], targets=["es"])
    worker.run()
    wanted = {personas.homeroom5.pk: [text], personas.sister_class.pk: [text]}
    with CaptureQueriesContext(connection) as queries:
        found = selectors.lookup_classes(wanted, target="es")
    assert len(queries) == 1
    assert found[(personas.homeroom5.pk, text)].translated
    assert found[(personas.sister_class.pk, text)].reason == Reason.NOT_REQUESTED


def test_no_engine_for_the_pair_shows_the_original_and_looks_again_a_day_later(personas, counting):
    ask(personas, targets=["vi"])
    now = timezone.now()
    assert worker.run(now)["unsupported"] == 1
    found = shown(personas, target="vi")
    assert found.reason == Reason.NO_ENGINE
    assert found.text == found.original == "Bring the form, Ada."
    assert found.language == "en"
    assert worker.run(now + dt.timedelta(hours=23))["unsupported"] == 0
    counting.pairs = {*counting.pairs, ("en", "vi")}
    try:
        assert worker.run(now + dt.timedelta(days=1, minutes=1))["translated"] == 1
    finally:
        counting.pairs = {("en", "es"), ("en", "fr"), ("es", "en")}
    assert shown(personas, target="vi").translated


# --- the glossary -------------------------------------------------------------------------------


def test_a_glossary_change_makes_the_schools_translations_again(personas, counting):
    text = Text("Bring the field trip form.", "en")
    ask(personas, text)
    worker.run()
    assert shown(personas, text).text == "BRING THE FIELD TRIP FORM."
    services.glossary_term_save(
        school=personas.school,
        term="Field trip",
        rule=GlossaryRule.TRANSLATE_AS,
        target_language="es",
        replacement="excursión",
        changed_by=personas.nguyen,
    )
    assert shown(personas, text).reason == Reason.NOT_REQUESTED  # the old one is stale
    outcome = worker.run()
    assert outcome["refreshed"] == 1
    assert outcome["translated"] == 1
    assert shown(personas, text).text == "BRING THE excursión FORM."
    assert Translation.objects.count() == 1


def test_a_term_kept_for_every_language_and_the_schools_class_names(personas, counting):
    services.glossary_term_save(
        school=personas.school, term="IEP", rule=GlossaryRule.KEEP, changed_by=personas.nguyen
    )
    text = Text("Grade 5 Homeroom: bring the iep form.", "en")
    ask(personas, text)
    worker.run()
    assert shown(personas, text).text == "Grade 5 Homeroom: BRING THE iep FORM."


def test_another_schools_glossary_changes_nothing_here(personas, counting):
    ask(personas)
    worker.run()
    services.glossary_term_save(
        school=personas.sister_school,
        term="form",
        rule=GlossaryRule.KEEP,
        changed_by=None,
    )
    assert worker.run()["refreshed"] == 0
    assert shown(personas).translated


# --- leases, retries and failures ---------------------------------------------------------------


def test_two_workers_never_take_the_same_rows(personas, counting):
    ask(personas, *[Text(f"Note {number}", "en") for number in range(5)])
    now = timezone.now()
    _first, mine = worker.claim(batch=3, now=now)
    _second, theirs = worker.claim(batch=10, now=now)
    assert len(mine) == 3
    assert len(theirs) == 2
    assert not {row.pk for row in mine} & {row.pk for row in theirs}
    assert worker.claim(now=now)[1] == []
    later = now + dt.timedelta(seconds=worker.lease_seconds() + 1)
    assert len(worker.claim(now=later)[1]) == 5  # a worker that died lets go


def test_a_row_another_worker_took_over_is_not_written_by_the_first(personas, counting):
    ask(personas)
    now = timezone.now()
    token, rows = worker.claim(now=now)
    later = now + dt.timedelta(seconds=worker.lease_seconds() + 1)
    other, taken = worker.claim(now=later)
    assert [row.pk for row in taken] == [row.pk for row in rows]
    worker.compute(rows, token, now=now)
    assert Translation.objects.get().lease == other


def test_an_engine_failure_is_tried_again_later_then_failed(personas, counting, settings):
    settings.VILLAGE_TRANSLATION_MAX_ATTEMPTS = 3
    settings.VILLAGE_TRANSLATION_BACKOFF_SECONDS = 60
    ask(personas)
    counting.fail = True
    now = timezone.now()
    assert worker.run(now)["retried"] == 1
    row = Translation.objects.get()
    assert (row.attempts, row.state, row.error) == (1, "pending", "The engine is down.")
    assert row.next_attempt_at == now + dt.timedelta(seconds=60)
    assert worker.run(now + dt.timedelta(seconds=59))["retried"] == 0
    assert worker.run(now + dt.timedelta(seconds=60))["retried"] == 1
    assert Translation.objects.get().next_attempt_at == now + dt.timedelta(seconds=180)
    assert shown(personas).reason == Reason.PENDING
    assert worker.run(now + dt.timedelta(seconds=180))["failed"] == 1
    row = Translation.objects.get()
    assert (row.attempts, row.state) == (3, "failed")
    assert shown(personas).reason == Reason.FAILED
    assert worker.run(now + dt.timedelta(days=1)) == dict.fromkeys(
        ["translated", "unsupported", "retried", "failed", "refreshed"], 0
    )


def test_backoff_doubles_up_to_six_hours(settings):
    settings.VILLAGE_TRANSLATION_BACKOFF_SECONDS = 60
    assert [worker.backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert worker.backoff(30) == dt.timedelta(hours=6)


def test_village_worker_translates_on_its_passes(personas, counting):
    ask(personas)
    call_command("worker", "--burst", "--purge-every", "0", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert shown(personas).translated


def test_an_engine_class_by_dotted_path_must_be_an_engine(settings):
    from django.core.exceptions import ImproperlyConfigured

    from village.translation import engines

    settings.VILLAGE_TRANSLATION_ENGINES = ["village.translation.tests.fakes.Behaviour"]
    with pytest.raises(ImproperlyConfigured, match="supports"):
        engines.configured()
    settings.VILLAGE_TRANSLATION_ENGINES = ["no.such.Engine"]
    with pytest.raises(ImproperlyConfigured, match="dotted path"):
        engines.configured()


def test_counting_engine_is_configured_by_its_dotted_path(counting):
    from village.translation import engines

    [engine] = engines.configured()
    assert isinstance(engine, CountingEngine)
