"""What people write on a support plan, in each reader's language (``village.translation``).

A plan carries the words of every party, each in their own language, the original always kept:

- the **staff**: the plan's content (title, concern, present level, goals, actions), what changed
  in a version, progress notes and their comments, in the language teachers write in
  (``content_language()``);
- a **guardian** or the **student**: comments and proposed changes, notes on an agreement or a
  disagreement, notes on a home action done, in their preferred language (``written_in``).

Every text is placed at the plan's school (its glossary, its cache). A page gathers what it shows
in a :class:`Wanted` and finds it with :meth:`Wanted.shown_to` (one query; texts nobody asked
for in the reader's language yet are asked for then and show as written, "on its way"). A
service asks ahead when it saves text (:func:`ask`), in its transaction, in the languages of the
plan's readers: the student, the guardians who see the plan, and the staff's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from village.accounts.models import User
from village.classwork.translations import names_of
from village.community.models import GuardianLink
from village.community.policies import usable_link_q
from village.community.templatetags.content_lang import content_language
from village.support.models import SupportPlan
from village.support.plan_policies import SCOPE
from village.translation import selectors, services
from village.translation.texts import Reason, Shown, Text, Translations

if TYPE_CHECKING:
    from village.support.selectors.plans import PlanPage


def written_in(person: User) -> str:
    """The language a guardian or a student writes in: their preferred one, else the language
    teachers write in."""
    return person.preferred_language or content_language()


def staff_language() -> str:
    """The language staff write plans in."""
    return content_language()


def content_texts(content: dict[str, Any]) -> list[str]:
    """The staff's words in a version's content (``services.plans.plan_content``)."""
    found = [content.get("title", ""), content.get("concern", ""), content.get("present_level", "")]
    for goal in content.get("goals", []):
        found += [goal["text"], goal["baseline"], goal["target"], goal["measure"]]
    for action in content.get("actions", []):
        found += [action["who"], action["what"], action["how_often"]]
    return [text for text in found if text]


class Wanted:
    """The texts one page of a plan shows, all placed at the plan's school."""

    def __init__(self, plan: SupportPlan) -> None:
        self.school_id = plan.school_id
        self.keep = names_of(plan.student)
        self.texts: list[Text] = []

    def add(self, values: Iterable[str], language: str) -> Wanted:
        self.texts += [Text(value, language, keep=self.keep) for value in values if value]
        return self

    def staff(self, *values: str) -> Wanted:
        return self.add(values, staff_language())

    def shown_to(self, reader: User) -> Translations:
        """What ``reader`` sees of each text (one query); texts not asked for in their language
        yet are asked for now (two queries, once) and show as on their way."""
        target = reader.preferred_language or content_language()
        found = selectors.lookup_schools({self.school_id: self.texts}, target=target)
        missing: list[Text] = []
        for key, shown in found.items():
            if shown.reason == Reason.NOT_REQUESTED:
                missing.append(key[1])
                found[key] = Shown.as_written(key[1], Reason.PENDING)
        if missing:
            services.request(school_id=self.school_id, texts=missing, targets=[target])
        return Translations(found)


def page_translations(reader: User, page: PlanPage) -> Translations:
    """What ``reader`` sees of every text the plan's page shows (one query): the page and the
    API read a plan through it."""
    wanted = Wanted(page.plan).staff(*page.content.texts(), page.version.note)
    wanted.add([page.content.student_view], page.content.student_view_language)
    for notes in page.notes.values():
        for note in notes:
            wanted.add([note.note, note.measured], note.language)
    for comment in page.comments:
        wanted.add([comment.text], comment.language)
    for answer in page.parties.answers:
        wanted.add([answer.note], answer.language)
    for logs in page.logs.values():
        for log in logs:
            wanted.add([log.note], log.language)
    return wanted.shown_to(reader)


# --- asking ahead, when text is saved ------------------------------------------------------------


def readers_languages(plan: SupportPlan) -> set[str]:
    """The languages of the plan's readers: the student, the guardians who see it, and the
    staff's (one query)."""
    links = GuardianLink.objects.filter(usable_link_q(SCOPE), student_id=plan.student_id)
    found = (
        User.objects.filter(Q(pk=plan.student_id) | Q(pk__in=links.values("guardian_id")))
        .filter(is_active=True)
        .values_list("preferred_language", flat=True)
        .distinct()
    )
    return {language or content_language() for language in found} | {staff_language()}


def ask(plan: SupportPlan, values: Iterable[str], language: str) -> int:
    """Ask for ``values`` (written in ``language`` about the plan's student) in the languages
    of the plan's readers, in the caller's transaction; no query when nothing is written."""
    texts = [
        Text(value, language, keep=names_of(plan.student)) for value in values if value.strip()
    ]
    if not texts:
        return 0
    return services.request(school_id=plan.school_id, texts=texts, targets=readers_languages(plan))
