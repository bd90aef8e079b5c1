"""Two workers at once on PostgreSQL: each text is translated once (rows are claimed
``FOR UPDATE SKIP LOCKED`` with a lease)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from village.translation import services, worker
from village.translation.models import Translation, TranslationState
from village.translation.texts import Text

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]

TEXTS = 600


def test_two_workers_translate_each_text_exactly_once(personas, counting):
    texts = [Text(f"Note number {number}", "en") for number in range(TEXTS)]
    services.request(school_id=personas.school.pk, texts=texts, targets=["es"])
    start = threading.Barrier(2)

    def drain() -> None:
        start.wait()
        try:
            while worker.run()["translated"]:
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent = Counter(text for call in counting.calls for text in call)
    assert len(sent) == TEXTS
    assert set(sent.values()) == {1}
    assert Translation.objects.filter(state=TranslationState.DONE).count() == TEXTS
    assert len(counting.calls) >= TEXTS // worker.BATCH
