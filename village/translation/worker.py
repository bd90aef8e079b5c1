"""Computing translations in the background (``village worker`` calls ``run`` on every pass).

A pass first moves the translations of schools whose glossary changed to the new version (as
pending rows: they are made again), then **claims** due rows in batches with a lease (on
PostgreSQL the candidates are read ``FOR UPDATE SKIP LOCKED``, and the claiming ``UPDATE``
checks again that a row is free, so two workers never take the same row) and translates each
batch grouped by school and pair: one engine call per group.

- no configured engine has the pair: the row is *unsupported* (the original shows, with its
  language named) and looked at again a day later, in case an engine was added;
- the engine fails (``TranslationError``: a timeout, an error answer): the row is tried again
  after ``VILLAGE_TRANSLATION_BACKOFF_SECONDS``, doubled per attempt (at most six hours), and
  is *failed* after ``VILLAGE_TRANSLATION_MAX_ATTEMPTS``;
- a worker killed mid-batch loses nothing: its rows are free again once the lease ends.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from village.translation import engines, markup
from village.translation.engines import TranslationEngine, TranslationError
from village.translation.models import GlossaryVersion, Translation, TranslationState
from village.translation.selectors import Glossary, glossary_for

logger = logging.getLogger(__name__)

#: Rows per claim, and claims per pass (the rest waits for the next pass).
BATCH = 100
BATCHES_PER_PASS = 20
MAX_BACKOFF = dt.timedelta(hours=6)
#: An unsupported pair is looked at again after this long.
RECHECK_UNSUPPORTED = dt.timedelta(days=1)
_DUE_STATES = (TranslationState.PENDING, TranslationState.UNSUPPORTED)


@dataclass
class Outcome:
    translated: int = 0
    unsupported: int = 0
    retried: int = 0
    failed: int = 0
    refreshed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "translated": self.translated,
            "unsupported": self.unsupported,
            "retried": self.retried,
            "failed": self.failed,
            "refreshed": self.refreshed,
        }


def run(now: dt.datetime | None = None) -> dict[str, int]:
    """One pass: what a glossary change made stale, then up to ``BATCHES_PER_PASS`` claims."""
    now = now or timezone.now()
    outcome = Outcome(refreshed=refresh_stale(now=now))
    for _ in range(BATCHES_PER_PASS):
        token, rows = claim(now=now)
        if not rows:
            break
        compute(rows, token, now=now, outcome=outcome)
    return outcome.as_dict()


def lease_seconds() -> int:
    return int(settings.VILLAGE_TRANSLATION_LEASE_SECONDS)


def claim(*, batch: int = BATCH, now: dt.datetime | None = None) -> tuple[str, list[Translation]]:
    """Take up to ``batch`` due rows for this worker: its lease token and the rows."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    due = Translation.objects.filter(free, state__in=_DUE_STATES, next_attempt_at__lte=now)
    with transaction.atomic():
        candidates = due.order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("id", flat=True)[:batch])
        if not ids:
            return token, []
        due.filter(id__in=ids).update(
            lease=token, lease_until=now + dt.timedelta(seconds=lease_seconds())
        )
    return token, list(Translation.objects.filter(lease=token).order_by("id"))


def refresh_stale(*, now: dt.datetime, batch: int = 500) -> int:
    """Rows made under an older glossary of their school become pending rows of the current
    one (or give way to a row of it already asked for), ``batch`` at a time; a school is done
    when none is left (``GlossaryVersion.refreshed``)."""
    moved = 0
    for school_id, version in GlossaryVersion.objects.filter(
        refreshed__lt=F("version")
    ).values_list("school_id", "version"):
        stale = Translation.objects.filter(school_id=school_id, glossary_version__lt=version)
        while True:
            with transaction.atomic():
                rows = list(stale.order_by("id")[:batch])
                Translation.objects.filter(pk__in=[row.pk for row in rows]).delete()
                again = [_again(row, version, now) for row in rows]
                Translation.objects.bulk_create(again, ignore_conflicts=True)
            moved += len(rows)
            if len(rows) < batch:
                break
        GlossaryVersion.objects.filter(school_id=school_id, version=version).update(
            refreshed=version
        )
    return moved


def _again(row: Translation, version: int, now: dt.datetime) -> Translation:
    return Translation(
        school_id=row.school_id,
        source_language=row.source_language,
        target_language=row.target_language,
        digest=row.digest,
        glossary_version=version,
        source=row.source,
        is_html=row.is_html,
        keep=row.keep,
        next_attempt_at=now,
    )


def compute(
    rows: list[Translation], token: str, *, now: dt.datetime, outcome: Outcome | None = None
) -> Outcome:
    """Translate claimed rows, one engine call per school and pair, and record each outcome
    on the rows this worker still holds."""
    outcome = outcome or Outcome()
    groups: dict[tuple[int, str, str], list[Translation]] = defaultdict(list)
    for row in rows:
        groups[(row.school_id, row.source_language, row.target_language)].append(row)
    available = engines.configured()
    for (school_id, source, target), group in groups.items():
        glossary = glossary_for(school_id, source, target)
        current = [row for row in group if row.glossary_version == glossary.version]
        _release([row for row in group if row.glossary_version != glossary.version], token)
        if current:
            _compute_group(current, token, available, glossary, now=now, outcome=outcome)
    return outcome


def _compute_group(
    rows: list[Translation],
    token: str,
    available: list[TranslationEngine],
    glossary: Glossary,
    *,
    now: dt.datetime,
    outcome: Outcome,
) -> None:
    source, target = rows[0].source_language, rows[0].target_language
    try:
        engine = engines.choose(available, source, target)
        if engine is None:
            _unsupported(rows, token, now=now)
            outcome.unsupported += len(rows)
            return
        masks = [_mask(row, glossary) for row in rows]
        results = engine.translate([mask.fragment for mask in masks], source, target)
        if len(results) != len(rows):
            raise TranslationError(f"{engine.name} answered {len(results)} of {len(rows)} texts.")
    except TranslationError as error:
        _retry(rows, token, str(error), now=now, outcome=outcome)
        return
    except Exception as error:  # an engine's defect: logged, and tried again like a failure
        logger.exception("Translating %s→%s failed", source, target)
        _retry(rows, token, f"{type(error).__name__}: {error}", now=now, outcome=outcome)
        return
    for row, mask, result in zip(rows, masks, results, strict=True):
        back = markup.unmask(mask, result.text)
        row.state, row.text, row.engine = TranslationState.DONE, back.text, engine.name
        row.uncertain = list(dict.fromkeys([*result.unknown, *back.lost]))
        row.translated_at, row.error, row.lease, row.lease_until = now, "", "", None
    _save_held(rows, token, ["state", "text", "engine", "uncertain", "translated_at", "error"])
    outcome.translated += len(rows)


def _mask(row: Translation, glossary: Glossary) -> markup.Masked:
    keep = [*row.keep, *glossary.class_names]
    return markup.mask(row.source, is_html=row.is_html, keep=keep, rules=glossary.rules)


def _unsupported(rows: list[Translation], token: str, *, now: dt.datetime) -> None:
    for row in rows:
        row.state, row.engine, row.error = TranslationState.UNSUPPORTED, "", ""
        row.next_attempt_at, row.lease, row.lease_until = now + RECHECK_UNSUPPORTED, "", None
    _save_held(rows, token, ["state", "engine", "error", "next_attempt_at"])


def backoff(attempts: int) -> dt.timedelta:
    """The wait before attempt ``attempts + 1``: doubled per attempt, at most six hours."""
    base = dt.timedelta(seconds=settings.VILLAGE_TRANSLATION_BACKOFF_SECONDS)
    return min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def _retry(
    rows: list[Translation], token: str, error: str, *, now: dt.datetime, outcome: Outcome
) -> None:
    for row in rows:
        row.attempts += 1
        row.error = error[:300]
        row.lease, row.lease_until = "", None
        if row.attempts >= settings.VILLAGE_TRANSLATION_MAX_ATTEMPTS:
            row.state = TranslationState.FAILED
            outcome.failed += 1
        else:
            row.state = TranslationState.PENDING
            row.next_attempt_at = now + backoff(row.attempts)
            outcome.retried += 1
    _save_held(rows, token, ["attempts", "error", "state", "next_attempt_at"])


def _release(rows: list[Translation], token: str) -> None:
    """Let go of rows another pass will make again (their glossary changed meanwhile)."""
    if rows:
        Translation.objects.filter(pk__in=[row.pk for row in rows], lease=token).update(
            lease="", lease_until=None
        )


def _save_held(rows: list[Translation], token: str, fields: list[str]) -> None:
    """Write ``fields`` (and the lease's end) of the rows this worker still holds."""
    with transaction.atomic():
        held = set(
            Translation.objects.select_for_update()
            .filter(pk__in=[row.pk for row in rows], lease=token)
            .values_list("pk", flat=True)
        )
        mine = [row for row in rows if row.pk in held]
        changed = timezone.now()
        for row in mine:
            row.lease, row.lease_until, row.updated_at = "", None, changed
        Translation.objects.bulk_update(mine, [*fields, "lease", "lease_until", "updated_at"])
