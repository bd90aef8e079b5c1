"""Asking for translations, and changing a school's glossary.

``request`` is what an app calls when someone saves text others read in another language: it
writes the rows the worker will compute, in the caller's transaction, and never translates.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from village.accounts.languages import language_code
from village.accounts.models import User
from village.community.models import Organisation
from village.core.text import single_line
from village.translation import languages
from village.translation.models import GlossaryRule, GlossaryTerm, GlossaryVersion, Translation
from village.translation.selectors import glossary_version
from village.translation.texts import Text

#: The longest term (and translation) a glossary holds.
TERM_MAX = 100


def request(*, school_id: int, texts: Iterable[Text], targets: Iterable[str]) -> int:
    """Ask for each text written at ``school_id`` in each of ``targets`` (language tags; the
    text's own language and blank tags are skipped). Rows already asked for are left as they
    are. Two queries (the glossary version, one ``INSERT`` in as few batches as the database
    takes), none when there is nothing to ask; the caller's transaction holds them. Returns how many
    (text, language) pairs were asked."""
    wanted = sorted({languages.key(target) for target in targets} - {""})
    rows: dict[tuple[str, str, str], Translation] = {}
    for text in texts:
        source = languages.key(text.language)
        if text.blank or not source:
            continue
        for target in wanted:
            if target != source:
                rows.setdefault((source, target, text.digest), _row(school_id, text, target))
    if not rows:
        return 0
    version = glossary_version(school_id)
    for row in rows.values():
        row.glossary_version = version
    Translation.objects.bulk_create(list(rows.values()), ignore_conflicts=True, batch_size=500)
    return len(rows)


def _row(school_id: int, text: Text, target: str) -> Translation:
    return Translation(
        school_id=school_id,
        source_language=languages.key(text.language),
        target_language=target,
        digest=text.digest,
        source=text.text,
        is_html=text.is_html,
        keep=list(text.keep),
    )


# --- the glossary -------------------------------------------------------------------------------


def _glossary_changed(school_id: int) -> None:
    """Give the school a new glossary version: its translations are made again."""
    GlossaryVersion.objects.get_or_create(school_id=school_id)
    GlossaryVersion.objects.filter(school_id=school_id).update(version=F("version") + 1)


def _checked_language(value: str, field: str, *, blank: bool = False) -> str:
    if blank and not value.strip():
        return ""
    try:
        return languages.key(language_code(value))
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def _check_term(entry: GlossaryTerm) -> None:
    entry.term = entry.term.strip()
    entry.replacement = entry.replacement.strip()
    single_line(entry.term, field="term")
    single_line(entry.replacement, field="replacement")
    problems: dict[str, str] = {}
    if not entry.term:
        problems["term"] = _("Write the term.")
    elif len(entry.term) > TERM_MAX:
        problems["term"] = _("A term is at most %(limit)d characters.") % {"limit": TERM_MAX}
    if entry.rule == GlossaryRule.TRANSLATE_AS:
        if not entry.target_language:
            problems["target_language"] = _("Choose the language this translation is in.")
        if not entry.replacement:
            problems["replacement"] = _("Write how the term is always translated.")
        elif len(entry.replacement) > TERM_MAX:
            problems["replacement"] = _("A translation is at most %(limit)d characters.") % {
                "limit": TERM_MAX
            }
    elif entry.rule == GlossaryRule.KEEP:
        entry.replacement = ""
    else:
        problems["rule"] = _("Choose whether the term is kept or translated one way.")
    if entry.target_language and entry.target_language == entry.source_language:
        problems["target_language"] = _("Choose a language other than the term's own.")
    if problems:
        raise ValidationError(problems)
    _check_unique(entry)


def _check_unique(entry: GlossaryTerm) -> None:
    same = GlossaryTerm.objects.filter(
        school_id=entry.school_id,
        term__iexact=entry.term,
        source_language=entry.source_language,
        target_language=entry.target_language,
    ).exclude(pk=entry.pk)
    if same.exists():
        raise ValidationError(
            {"term": _("The glossary has this term for this language already: change that one.")}
        )


@transaction.atomic
def glossary_term_save(
    *,
    school: Organisation,
    term: str,
    rule: str,
    changed_by: User | None,
    source_language: str = "en",
    target_language: str = "",
    replacement: str = "",
    entry: GlossaryTerm | None = None,
) -> GlossaryTerm:
    """Add a term to the school's glossary, or change ``entry`` (one of the school's). A term
    kept as written applies to every language unless ``target_language`` names one; a term
    always translated one way names its language and its translation. Every translation of
    the school is made again. ``ValidationError`` names the field."""
    entry = entry or GlossaryTerm(school=school)
    assert entry.school_id == school.pk
    entry.term, entry.rule, entry.replacement = term, rule, replacement
    entry.source_language = _checked_language(source_language, "source_language")
    entry.target_language = _checked_language(target_language, "target_language", blank=True)
    entry.updated_by = changed_by
    _check_term(entry)
    entry.save()
    _glossary_changed(school.pk)
    return entry


@transaction.atomic
def glossary_term_delete(*, entry: GlossaryTerm) -> None:
    """Take the term out of its school's glossary; the school's translations are made again."""
    school_id = entry.school_id
    entry.delete()
    _glossary_changed(school_id)
