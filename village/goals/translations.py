"""What people write about learning goals, in each reader's language (``village.translation``).

Goals carry the words of three kinds of people, each in their own language:

- the **teacher**: a set's title and summary, its groups and goals (title, description, success
  criteria) and the feedback on efforts, in the language teachers write in
  (``content_language()``), as classwork's teacher-written text;
- the **student**: what they did, what went well, what they will do next, the activities they
  propose and their requests for help at home, in the student's preferred language;
- a **guardian**: encouragement, in the language stored with it (the guardian's), and answers
  to requests for help, in the answerer's preferred language.

Every text is placed at the set's class, so it is translated with that school's glossary and
kept in its cache. A page gathers what it shows in a :class:`Wanted` and finds it all with
:meth:`Wanted.shown_to`: one query, none when the reader reads every text's language. A text
nobody has asked for in the reader's language yet is asked for then (two more queries, once),
and shows as written with "translation on its way" until the worker has made it. A service that
saves text asks ahead, in its transaction, as classwork's do (:func:`encouragement_added`,
:func:`feedback_given`, :func:`effort_recorded`, :func:`activity_added`, :func:`help_asked`,
:func:`help_answered`, :func:`plan_decided`): the worker translates in the background, never the
request, and a page finds its texts translated already.

Any goals page (the student's, the teacher's) shows a plan through the same tags as the family
pages::

    translations = goal_translations.plan_translations(request.user, view, student)

    {% load translation_tags %}
    {% translated translations goal_set.school_class_id goal.title as title %}
    <h3{% text_lang title %}>{{ title }}</h3>{% translation_note title %}

``{% text_lang %}`` marks a text in another language than the page's with ``lang``, and
``{% translation_note %}`` adds "Machine-translated from Spanish" with the original one tap away.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.db.models import Q

from village.accounts.models import User
from village.classwork.translations import names_of
from village.community.models import Enrollment, EnrollmentRole, LinkStatus
from village.community.policies import today
from village.community.templatetags.content_lang import content_language
from village.goals.models import (
    Activity,
    Effort,
    EffortFeedback,
    Encouragement,
    GoalSet,
    HelpRequest,
    Plan,
)
from village.goals.selectors.family import SetProgress
from village.goals.selectors.plans import GoalView, PlanView
from village.translation import selectors, services
from village.translation import texts as plain
from village.translation.texts import Reason, Shown, Text, Translations


def written_in(person: User) -> str:
    """The language a student or a guardian writes in: their preferred one, else the language
    teachers write in. Pages read and services ask for their texts in it."""
    return person.preferred_language or content_language()


class Wanted:
    """The texts one page shows, by the class of their set (and that class's school): each
    ``goal_set`` given is read with its class (``select_related("school_class")``)."""

    def __init__(self) -> None:
        self.texts: dict[int, list[Text]] = defaultdict(list)
        self.schools: dict[int, int] = {}

    def add(
        self, goal_set: GoalSet, values: Iterable[str], language: str, keep: Iterable[str] = ()
    ) -> Wanted:
        """Plain texts written in ``language`` on ``goal_set`` (blank ones left out)."""
        class_id = goal_set.school_class_id
        self.schools.setdefault(class_id, goal_set.school_class.school_id)
        kept = tuple(keep)
        self.texts[class_id] += [Text(value, language, keep=kept) for value in values if value]
        return self

    def teacher(self, goal_set: GoalSet, *values: str, keep: Iterable[str] = ()) -> Wanted:
        return self.add(goal_set, values, content_language(), keep)

    def goal_set(self, goal_set: GoalSet) -> Wanted:
        return self.teacher(goal_set, goal_set.title, goal_set.summary)

    def plan(
        self, view: PlanView, student: User, answerers: Mapping[int, User] | None = None
    ) -> Wanted:
        """Everything a plan's page shows: the set, its groups and goals, and for each goal of
        the plan the student's words, the teacher's feedback and the family's (answers to
        requests for help in the language of their author, from ``answerers``)."""
        goal_set = view.goal_set
        self.goal_set(goal_set)
        if view.plan is not None:
            self.teacher(goal_set, view.plan.teacher_note, keep=names_of(student))
        for group in view.groups:
            self.teacher(goal_set, group.group.title, group.group.description)
            for goal_view in [*group.chosen, *group.not_chosen]:
                self.goal(goal_set, goal_view, student, answerers or {})
        return self

    def goal(
        self, goal_set: GoalSet, view: GoalView, student: User, answerers: Mapping[int, User]
    ) -> Wanted:
        goal = view.goal
        names = names_of(student)
        self.teacher(goal_set, goal.title, goal.description, goal.success_criteria)
        child_language = written_in(student)
        self.add(goal_set, [activity.text for activity in view.activities], child_language, names)
        for effort in view.efforts:
            written = [effort.effort.done, effort.effort.went_well, effort.effort.next_step]
            self.add(goal_set, written, child_language, names)
            # The rubric's level names are the teacher's words too ("Secure").
            self.teacher(goal_set, effort.assessed.label if effort.assessed else "")
            for feedback in effort.feedback:
                self.teacher(goal_set, feedback.feedback.comment, keep=names)
                self.teacher(goal_set, feedback.assessed.label if feedback.assessed else "")
            self.encouragements(goal_set, effort.encouragements, student)
        self.encouragements(goal_set, view.encouragements, student)
        self.add(goal_set, [ask.text for ask in view.help_requests], child_language, names)
        for ask in view.help_requests:
            author = answerers.get(ask.answered_by_id or 0)
            if ask.answer and author is not None:
                self.add(goal_set, [ask.answer], written_in(author), names)
        return self

    def encouragements(
        self, goal_set: GoalSet, found: Iterable[Encouragement], student: User
    ) -> Wanted:
        for encouragement in found:
            self.add(goal_set, [encouragement.text], encouragement.language, names_of(student))
        return self

    def help_requests(
        self, goal_set: GoalSet, found: Iterable[HelpRequest], student: User
    ) -> Wanted:
        language = written_in(student)
        return self.add(goal_set, [ask.text for ask in found], language, names_of(student))

    def shown_to(self, reader: User) -> Translations:
        """What ``reader`` sees of each text (one query); texts not asked for in their language
        yet are asked for now (two queries per school, once) and show as on their way."""
        target = reader.preferred_language or content_language()
        found = selectors.lookup_classes(self.texts, target=target)
        missing: dict[int, list[Text]] = defaultdict(list)
        for (class_id, text), shown in found.items():
            if shown.reason == Reason.NOT_REQUESTED:
                missing[self.schools[class_id]].append(text)
                found[(class_id, text)] = Shown.as_written(text, Reason.PENDING)
        for school_id, texts in missing.items():
            services.request(school_id=school_id, texts=texts, targets=[target])
        return Translations(found)


def answerers(view: PlanView) -> dict[int, User]:
    """The people who answered the plan's requests for help, by id (one query, none when
    nobody has answered)."""
    ids = {
        ask.answered_by_id
        for goal in view.goals()
        for ask in goal.help_requests
        if ask.answered_by_id is not None
    }
    return User.objects.in_bulk(ids) if ids else {}


def progress_translations(reader: User, found: Iterable[SetProgress]) -> Translations:
    """What ``reader`` sees of the sets' titles and the children's requests for help."""
    wanted = Wanted()
    for one in found:
        wanted.goal_set(one.goal_set)
        if one.plan is not None:
            wanted.help_requests(one.goal_set, one.help, one.plan.student)
            wanted.teacher(one.goal_set, *(ask.plan_goal.goal.title for ask in one.help))
    return wanted.shown_to(reader)


def plan_translations(
    reader: User, view: PlanView, student: User, found: Mapping[int, User] | None = None
) -> Translations:
    """What ``reader`` sees of every text of ``student``'s plan page (``view``): the helper any
    goals page calls to show what teachers, the student and the family wrote. ``found``: the
    answerers of requests for help, when the page has read them already."""
    people = answerers(view) if found is None else found
    return Wanted().plan(view, student, people).shown_to(reader)


# --- asking ahead, when text is saved ------------------------------------------------------------


def _readers_languages(student_id: int, class_id: int) -> set[str]:
    """The languages of those who read what is written about the student's goals: the
    student, the class's teachers now and the guardians who see the student's goals (one
    query)."""
    teachers = (
        Enrollment.objects.current(today())
        .filter(school_class_id=class_id, role__in=[EnrollmentRole.TEACHER, EnrollmentRole.AIDE])
        .values("user_id")
    )
    readers = User.objects.filter(
        Q(pk=student_id)
        | Q(pk__in=teachers)
        | Q(
            children_links__student_id=student_id,
            children_links__status=LinkStatus.ACTIVE,
            children_links__no_access=False,
            children_links__scope_goals=True,
        ),
        is_active=True,
    )
    found = readers.values_list("preferred_language", flat=True).distinct()
    return {language or content_language() for language in found}


def _ask(plan: Plan, written: Iterable[Text]) -> int:
    """Ask for ``written`` (texts about ``plan``'s student, placed at its set's class) in the
    languages of those who read them (``_readers_languages``); no query when nothing is
    written."""
    asked = [text for text in written if not text.blank]
    if not asked:
        return 0
    goal_set = plan.goal_set
    targets = _readers_languages(plan.student_id, goal_set.school_class_id)
    return services.request(school_id=goal_set.school_class.school_id, texts=asked, targets=targets)


def _students_words(plan: Plan, written: Iterable[str]) -> list[Text]:
    """What ``plan``'s student wrote, in their language, as the pages read it (``Wanted.goal``)."""
    student = plan.student
    return plain.texts(written, written_in(student), keep=names_of(student))


def _teachers_words(plan: Plan, written: Iterable[str]) -> list[Text]:
    """What a teacher wrote about ``plan``'s student, as the pages read it (``Wanted.teacher``)."""
    return plain.texts(written, content_language(), keep=names_of(plan.student))


def encouragement_added(encouragement: Encouragement) -> int:
    """Ask for a new encouragement in the languages of the child, the class's teachers and the
    child's other guardians (a few queries, in the caller's transaction). Returns how many
    (text, language) pairs were asked."""
    plan = encouragement.plan_goal.plan
    text = Text(encouragement.text, encouragement.language, keep=names_of(plan.student))
    return _ask(plan, [text])


def feedback_given(feedback: EffortFeedback) -> int:
    """Ask for a teacher's comment on an effort in its readers' languages, as the pages show
    it (``Wanted.goal``), in the caller's transaction."""
    plan = feedback.effort.plan_goal.plan
    return _ask(plan, _teachers_words(plan, [feedback.comment]))


def effort_recorded(effort: Effort) -> int:
    """Ask for what a student wrote about an effort (what they did, what went well, what they
    will do next) in its readers' languages, as the pages show it (``Wanted.goal``), in the
    caller's transaction."""
    plan = effort.plan_goal.plan
    written = [effort.done, effort.went_well, effort.next_step]
    return _ask(plan, _students_words(plan, written))


def activity_added(activity: Activity) -> int:
    """Ask for an activity the student proposes for a goal in its readers' languages (the
    family's and the teachers'), as the pages show it, in the caller's transaction."""
    plan = activity.plan_goal.plan
    return _ask(plan, _students_words(plan, [activity.text]))


def help_asked(request: HelpRequest) -> int:
    """Ask for the student's request for help at home in its readers' languages, as the pages
    show it, in the caller's transaction."""
    plan = request.plan_goal.plan
    return _ask(plan, _students_words(plan, [request.text]))


def help_answered(request: HelpRequest, guardian: User) -> int:
    """Ask for ``guardian``'s answer to a request for help in its readers' languages, in the
    language of its author (``guardian``), as the pages show it, in the caller's transaction."""
    plan = request.plan_goal.plan
    text = plain.texts([request.answer], written_in(guardian), keep=names_of(plan.student))
    return _ask(plan, text)


def plan_decided(plan: Plan) -> int:
    """Ask for the teacher's note on a plan (the change they ask for, or a word with their
    approval) in its readers' languages, as the pages show it, in the caller's transaction;
    none when there is no note."""
    return _ask(plan, _teachers_words(plan, [plan.teacher_note]))
