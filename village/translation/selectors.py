"""Reading translations for pages: what each text shows a reader, from the cache only.

Every lookup is one query, however many texts and schools: a page gathers its texts and asks
once. Texts in the reader's language need no query at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from village.community.models import SchoolClass
from village.translation import languages, markup
from village.translation.models import (
    GlossaryRule,
    GlossaryTerm,
    GlossaryVersion,
    Translation,
    TranslationState,
)
from village.translation.texts import Reason, Shown, Text

_REASONS = {
    TranslationState.PENDING: Reason.PENDING,
    TranslationState.FAILED: Reason.FAILED,
    TranslationState.UNSUPPORTED: Reason.NO_ENGINE,
}


def _current_version() -> Coalesce:
    """The glossary version of each row's school, in SQL (0 before its first change)."""
    version = GlossaryVersion.objects.filter(school_id=OuterRef("school_id")).values("version")
    return Coalesce(Subquery(version[:1]), Value(0), output_field=IntegerField())


def _shown(text: Text, target: str, row: tuple[str, str, list[str], str] | None) -> Shown:
    if row is None:
        return Shown.as_written(text, Reason.NOT_REQUESTED)
    state, translated, uncertain, engine = row
    if state != TranslationState.DONE:
        return Shown.as_written(text, _REASONS[TranslationState(state)])
    return Shown.translation(text, target, translated, uncertain, engine)


def _split(
    wanted: Mapping[int, Iterable[Text]], target: str
) -> tuple[dict[tuple[int, Text], Shown], dict[tuple[int, Text], Text]]:
    """Texts the reader reads as written, and those to look up, by (place, text)."""
    done: dict[tuple[int, Text], Shown] = {}
    asked: dict[tuple[int, Text], Text] = {}
    for place, texts in wanted.items():
        for text in texts:
            if text.blank or languages.same(text.language, target):
                done[(place, text)] = Shown.as_written(text, Reason.SAME_LANGUAGE)
            else:
                asked[(place, text)] = text
    return done, asked


def _rows(
    found: QuerySet[Translation], place: str, asked: dict[tuple[int, Text], Text], target: str
) -> dict[tuple[int, str, str], tuple[str, str, list[str], str]]:
    rows = (
        found.filter(
            target_language=languages.key(target),
            digest__in=sorted({text.digest for text in asked.values()}),
        )
        .annotate(current=_current_version())
        .filter(glossary_version=F("current"))
        .values_list(place, "source_language", "digest", "state", "text", "uncertain", "engine")
    )
    return {(row[0], row[1], row[2]): row[3:] for row in rows}


def lookup_schools(
    wanted: Mapping[int, Iterable[Text]], *, target: str
) -> dict[tuple[int, Text], Shown]:
    """What each text of each school (``{school id: texts}``) shows a reader of ``target``,
    keyed by (school id, text), in one query."""
    done, asked = _split(wanted, target)
    if asked:
        schools = sorted({school for school, _text in asked})
        rows = _rows(Translation.objects.filter(school_id__in=schools), "school_id", asked, target)
        for (school, text), _same in asked.items():
            row = rows.get((school, languages.key(text.language), text.digest))
            done[(school, text)] = _shown(text, target, row)
    return done


def lookup(*, school_id: int, texts: Iterable[Text], target: str) -> dict[Text, Shown]:
    """What each text written at ``school_id`` shows a reader of ``target`` (one query)."""
    found = lookup_schools({school_id: list(texts)}, target=target)
    return {text: shown for (_school, text), shown in found.items()}


def lookup_targets(
    *, school_id: int, texts: Iterable[Text], targets: Iterable[str]
) -> dict[str, dict[Text, Shown]]:
    """What each text written at ``school_id`` shows readers of each of ``targets`` (keyed by
    the target as given), in one query whatever the number of targets: what an email written
    once per language of its readers needs."""
    wanted = list(texts)
    tags = list(dict.fromkeys(targets))
    asked = {
        text
        for tag in tags
        for text in wanted
        if not text.blank and not languages.same(text.language, tag)
    }
    rows: dict[tuple[str, str, str], tuple[str, str, list[str], str]] = {}
    if asked:
        found = Translation.objects.filter(
            school_id=school_id,
            target_language__in=sorted({languages.key(tag) for tag in tags}),
            digest__in=sorted({text.digest for text in asked}),
        )
        values = (
            found.annotate(current=_current_version())
            .filter(glossary_version=F("current"))
            .values_list(
                "target_language",
                "source_language",
                "digest",
                "state",
                "text",
                "uncertain",
                "engine",
            )
        )
        rows = {(row[0], row[1], row[2]): row[3:] for row in values}
    result: dict[str, dict[Text, Shown]] = {}
    for tag in tags:
        shown: dict[Text, Shown] = {}
        for text in wanted:
            if text.blank or languages.same(text.language, tag):
                shown[text] = Shown.as_written(text, Reason.SAME_LANGUAGE)
                continue
            row = rows.get((languages.key(tag), languages.key(text.language), text.digest))
            shown[text] = _shown(text, tag, row)
        result[tag] = shown
    return result


def lookup_classes(
    wanted: Mapping[int, Iterable[Text]], *, target: str
) -> dict[tuple[int, Text], Shown]:
    """As ``lookup_schools`` for texts of classes (``{class id: texts}``), each at its class's
    school, read in the same query."""
    done, asked = _split(wanted, target)
    if asked:
        classes = sorted({class_id for class_id, _text in asked})
        found = Translation.objects.filter(school__classes__id__in=classes)
        rows = _rows(found, "school__classes__id", asked, target)
        for (class_id, text), _same in asked.items():
            row = rows.get((class_id, languages.key(text.language), text.digest))
            done[(class_id, text)] = _shown(text, target, row)
    return done


# --- the glossary -------------------------------------------------------------------------------


def glossary_terms(school_id: int) -> QuerySet[GlossaryTerm]:
    """The school's glossary, by term (one query)."""
    return GlossaryTerm.objects.filter(school_id=school_id).select_related("updated_by")


def glossary_version(school_id: int) -> int:
    found = GlossaryVersion.objects.filter(school_id=school_id).values_list("version", flat=True)
    return next(iter(found), 0)


@dataclass(frozen=True, slots=True)
class Glossary:
    """A school's glossary for one pair, at one version, with its class names."""

    version: int
    rules: tuple[markup.GlossaryRule, ...]
    class_names: tuple[str, ...]


def glossary_for(school_id: int, source: str, target: str) -> Glossary:
    """The rules of the school's glossary from ``source`` into ``target`` (a term kept for
    every language gives way to one translated into this one), its version and the school's
    class names (four queries: the version is read before and after the terms, so both agree)."""
    while True:
        version = glossary_version(school_id)
        terms = GlossaryTerm.objects.filter(
            Q(target_language=languages.key(target)) | Q(target_language=""),
            school_id=school_id,
            source_language=languages.key(source),
        ).values_list("term", "rule", "replacement", "target_language")
        rules: dict[str, markup.GlossaryRule] = {}
        for term, rule, replacement, _target in sorted(terms, key=lambda row: bool(row[3])):
            kept = rule == GlossaryRule.KEEP
            rules[term.lower()] = markup.GlossaryRule(term, "" if kept else replacement)
        if glossary_version(school_id) == version:
            break
    names = SchoolClass.objects.filter(school_id=school_id).values_list("title", flat=True)
    return Glossary(version, tuple(rules.values()), tuple(sorted(set(names))))
