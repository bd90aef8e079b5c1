"""What the goal pages share: the signed-in user, the methods a form page answers, the audit of
students shown, whether a request is htmx's swap, and the language of what people wrote."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from village.accounts.models import User
from village.community.templatetags.content_lang import content_language, in_content_lang
from village.core.audit import students_shown
from village.goals.pictures import state_icon
from village.goals.progress import GoalState
from village.translation import languages

GET_POST = ["GET", "POST"]

__all__ = [
    "GET_POST",
    "given_id",
    "htmx",
    "in_language",
    "lang_of",
    "state_key",
    "students_shown",
    "titled",
    "viewer",
]


def viewer(request: HttpRequest) -> User:
    """The signed-in user (every goal page requires a login)."""
    user = request.user
    assert isinstance(user, User)
    return user


def given_id(value: str | None) -> int | None:
    """An id typed into a query string or a form: ASCII digits, at most twelve (``None`` for
    anything else, such as "²", which ``str.isdigit`` accepts and ``int`` refuses)."""
    if value and len(value) <= 12 and value.isascii() and value.isdigit():
        return int(value)
    return None


def htmx(request: HttpRequest) -> bool:
    """Does htmx ask for a part of the page (not a history restore, which wants the page)?"""
    found = getattr(request, "htmx", None)
    return found is not None and bool(found) and not found.history_restore_request


def state_key(*, chosen_only: bool = False) -> list[tuple[GoalState, SafeString, str]]:
    """Each state (met first) with its mark and its name: the pictures' key."""
    return [
        (state, state_icon(state), str(state.label))
        for state in reversed(GoalState)
        if not (chosen_only and state == GoalState.NOT_CHOSEN)
    ]


# --- the language of what people wrote (WCAG 3.1.2, language of parts) ---------------------------


def lang_of(language: str) -> SafeString:
    """`` lang="…"`` (with its leading space) for text written in ``language`` when the page
    (the active language) is in another one; nothing when they are the same language."""
    page = translation.get_language() or content_language()
    if not language or languages.same(language, page):
        return SafeString("")
    return format_html(' lang="{}"', language)


def in_language(text: str, language: str) -> SafeString:
    """``text``, escaped, in a ``<span lang="…">`` when ``language`` is not the page's: what
    someone wrote inside Village's own words (a button's hidden name, a message)."""
    lang = lang_of(language)
    if not lang:
        return conditional_escape(text)
    return format_html("<span{}>{}</span>", lang, text)


def titled(message: str, **values: str | int) -> SafeString:
    """Village's own ``message`` (``%(name)s`` placeholders) with ``values`` in it: strings are
    teacher-written titles, each marked with its language where the page's differs; numbers
    are numbers."""
    marked = {
        name: in_content_lang(value) if isinstance(value, str) else value
        for name, value in values.items()
    }
    return mark_safe(conditional_escape(message) % marked)  # noqa: S308 - every part escaped
