"""What an engine is given and what is made of its answer.

Every text goes to an engine as an HTML fragment (plain text escaped, its line breaks as
``<br>``), with the pieces nobody may translate each in a ``<span translate="no"
data-vlg="N">``: web and email addresses, numbers written with separators (times, dates,
decimals), the names the caller protects, the school's class names and its glossary's terms
(kept as written, or always given as the glossary says). The engine passes those spans through
(``village.translation.engines``) and ``unmask`` puts the pieces back by number, whatever the
engine did to the span's content. A piece the engine lost makes the translation uncertain.

What comes back is never trusted as markup: a translated HTML text keeps only the tags and
attributes its original had (``nh3``), and a plain text is plain text again.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import nh3

#: Web addresses, stopping before the punctuation that ends a sentence.
_URL = r"(?:https?://|www\.)[^\s<>\"]+?(?=[.,;:!?)\]]*(?:\s|<|$))"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
#: Times, dates, decimals and phone numbers: digits joined by separators an engine may move.
_NUMBER = r"(?<![\w.])\d+(?:[:/.,-]\d+)+(?![\w])"
_TAG = re.compile(r"(<[^>]*>)")
_KEPT = re.compile(r'<span\b[^>]*\bdata-vlg="(\d+)"[^>]*>.*?</span>', re.DOTALL | re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"([a-zA-Z][\w:-]*)\s*=")


@dataclass(frozen=True, slots=True)
class GlossaryRule:
    """A term of the school's glossary for one pair: ``replacement`` empty keeps it as written."""

    term: str
    replacement: str = ""


@dataclass(frozen=True, slots=True)
class Masked:
    """A text as an engine is given it, and what goes back in its kept spans."""

    fragment: str
    pieces: tuple[str, ...]
    source: str
    is_html: bool


@dataclass(frozen=True, slots=True)
class Unmasked:
    text: str
    #: Kept pieces the engine lost (their text, as written).
    lost: tuple[str, ...] = ()


def kept_span(index: int, piece: str) -> str:
    return f'<span translate="no" data-vlg="{index}">{piece}</span>'


def _whole_word(term: str) -> str:
    return rf"(?<!\w){re.escape(html.escape(term, quote=False))}(?!\w)"


def _pattern(keep: Iterable[str], rules: Sequence[GlossaryRule]) -> re.Pattern[str]:
    """One pattern for every piece to keep, longest terms first. Glossary terms match whatever
    their case; protected names only as written ("May" the name, not "may")."""
    glossary = sorted({rule.term for rule in rules if rule.term.strip()}, key=len, reverse=True)
    names = sorted({term for term in keep if term.strip()}, key=len, reverse=True)
    parts = [_URL, _EMAIL]
    parts += [f"(?i:{_whole_word(term)})" for term in glossary]
    parts += [_whole_word(term) for term in names]
    parts.append(_NUMBER)
    return re.compile("|".join(f"(?:{part})" for part in parts))


def _fragment(text: str, is_html: bool) -> str:
    if is_html:
        return text
    return html.escape(text, quote=False).replace("\r\n", "\n").replace("\n", "<br>")


def mask(
    text: str, *, is_html: bool, keep: Iterable[str] = (), rules: Sequence[GlossaryRule] = ()
) -> Masked:
    """``text`` as an HTML fragment with its pieces to keep in numbered spans."""
    pattern = _pattern(keep, rules)
    replacements = {
        html.escape(rule.term, quote=False).lower(): html.escape(rule.replacement, quote=False)
        for rule in rules
        if rule.replacement
    }
    pieces: list[str] = []

    def keep_piece(found: re.Match[str]) -> str:
        piece = replacements.get(found.group(0).lower(), found.group(0))
        pieces.append(piece)
        return kept_span(len(pieces) - 1, piece)

    parts = _TAG.split(_fragment(text, is_html))
    masked = "".join(
        part if part.startswith("<") else pattern.sub(keep_piece, part) for part in parts
    )
    return Masked(fragment=masked, pieces=tuple(pieces), source=text, is_html=is_html)


def unmask(masked: Masked, translated: str) -> Unmasked:
    """The engine's fragment with the kept pieces back, as the text to show: for an HTML
    original, HTML with only its original's tags and attributes; else plain text."""
    found: set[int] = set()

    def restore(match: re.Match[str]) -> str:
        index = int(match.group(1))
        if index >= len(masked.pieces):
            return ""
        found.add(index)
        return masked.pieces[index]

    text = _KEPT.sub(restore, translated)
    lost = tuple(
        html.unescape(piece) for index, piece in enumerate(masked.pieces) if index not in found
    )
    if masked.is_html:
        return Unmasked(like_original(text, masked.source), lost)
    return Unmasked(plain(text), lost)


def plain(fragment: str) -> str:
    """An HTML fragment as plain text: line breaks kept, other markup dropped."""
    text = _BREAK.sub("\n", fragment)
    text = "".join(part for part in _TAG.split(text) if not part.startswith("<"))
    return html.unescape(text).strip()


def like_original(fragment: str, original: str) -> str:
    """``fragment`` with no tag or attribute its ``original`` lacks (an engine returns markup,
    never adds it)."""
    tags: set[str] = set()
    attributes: dict[str, set[str]] = {}
    for tag in _TAG.findall(original):
        name = re.match(r"</?\s*([a-zA-Z][\w-]*)", tag)
        if name is None or tag.startswith("</"):
            continue
        tag_name = name.group(1).lower()
        tags.add(tag_name)
        attributes.setdefault(tag_name, set()).update(
            attribute.lower() for attribute in _ATTRIBUTE.findall(tag[len(tag_name) + 1 :])
        )
    return nh3.clean(fragment, tags=tags, attributes=attributes, link_rel=None).strip()
