"""Teachers write instructions as rich text; what is stored and shown is sanitised HTML.

Teachers type plain text with a little formatting (``render_instructions``):

- a blank line starts a new paragraph, a single line break stays a line break;
- ``**bold**``, ``*italic*`` (or ``_italic_``);
- lines starting with ``- `` (or ``* ``) make a bulleted list, ``1. `` a numbered one;
- ``[text](https://…)`` makes a link, and a bare ``https://…`` address becomes one.

Instructions written as HTML (those from before, the API's, a roster's: text that starts with a
block tag such as ``<p>``) are kept as they are.
Either way only a small set of formatting tags survives; links get
``rel="noopener noreferrer nofollow"`` and may only use http(s) and mailto. Scripts, styles,
event handlers and iframes are removed.

Plain text that people write (feedback comments, what students hand in) is shown with its line
breaks and its web addresses as links (``linkify``), and nothing else of it is markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape, unescape

import nh3
from django.utils.safestring import SafeString, mark_safe

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


# --- instructions typed as plain text with light formatting ----------------------------------

#: Text written as HTML starts with a block tag (as a roster's, the demo's and earlier
#: instructions do); a tag or a "&…;" further in is text a teacher typed: "the <b> tag", "R&D;".
_HTML_START = re.compile(r"\s*<(?:p|ul|ol|h[1-6]|blockquote|pre|div)\b", re.I)
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_BARE_URL = r"(?P<url>https?://[^\s<>\"]+)"
#: A link written ``[text](address)`` (the address may hold brackets one level deep, as in
#: ``https://en.wikipedia.org/wiki/Mercury_(planet)``), or a bare web address; either needs an
#: address after ``https://``. The patterns take time in proportion to the text, whatever it
#: holds: the link text stops at any ``[``, and no part can match the same characters two ways.
_LINK = re.compile(
    r"\[(?P<text>[^\[\]\n]+)\]"
    r"\((?P<href>(?:https?://|mailto:)(?:[^\s()]|\([^\s()]*\))+)\)|" + _BARE_URL,
    re.I,
)
_URL = re.compile(_BARE_URL, re.I)
#: Bold and italic text holds no ``**`` (bold), no ``*`` or no ``_`` (italic): each try stops
#: at the next marker, so a line of many markers takes no longer than a line of text.
_BOLD = re.compile(r"\*\*(?=\S)((?:[^*]|\*(?!\*))+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*(?![\w*])")
_ITALIC_UNDERSCORE = re.compile(r"(?<!\w)_(?=[^\s_])([^_]+?)(?<=\S)_(?!\w)")
#: What usually ends a sentence rather than an address: left out of a bare address's link.
_TRAILING = ".,;:!?'\""


def is_html(text: str) -> bool:
    """Whether text is HTML (kept as such) rather than typed with light formatting."""
    return _HTML_START.match(text) is not None


def render_instructions(text: str) -> str:
    """Instructions as typed (light formatting, or HTML) as sanitised HTML."""
    if not text.strip():
        return ""
    if is_html(text):
        return sanitise(text)
    return sanitise(_blocks_html(text))


def _blocks_html(text: str) -> str:
    blocks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip())
    return "".join(_block_html(block) for block in blocks if block.strip())


def _block_html(block: str) -> str:
    """One block: runs of list lines become lists, other runs of lines a paragraph."""
    parts: list[str] = []
    kind, run = "", list[str]()
    for line in block.split("\n"):
        line_kind, content = _line_kind(line)
        if line_kind != kind and run:
            parts.append(_run_html(kind, run))
            run = []
        kind = line_kind
        run.append(content)
    if run:
        parts.append(_run_html(kind, run))
    return "".join(parts)


def _line_kind(line: str) -> tuple[str, str]:
    for kind, pattern in (("ul", _BULLET), ("ol", _NUMBERED)):
        found = pattern.match(line)
        if found:
            return kind, found.group(1)
    return "p", line.strip()


def _run_html(kind: str, lines: list[str]) -> str:
    if kind == "p":
        return "<p>" + "<br>".join(_inline_html(line) for line in lines) + "</p>"
    items = "".join(f"<li>{_inline_html(line)}</li>" for line in lines)
    return f"<{kind}>{items}</{kind}>"


def _inline_html(text: str) -> str:
    """Links, bold and italic in one line; everything else is text (escaped)."""
    return _with_links(text, _LINK, _emphasis, "")


def _emphasis(text: str) -> str:
    html = escape(text, quote=False)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _ITALIC.sub(r"<em>\1</em>", html)
    return _ITALIC_UNDERSCORE.sub(r"<em>\1</em>", html)


def _split_address(url: str) -> tuple[str, str]:
    """A bare address and what follows it that is punctuation, not address: sentence marks,
    and closing brackets the address did not open ("(see https://…)")."""
    end, opened, closed = len(url), url.count("("), url.count(")")
    while end:
        last = url[end - 1]
        if last == ")" and closed > opened:
            closed -= 1
        elif last not in _TRAILING:
            break
        end -= 1
    return url[:end], url[end:]


def _with_links(
    text: str, pattern: re.Pattern[str], text_html: Callable[[str], str], attributes: str
) -> str:
    parts: list[str] = []
    position = 0
    for found in pattern.finditer(text):
        parts.append(text_html(text[position : found.start()]))
        if found.group("url"):
            href, rest = _split_address(found.group("url"))
            if href.endswith("://"):  # no address after all: "https://)" is text
                parts.append(text_html(found.group()))
                position = found.end()
                continue
            label, after = escape(href, quote=False), text_html(rest)
        else:
            href, label, after = found.group("href"), _emphasis(found.group("text")), ""
        parts.append(f'<a href="{escape(href)}"{attributes}>{label}</a>{after}')
        position = found.end()
    parts.append(text_html(text[position:]))
    return "".join(parts)


# --- plain text ------------------------------------------------------------------------------

#: People's own words are not vouched for by the school: search engines are told so.
PLAIN_LINK_REL = "noopener nofollow ugc"


def linkify(text: str) -> SafeString:
    """Plain text as HTML: escaped, line breaks kept, web addresses as links."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    rel = f' rel="{PLAIN_LINK_REL}"'
    html = "<br>".join(_with_links(line, _URL, _escaped, rel) for line in lines)
    return mark_safe(html)  # noqa: S308 - every part is escaped by _with_links


def _escaped(text: str) -> str:
    return escape(text, quote=False)
