"""What people write on a student's profile, in each reader's language (``village.translation``).

A profile carries the words of three kinds of people, each entry in the language its author
wrote it in (``Entry.language``): the student's *about me*, the guardians' *from home*, the
staff's *school notes*. The family's texts reach a teacher in the teacher's language and the
teacher's reach the family in theirs, the original one tap away.

Every text is placed at the student's current school (the one the pages and the audit log name,
``community.policies.student_schools``), so it is translated with that school's glossary and
kept in its cache; the student's names are kept as written. A student without a current school
has nowhere to translate: their profile shows as written, each text with its language named.

- :func:`entry_saved` asks, in ``services.entries.entry_save``'s transaction, for an entry in
  the languages of those who read it (by its visibility); the worker translates in the
  background, never the request.
- :func:`profile_translations` finds what one reader sees of every entry of a profile: one
  query, none when the reader reads every text's language. A text nobody has asked for in the
  reader's language yet (a reader who came later: a new teacher) is asked for
  then (two more queries, once) and shows as written until the worker has made it.

The profile page shows each text through the same tags as the goals pages::

    {% translated translations place entry.text as text %}
    <p{% text_lang text %}>{{ text|linebreaksbr }}</p>{% translation_note text %}
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from village.accounts.models import User
from village.classwork.translations import names_of
from village.community.models import GuardianLink
from village.community.policies import student_schools, usable_link_q
from village.community.templatetags.content_lang import content_language
from village.support import policies
from village.support.models import Entry, EntryReader, Visibility
from village.support.selectors.profile import StudentProfile
from village.support.selectors.writing import reader_candidates
from village.translation import languages, selectors, services
from village.translation.texts import Reason, Shown, Text, Translations

#: Where a profile's texts are found when the student has no current school (nothing is
#: translated there: see ``place``).
NO_SCHOOL = 0


def reads_in(person: User) -> str:
    """The language ``person`` reads the profile in: their preferred one, else the language
    teachers write in."""
    return person.preferred_language or content_language()


def entry_text(entry: Entry, student: User) -> Text:
    """An entry as translation keys it: its text in its language, the student's names kept."""
    return Text(entry.text, entry.language, keep=names_of(student))


def place(profile: StudentProfile) -> int:
    """Where the page finds the profile's texts among its translations (``{% translated %}``)."""
    return profile.school_id if profile.school_id is not None else NO_SCHOOL


# --- asking ahead, when an entry is saved --------------------------------------------------------


def _readers(entry: Entry) -> Q:
    """Those who read ``entry`` besides its author, by its visibility (``policies``): the
    named staff of a restricted entry; the student's staff; and, for an entry shared with the
    family, the student and the guardians whose link allows the support plan. Whoever joins
    them later (a new teacher) has what they read asked for on their first view."""
    if entry.visibility == Visibility.RESTRICTED:
        return Q(pk__in=EntryReader.objects.filter(entry_id=entry.pk).values("reader_id"))
    condition = Q(pk__in=reader_candidates(entry.student_id).values("pk"))
    if entry.visibility == Visibility.FAMILY:
        guardians = GuardianLink.objects.filter(
            usable_link_q(policies.SCOPE), student_id=entry.student_id
        )
        condition |= Q(pk=entry.student_id) | Q(pk__in=guardians.values("guardian_id"))
    return condition


def readers_languages(entry: Entry) -> set[str]:
    """The languages of those who read ``entry`` (one query)."""
    found = (
        User.objects.filter(_readers(entry), is_active=True)
        .values_list("preferred_language", flat=True)
        .distinct()
    )
    return {language or content_language() for language in found}


def entry_saved(entry: Entry, student: User) -> int:
    """Ask for ``entry`` (just written or changed, about ``student``) in the languages of its
    readers, placed at the student's current school, in the caller's transaction (two
    queries, two more when some reader reads another language; one, and nothing asked, for a
    student without a school). Returns how many (text, language) pairs were asked."""
    school = student_schools([student.pk]).get(student.pk)
    if school is None:
        return 0
    targets = readers_languages(entry)
    text = entry_text(entry, student)
    return services.request(school_id=school.pk, texts=[text], targets=targets)


# --- what one reader sees ------------------------------------------------------------------------


def _as_written(texts: Iterable[Text], target: str) -> Translations:
    """The texts of a student without a school: each as written, its language named."""
    found = {}
    for text in texts:
        reason = Reason.SAME_LANGUAGE if languages.same(text.language, target) else Reason.NO_ENGINE
        found[(NO_SCHOOL, text)] = Shown.as_written(text, reason)
    return Translations(found)


def profile_translations(reader: User, profile: StudentProfile) -> Translations:
    """What ``reader`` sees of every entry of ``profile`` (one query; none when every text is
    in their language); texts not asked for in their language yet are asked for now (two
    queries, once) and show as on their way."""
    texts = [entry_text(entry, profile.student) for entry in profile.all_entries()]
    target = reads_in(reader)
    if profile.school_id is None:
        return _as_written(texts, target)
    found = selectors.lookup_schools({profile.school_id: texts}, target=target)
    missing: list[Text] = []
    for key, shown in found.items():
        if shown.reason == Reason.NOT_REQUESTED:
            missing.append(key[1])
            found[key] = Shown.as_written(key[1], Reason.PENDING)
    if missing:
        services.request(school_id=profile.school_id, texts=missing, targets=[target])
    return Translations(found)
