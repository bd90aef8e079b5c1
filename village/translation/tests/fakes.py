"""What the translation tests share: a local server that speaks LibreTranslate's HTTP API, and
engines of our own, configured by dotted path as an operator's would be."""

from __future__ import annotations

import html
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from village.translation.engines import EngineResult, TranslationError

#: The server's whole English → Spanish dictionary (word by word, case kept on the first
#: letter); a word it does not know comes back as it is.
WORDS = {
    "bring": "traiga",
    "the": "el",
    "form": "formulario",
    "by": "antes del",
    "friday": "viernes",
    "read": "lea",
    "chapter": "capítulo",
    "three": "tres",
    "please": "por favor",
    "write": "escriba",
    "to": "a",
    "great": "gran",
    "work": "trabajo",
    "field": "campo",
    "trip": "viaje",
    "meeting": "reunión",
    "is": "es",
    "at": "a las",
    "and": "y",
    "see": "vea",
}


def word_by_word(text: str) -> str:
    def one(found: re.Match[str]) -> str:
        word = found.group(0)
        translated = WORDS.get(word.lower(), word)
        return translated[:1].upper() + translated[1:] if word[:1].isupper() else translated

    return re.sub(r"[A-Za-z]+", one, text)


class _Translator(HTMLParser):
    """Translates an HTML fragment's text, leaving tags, and elements marked
    ``translate="no"``, as they are (what LibreTranslate's ``html`` format does)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.kept = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.kept or ("translate", "no") in attrs:
            self.kept += 1
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if self.kept:
            self.kept -= 1
        self.out.append(f"</{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_data(self, data: str) -> None:
        self.out.append(data if self.kept else word_by_word(data))

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")


def translate_html(fragment: str) -> str:
    parser = _Translator()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.out)


@dataclass
class Behaviour:
    """What the server does next (tests change it)."""

    status: int = 200
    body: bytes | None = None
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    languages_asked: int = 0
    languages: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"code": "en", "name": "English", "targets": ["es", "fr"]},
            {"code": "es", "name": "Spanish", "targets": ["en"]},
            {"code": "fr", "name": "French", "targets": ["en"]},
        ]
    )


class _Handler(BaseHTTPRequestHandler):
    behaviour: ClassVar[Behaviour]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        if self.path != "/languages":
            self._answer(404, b'{"error": "Not found"}')
            return
        self.behaviour.languages_asked += 1
        self._answer(200, json.dumps(self.behaviour.languages).encode())

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        asked = json.loads(self.rfile.read(length) or b"{}")
        behaviour = self.behaviour
        behaviour.requests.append(asked)
        if behaviour.delay:
            time.sleep(behaviour.delay)
        if behaviour.status != 200 or behaviour.body is not None:
            self._answer(behaviour.status, behaviour.body or b'{"error": "Broken"}')
            return
        texts = asked["q"] if isinstance(asked["q"], list) else [asked["q"]]
        if asked["format"] == "html":
            done = [translate_html(text) for text in texts]
        else:
            done = [html.unescape(word_by_word(text)) for text in texts]
        payload = {"translatedText": done if isinstance(asked["q"], list) else done[0]}
        self._answer(200, json.dumps(payload).encode())


@contextmanager
def libretranslate_server() -> Iterator[tuple[str, Behaviour]]:
    """A LibreTranslate look-alike on 127.0.0.1 in a thread: its address and its behaviour."""
    behaviour = Behaviour()
    handler = type("Handler", (_Handler,), {"behaviour": behaviour})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", behaviour
    finally:
        server.shutdown()
        server.server_close()


# --- engines of our own, by dotted path -----------------------------------------------------


class CountingEngine:
    """English into anything: the text in capitals, tags and kept spans as they are. Counts
    its calls; ``fail`` makes the next calls raise."""

    name = "counting"
    calls: ClassVar[list[list[str]]] = []
    fail: ClassVar[bool] = False
    pairs: ClassVar[set[tuple[str, str]]] = {("en", "es"), ("en", "fr"), ("es", "en")}

    def supports(self, source: str, target: str) -> bool:
        return (source, target) in self.pairs

    def translate(self, texts: list[str], source: str, target: str) -> list[EngineResult]:
        type(self).calls.append(list(texts))
        if self.fail:
            raise TranslationError("The engine is down.")
        return [EngineResult(text=_upper_outside_tags(text)) for text in texts]


def _upper_outside_tags(fragment: str) -> str:
    parts = re.split(r"(<[^>]*>)", fragment)
    return "".join(part if part.startswith("<") else part.upper() for part in parts)
