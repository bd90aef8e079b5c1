"""Emails written once for many recipients (:class:`~village.notifications.models.Letter`).

A broadcast to a district renders its email once per language, with a slot for what differs per
recipient (``village.core.slots``), and writes one letter per language; each recipient's delivery
holds only its slots' values (their name). When the worker sends it, :func:`compose` fills in the
delivery's subject, text, HTML and headers: the values, and the recipient's signed one-click
unsubscribe link (signed then, one at a time, rather than tens of thousands in the request that
sends). A district-wide announcement so writes a few hundred bytes per recipient, not the email.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from django.conf import settings
from django.urls import reverse

from village.core.mail import village_headers
from village.core.slots import Slots
from village.notifications.models import Delivery
from village.notifications.services.notify import site_link, unsubscribe_headers, unsubscribe_url

#: The slots of a letter: the recipient's name (the greeting), their unsubscribe link.
SLOTS = ("name", "unsubscribe")


def values(name: str) -> dict[str, str]:
    """What a delivery of a letter keeps of its recipient."""
    return {"name": name}


def message_id(delivery: Delivery) -> str:
    """The same Message-ID for every attempt to send ``delivery`` (its key is unique), so a
    mail program that got it twice shows it once."""
    digest = hashlib.sha256(delivery.key.encode()).hexdigest()[:32]
    return f"<{digest}@{settings.VILLAGE_SITE_DOMAIN}>"


def compose(delivery: Delivery) -> Delivery:
    """Fill in ``delivery``'s subject, text, HTML and headers from its letter (in memory; a
    delivery without a letter is left as it is). Returns it."""
    letter = delivery.letter
    if letter is None:
        return delivery
    slots = tuple(letter.slots.split(",")) if letter.slots else ()
    filled: dict[str, str] = dict.fromkeys(slots, "")
    filled.update(_strings(delivery.slot_values))
    headers = {**village_headers(letter.language), "Message-ID": message_id(delivery)}
    if "unsubscribe" in slots:
        if delivery.recipient_id is not None:
            link = unsubscribe_url(delivery.recipient_id, delivery.kind)
            headers.update(unsubscribe_headers(link))
        else:
            link = site_link(reverse("notifications:settings"))
        filled["unsubscribe"] = link
    delivery.subject = letter.subject
    delivery.text = str(Slots.from_marked(letter.text, slots, autoescape=False).fill(filled))
    delivery.html = str(Slots.from_marked(letter.html, slots).fill(filled)) if letter.html else ""
    delivery.headers = {**headers, **delivery.headers}
    return delivery


def _strings(values: Mapping[str, object]) -> dict[str, str]:
    return {str(name): str(value) for name, value in values.items()}
