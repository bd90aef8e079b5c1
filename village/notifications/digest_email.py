"""Writing the weekly family digest's email: the subject, the plain text and the HTML around
the sections the apps wrote (the greeting, the notifications folded into it, the signed "I've
read this" link, the links to Village, to the settings and to unsubscribe), in the guardian's
language. Each variant of each template is rendered once per language and batch with slots
(``village.core.slots``) and filled in for every guardian.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.staticfiles import finders
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from village.core.slots import Slots
from village.families.surface import Child
from village.notifications import registry
from village.notifications.kinds import WEEKLY_DIGEST
from village.notifications.models import DigestPeriod, Notification
from village.notifications.services.notify import site_link, unsubscribe_url
from village.notifications.text import plain

if TYPE_CHECKING:
    from village.notifications.digest import Family

CONFIRM_SALT = "village.notifications.digest-confirm"
#: The email around the sections, and the notifications folded into it.
HTML_TEMPLATE = "notifications/email/digest.html"
TEXT_TEMPLATE = "notifications/email/digest.txt"
SUBJECT_TEMPLATE = "notifications/email/digest_subject.txt"
BODY_TEMPLATE = "notifications/digest/_body.html"
NOTE_HTML = "notifications/digest/_notification.html"
NOTE_TEXT = "notifications/digest/_notification.txt"
STYLESHEET = "village/css/digest.css"
#: Notifications folded into a digest, at most (the centre lists them all).
FOLDED_SHOWN = 10


@dataclass(frozen=True)
class Written:
    subject: str
    text: str
    html: str
    #: The HTML body without the document around it (the preview pages show it).
    body: SafeString


def confirm_token(user_id: int, starts: dt.date) -> str:
    """The signed token of the "I've read this" link of one guardian's digest of one week."""
    return signing.dumps([user_id, DigestPeriod.WEEKLY, starts.isoformat()], salt=CONFIRM_SALT)


def read_confirm_token(token: str) -> tuple[int, str, dt.date]:
    """The guardian, period and week a confirm token names; ``signing.BadSignature`` (or
    ``ValueError``) when it was changed or is not one."""
    user_id, period, starts = signing.loads(token, salt=CONFIRM_SALT)
    return int(user_id), str(period), dt.date.fromisoformat(str(starts))


def confirm_url(user_id: int, starts: dt.date) -> str:
    token = confirm_token(user_id, starts)
    return site_link(reverse("notifications:digest_confirm", args=[token]))


@functools.cache
def stylesheet() -> str:
    """The digest's stylesheet (the preview pages link the same file), for the email's head."""
    path = finders.find(STYLESHEET)
    assert isinstance(path, str), STYLESHEET
    with open(path, encoding="utf-8") as css:
        rules = re.sub(r"/\*.*?\*/", "", css.read(), flags=re.DOTALL)
    return re.sub(r"\s+", " ", rules).strip()


def names_list(names: Sequence[str]) -> str:
    """ "Ada", "Ada and Leo", "Ada, Leo and Mia" in the active language."""
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def render_sections(
    sections: list[registry.DigestSection], family: Family
) -> tuple[SafeString, str]:
    html, text = [], []
    for section in sections:
        if section.html is not None:
            html.append(section.html)
            text.append((section.text or "").strip())
            continue
        context = {**section.context, "user": family.user}
        html.append(render_to_string(section.html_template, context))
        text.append(render_to_string(section.text_template, context).strip())
    return mark_safe("".join(html)), "\n\n".join(part for part in text if part)  # noqa: S308


class EmailPieces:
    """The email around the sections, in the active language: each variant rendered once with
    slots (``village.core.slots``) and filled in for every guardian of the batch."""

    def __init__(self) -> None:
        self.slots: dict[tuple[object, ...], Slots] = {}
        self.weeks: dict[dt.date, str] = {}

    def get(
        self, template: str, slots: tuple[str, ...], *, text: bool = False, **flags: object
    ) -> Slots:
        key = (template, *sorted(flags.items()))
        found = self.slots.get(key)
        if found is None:
            context = {"css": mark_safe(stylesheet()), **flags}  # noqa: S308 - our own file
            found = self.slots[key] = Slots(template, context, slots, autoescape=not text)
        return found

    def week(self, starts: dt.date) -> str:
        found = self.weeks.get(starts)
        if found is None:
            found = self.weeks[starts] = formats.date_format(starts, "MONTH_DAY_FORMAT")
        return found


_BODY_SLOTS = (
    "name",
    "names",
    "sections",
    "notifications",
    "confirm_url",
    "village_url",
    "settings_url",
    "unsubscribe_url",
)
_NOTE_SLOTS = ("link", "title", "body")


@functools.cache
def _site_links() -> tuple[str, str, str]:
    """Village, the notification settings, and a notification (``0`` where its id goes)."""
    return (
        site_link(reverse("community:home")),
        site_link(reverse("notifications:settings")),
        site_link(reverse("notifications:open", args=[1111111111])),
    )


def listed_notifications(
    family: Family, sections: list[registry.DigestSection]
) -> list[Notification]:
    """The notifications folded into the digest that no section lists already (a class
    announcement that waited for the digest is in the announcements section, once)."""
    covered = frozenset().union(*(section.covers for section in sections))
    return [note for note in family.notifications if note.subject not in covered]


def _notifications(notes: list[Notification], pieces: EmailPieces) -> tuple[str, str]:
    """The notifications folded into the digest, as list items in HTML and in plain text."""
    folded = notes[:FOLDED_SHOWN]
    pattern = _site_links()[2]
    html, text = [], []
    for note in folded:
        values = {
            "link": pattern.replace("1111111111", str(note.pk)),
            "title": plain(note.title),
            "body": Truncator(plain(note.body)).words(30),
        }
        has_body = bool(note.body)
        html.append(pieces.get(NOTE_HTML, _NOTE_SLOTS, has_body=has_body, count=0).fill(values))
        text.append(
            pieces.get(NOTE_TEXT, _NOTE_SLOTS, text=True, has_body=has_body, count=0).fill(values)
        )
    more = len(notes) - len(folded)
    if more:
        values = {"link": _site_links()[0], "title": "", "body": ""}
        html.append(pieces.get(NOTE_HTML, _NOTE_SLOTS, count=more).fill(values))
        text.append(pieces.get(NOTE_TEXT, _NOTE_SLOTS, text=True, count=more).fill(values))
    return "".join(html), "".join(text)


def write(
    family: Family,
    batch: registry.DigestBatch,
    sections: list[registry.DigestSection],
    children: list[Child],
    *,
    preview: bool = False,
) -> Written:
    """The email of one guardian's digest, in the active language (the guardian's).
    ``preview``: without a working confirm or unsubscribe link."""
    user = family.user
    pieces = batch.once(f"notifications.digest:{user.ui_language}", EmailPieces)
    sections_html, sections_text = render_sections(sections, family)
    notes = listed_notifications(family, sections)
    notes_html, notes_text = _notifications(notes, pieces)
    village, settings_url, _note = _site_links()
    values = {
        "name": user.short_name,
        "names": names_list([child.name for child in children]),
        "week": pieces.week(family.starts),
        "village_url": village,
        "settings_url": settings_url,
        "confirm_url": "" if preview else confirm_url(user.pk, family.starts),
        "unsubscribe_url": "" if preview else unsubscribe_url(user.pk, WEEKLY_DIGEST),
    }
    flags = {
        "has_names": bool(children),
        "has_notifications": bool(notes),
        "has_confirm": not preview,
        "has_unsubscribe": not preview,
    }
    body = pieces.get(BODY_TEMPLATE, _BODY_SLOTS, **flags).fill(
        {**values, "sections": sections_html, "notifications": mark_safe(notes_html)}  # noqa: S308
    )
    subject = " ".join(
        pieces.get(SUBJECT_TEMPLATE, ("week", "names"), text=True, has_names=bool(children))
        .fill(values)
        .split()
    )
    text = pieces.get(TEXT_TEMPLATE, (*_BODY_SLOTS, "week"), text=True, **flags).fill(
        {**values, "sections": sections_text, "notifications": notes_text}
    )
    html = pieces.get(HTML_TEMPLATE, ("subject", "week", "body")).fill(
        {"subject": subject, "week": values["week"], "body": body}
    )
    return Written(subject, text, html, body)
