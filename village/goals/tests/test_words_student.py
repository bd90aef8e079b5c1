"""The words of the student's goal pages: Ada, who is ten, is spoken to as "tú" when she reads
Spanish (her family, adults, stay "usted"); what people wrote in another language than the
page's is marked with its language, inside Village's own words too (a button's hidden name,
a message)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, pgettext

from tests.authorization import client_for
from village.accounts.models import User
from village.goals.models import Plan, PlanGoal
from village.goals.services import efforts, family, plans
from village.goals.tests.conftest import Goals
from village.goals.tests.factories import levels, plan_goal

pytestmark = pytest.mark.django_db

#: Forms of "usted" addressing the reader: the pronoun, and "su"/"sus" ("your").
USTED = re.compile(r"\b(usted|ustedes|su|sus)\b", re.IGNORECASE)


def reading(user: User, language: str) -> Client:
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return client_for(user)


def main_of(response: Any) -> str:
    assert response.status_code in (200, 400), response.status_code
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def visible_words(html: str) -> str:
    """The page's text and its accessible names (tags taken out, attribute values kept)."""
    names = " ".join(re.findall(r'(?:aria-label|title|data-[a-z-]+)="([^"]*)"', html))
    return re.sub(r"<[^>]+>", " ", html) + " " + names


def ada_at_work(goals: Goals, plan: Plan) -> PlanGoal:
    """Ada's "Explain the water cycle": an activity, an effort answered by Ms. Rivera, Sam's
    encouragement and a request for help that Sam answered."""
    cycle = plan_goal(plan, goals.weather.goals["cycle"])
    plans.activity_add(plan_goal=cycle, text="Draw the cycle")
    effort = efforts.effort_record(
        plan_goal=cycle,
        levels=levels(plan.goal_set),
        done="I drew it.",
        went_well="The arrows",
        next_step="Label it",
        ask_feedback=True,
    )
    efforts.feedback_give(
        effort=effort, teacher=goals.people.rivera, comment="Good", levels=levels(plan.goal_set)
    )
    family.encouragement_add(
        plan_goal=cycle, guardian=goals.people.sam, text="¡Bravo!", language="es"
    )
    ask = family.help_ask(plan_goal=cycle, text="A jar")
    family.help_answer(request=ask, guardian=goals.people.sam, answer="Mañana buscamos uno.")
    return cycle


# --- tú for the student, usted for adults ------------------------------------------------------


def test_every_student_goals_page_speaks_to_a_spanish_student_as_tu(
    goals: Goals, ada: Plan
) -> None:
    cycle = ada_at_work(goals, ada)
    client = reading(goals.people.ada, "es")
    set_id = ada.goal_set_id
    pages = {
        "/goals/": ["Tus maestros", "Elige tus metas, ponlas en tu orden"],
        f"/goals/sets/{set_id}/": ["Tu plan:", "Tu maestro o maestra y tu plan", "Estás aquí"],
        f"/goals/sets/{set_id}/choose/": ["Elige tus metas", "Siempre en tu plan:"],
        f"/goals/mine/goals/{cycle.pk}/": [
            "Cuéntale un esfuerzo a tu maestro o maestra",
            "Tus esfuerzos",
            "Tú:",
            "Tu docente:",
            "Ánimo de tu familia",
            "Pediste:",
            "Tu familia respondió:",
            "¿Qué hiciste?",
            "Elige, para cada parte, el nivel que corresponde a tu trabajo ahora.",
        ],
    }
    for url, expected in pages.items():
        words = visible_words(main_of(client.get(url)))
        if url == "/goals/":
            expected = ["Mis metas"]  # Ada has a plan: the home shows her sets
        for shown in expected:
            assert shown in words, (url, shown)
        assert not USTED.findall(words), (url, USTED.findall(words))


def test_a_spanish_student_is_told_what_to_fix_as_tu(goals: Goals, ada: Plan) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    client = reading(goals.people.ada, "es")
    refused = main_of(client.post(f"/goals/mine/goals/{cycle.pk}/efforts/", {"done": " "}))
    words = visible_words(refused)
    assert "Por favor, corrige los campos marcados abajo." in words
    assert "Di qué hiciste." in words
    assert "Si habías elegido un archivo, vuelve a elegirlo." in words
    assert not USTED.findall(words), USTED.findall(words)
    asked = main_of(client.post(f"/goals/mine/goals/{cycle.pk}/help/", {"help-text": ""}))
    assert "Di con qué necesitas ayuda." in asked
    response = client.post(f"/goals/mine/goals/{cycle.pk}/help/", {"help-text": "Una regla"})
    sent = [str(message) for message in get_messages(response.wsgi_request)]
    assert sent == ["Tu pedido se envió a tu familia."]


def test_the_family_still_reads_usted_where_it_shares_words_with_the_student(
    goals: Goals, ada: Plan
) -> None:
    from village.goals.tests.test_family_pages import build_family

    fam = build_family(goals, ada)
    goal = plan_goal(fam.ada, fam.weather.goals["measure"])
    response = client_for(fam.people.sam).post(
        f"/goals/family/goals/{goal.pk}/encourage/", {f"goal-{goal.pk}-text": " "}
    )
    refused = main_of(response)
    assert "Por favor, corrija los campos marcados abajo." in refused
    assert "Escriba unas palabras de ánimo." in refused
    # Words the student's goal pages share with adults' pages have their own, in "tú".
    with translation.override("es"):
        for words in ("Feedback from your teacher", "Please correct the fields marked below."):
            assert USTED.search(gettext(words)) or "corrija" in gettext(words)
            assert not USTED.search(pgettext("student", words))
            assert "corrija" not in pgettext("student", words)


def test_a_spanish_student_is_told_as_tu_that_a_text_is_too_long_or_a_link_is_not_one(
    goals: Goals, ada: Plan
) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    client = reading(goals.people.ada, "es")
    url = f"/goals/mine/goals/{cycle.pk}/efforts/"
    chosen = {f"criterion_{pk}": level for pk, level in levels(ada.goal_set).items()}
    not_a_link = main_of(client.post(url, {"done": "Hice", "link": "mi cuaderno", **chosen}))
    assert "Escribe una dirección web completa que empiece con https:// o http://." in not_a_link
    too_long = main_of(client.post(url, {"done": "Hice", "went_well": "x" * 1001, **chosen}))
    assert "Usa menos de 1,000 caracteres." in too_long
    help_url = f"/goals/mine/goals/{cycle.pk}/help/"
    asked = main_of(client.post(help_url, {"help-text": "x" * 1001}))
    assert "Usa menos de 1,000 caracteres." in asked
    for page in (not_a_link, too_long, asked):
        assert not USTED.findall(visible_words(page)), USTED.findall(visible_words(page))


def test_the_services_tell_the_student_as_tu_and_the_family_as_usted(
    goals: Goals, ada: Plan
) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    long = "x" * 1001
    with translation.override("es"):
        with pytest.raises(ValidationError) as asked:
            family.help_ask(plan_goal=cycle, text=long)
        with pytest.raises(ValidationError) as effort:
            efforts.effort_record(
                plan_goal=cycle, levels=levels(ada.goal_set), done="Hice", next_step=long
            )
        with pytest.raises(ValidationError) as link:
            efforts.effort_record(
                plan_goal=cycle, levels=levels(ada.goal_set), done="Hice", link="mi cuaderno"
            )
        request = family.help_ask(plan_goal=cycle, text="Un frasco")
        with pytest.raises(ValidationError) as answered:
            family.help_answer(request=request, guardian=goals.people.sam, answer=long)
        # A hand-in's link is checked for adults too: its words stay "usted".
        hand_in = gettext("Enter a full web address that starts with https:// or http://.")
    assert asked.value.message_dict == {"text": ["Usa menos de 1,000 caracteres."]}
    assert effort.value.message_dict == {"next_step": ["Usa menos de 1,000 caracteres."]}
    assert link.value.message_dict == {
        "link": ["Escribe una dirección web completa que empiece con https:// o http://."]
    }
    assert answered.value.message_dict == {"answer": ["Use menos de 1,000 caracteres."]}
    assert hand_in.startswith("Escriba una dirección web completa")


# --- lang on what people wrote -----------------------------------------------------------------


def test_hidden_button_names_mark_the_english_goal_title_on_a_spanish_page(
    goals: Goals, ada: Plan
) -> None:
    ada_at_work(goals, ada)
    html = main_of(reading(goals.people.ada, "es").get(f"/goals/sets/{ada.goal_set_id}/"))
    log = '<span lang="en">Keep a weather log for two weeks</span>'
    assert f'Mover<span class="visually-hidden"> «{log}»</span> antes' in html
    assert f'Mover<span class="visually-hidden"> «{log}»</span> después' in html
    cycle = '<span lang="en">Explain the water cycle</span>'
    assert f'Proponer una actividad<span class="visually-hidden"> para «{cycle}»</span>' in html
    # The list's name is a hidden element (an aria-label cannot mark a language).
    assert f"Tus actividades para «{cycle}»</span>" in html
    assert 'aria-label="Tus actividades' not in html
    # Ada writes in Spanish, the page's language: her words need no mark.
    assert '<span class="activity-text">Draw the cycle</span>' in html
    assert 'Quitar<span class="visually-hidden"> «Draw the cycle»</span>' in html


def test_the_goal_page_marks_teacher_titles_and_the_familys_spanish_answer(
    goals: Goals, ada: Plan
) -> None:
    cycle = ada_at_work(goals, ada)
    spanish = main_of(reading(goals.people.ada, "es").get(f"/goals/mine/goals/{cycle.pk}/"))
    assert 'En el grupo «<span lang="en">The water cycle</span>».' in spanish
    english = main_of(reading(goals.people.ada, "en").get(f"/goals/mine/goals/{cycle.pk}/"))
    assert '<span class="user-text" lang="es">Mañana buscamos uno.</span>' in english
    assert '<blockquote lang="es"><p>¡Bravo!</p></blockquote>' in english
    assert 'lang="en"' not in english  # everything else is in the page's language


def test_a_students_own_words_are_marked_when_the_page_is_in_another_language(
    goals: Goals, ada: Plan
) -> None:
    """Ada prefers Vietnamese, which Village's own words do not speak yet: her pages are in
    English, and what she writes is marked as Vietnamese."""
    cycle = ada_at_work(goals, ada)
    client = reading(goals.people.ada, "vi")
    plan_page = main_of(client.get(f"/goals/sets/{ada.goal_set_id}/"))
    mine = '<span lang="vi">Draw the cycle</span>'
    assert '<span class="activity-text" lang="vi">Draw the cycle</span>' in plan_page
    assert f'Remove<span class="visually-hidden"> “{mine}”</span>' in plan_page
    goal_page = main_of(client.get(f"/goals/mine/goals/{cycle.pk}/"))
    assert '<span class="activity-text" lang="vi">Draw the cycle</span>' in goal_page
    assert '<dd class="user-text" lang="vi">I drew it.</dd>' in goal_page
    assert '<dd class="user-text" lang="vi">The arrows</dd>' in goal_page
    assert '<span lang="vi">A jar</span>' in goal_page


def test_messages_after_a_change_mark_the_goal_title(goals: Goals, ada: Plan) -> None:
    client = reading(goals.people.ada, "es")
    record = plan_goal(ada, goals.weather.goals["record"])
    response = client.post(f"/goals/mine/goals/{record.pk}/move/", {"step": "-1"})
    (moved,) = [str(message) for message in get_messages(response.wsgi_request)]
    assert moved.startswith('«<span lang="en">Keep a weather log for two weeks</span>» es ahora')
    assert moved.endswith('«<span lang="en">Observing weather</span>».')
    added = client.post(
        f"/goals/mine/goals/{record.pk}/activities/",
        {f"activity-{record.pk}-text": "Un diario", f"activity-{record.pk}-ask": "myself"},
        follow=True,
    )
    assert (
        'Actividad añadida a «<span lang="en">Keep a weather log for two weeks</span>».'
        in added.content.decode()
    )


def test_the_choice_form_marks_teacher_titles_in_hints_labels_and_errors(
    goals: Goals, ada: Plan
) -> None:
    client = reading(goals.people.ada, "es")
    html = main_of(client.get(f"/goals/sets/{ada.goal_set_id}/choose/"))
    assert 'Antes necesita «<span lang="en">Explain the water cycle</span>».' in html
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    refused = main_of(client.post(f"/goals/mine/goals/{cycle.pk}/efforts/", {"done": "Hice"}))
    assert re.search(r'Elige tu nivel en «<span lang="en">[^<]+</span>»\.', refused)
    assert re.search(r'">\s*<span lang="en">[^<]+</span>: Elige tu nivel', refused)
