"""Teachers write instructions as rich text; what is stored and shown is sanitised HTML.

Only a small set of formatting tags survives; links get ``rel="noopener noreferrer nofollow"``
and may only use http(s) and mailto. Scripts, styles, event handlers and iframes are removed.
"""

from __future__ import annotations

import re
from html import unescape

import nh3

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "ul",
        "ol",
        "li",
        "a",
        "h3",
        "h4",
        "blockquote",
        "code",
        "pre",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def sanitise(html: str) -> str:
    """Clean HTML written by a teacher so it is safe to show to anyone."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


_BLOCK_END = re.compile(r"<(?:/p|/li|br\s*/?|/h[1-6]|/blockquote|/pre)\s*>", re.IGNORECASE)


def plain_text(html: str) -> str:
    """The text of sanitised HTML, for places that cannot show markup (calendars, email)."""
    spaced = _BLOCK_END.sub(" ", html)
    return " ".join(unescape(nh3.clean(spaced, tags=set())).split())
