"""LibreTranslate: a self-hosted translation server (neural models, Argos Translate), over its
HTTP API.

- ``GET /languages``: ``[{"code": "en", "name": "English", "targets": ["es", …]}, …]``, asked
  once and kept for ``LANGUAGES_SECONDS``;
- ``POST /translate`` with JSON ``q`` (a list of texts), ``source``, ``target``, ``format``
  (``text`` or ``html``) and ``api_key``: ``{"translatedText": […]}``, or an error status with
  ``{"error": "…"}``.

Texts with markup (a kept span, a line break, an instruction's HTML) go as ``html``: the server
translates the text between tags and leaves an element marked ``translate="no"`` as it is. The
others go as ``text``. A timeout (``VILLAGE_LIBRETRANSLATE_TIMEOUT`` seconds to connect, and
for each read), an error status or an answer that is not what the API promises raise
``TranslationError``; the worker tries again later. Only the standard library is used.
"""

from __future__ import annotations

import html
import json
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from village.translation import languages
from village.translation.engines import EngineResult, TranslationError

#: Seconds the server's list of languages is kept.
LANGUAGES_SECONDS = 600
#: Texts per request (LibreTranslate's ``--batch-limit`` is often small) and characters.
BATCH_TEXTS = 25
BATCH_CHARACTERS = 20_000
#: LibreTranslate's own codes for some languages, as translation keys them.
CODES = {"zh": "zh-Hans", "zt": "zh-Hant", "pb": "pt"}


def _key(code: str) -> str:
    return languages.key(CODES.get(code, code))


@dataclass
class LibreTranslateEngine:
    url: str
    api_key: str = ""
    timeout: float = 20.0
    name: str = "libretranslate"
    _codes: dict[str, str] = field(default_factory=dict, repr=False)
    _pairs: set[tuple[str, str]] = field(default_factory=set, repr=False)
    _asked_at: float | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls) -> LibreTranslateEngine:
        return cls(
            url=settings.VILLAGE_LIBRETRANSLATE_URL,
            api_key=settings.VILLAGE_LIBRETRANSLATE_API_KEY,
            timeout=float(settings.VILLAGE_LIBRETRANSLATE_TIMEOUT),
        )

    # --- the server's languages --------------------------------------------------------------

    def pairs(self) -> set[tuple[str, str]]:
        """The server's pairs, asked at most every ``LANGUAGES_SECONDS``."""
        if not self.url:
            return set()
        fresh = self._asked_at is not None and time.monotonic() - self._asked_at < LANGUAGES_SECONDS
        if not fresh:
            self._learn(self._call("GET", "/languages"))
        return self._pairs

    def _learn(self, answer: Any) -> None:
        if not isinstance(answer, list) or not all(
            isinstance(one, dict) and isinstance(one.get("code"), str) for one in answer
        ):
            raise TranslationError("LibreTranslate's /languages answered something else.")
        codes = {_key(one["code"]): one["code"] for one in answer}
        pairs: set[tuple[str, str]] = set()
        for one in answer:
            targets = one.get("targets", list(codes.values()))
            for target in targets if isinstance(targets, list) else []:
                if isinstance(target, str) and target != one["code"]:
                    pairs.add((_key(one["code"]), _key(target)))
        self._codes, self._pairs, self._asked_at = codes, pairs, time.monotonic()

    def supports(self, source: str, target: str) -> bool:
        return (languages.key(source), languages.key(target)) in self.pairs()

    # --- translating -------------------------------------------------------------------------

    def translate(self, texts: list[str], source: str, target: str) -> list[EngineResult]:
        self.pairs()
        codes = (
            self._codes.get(languages.key(source), source),
            self._codes.get(languages.key(target), target),
        )
        translated: dict[int, str] = {}
        marked = [index for index, text in enumerate(texts) if "<" in text]
        plain = [index for index, text in enumerate(texts) if "<" not in text]
        for indexes, form in ((marked, "html"), (plain, "text")):
            for batch in _batches(indexes, texts):
                sent = [texts[i] if form == "html" else html.unescape(texts[i]) for i in batch]
                answers = self._translate(sent, codes, form)
                for index, answer in zip(batch, answers, strict=True):
                    translated[index] = answer if form == "html" else html.escape(answer, False)
        return [EngineResult(text=translated[index]) for index in range(len(texts))]

    def _translate(self, texts: list[str], codes: tuple[str, str], form: str) -> list[str]:
        body = {"q": texts, "source": codes[0], "target": codes[1], "format": form}
        if self.api_key:
            body["api_key"] = self.api_key
        answer = self._call("POST", "/translate", body)
        found = answer.get("translatedText") if isinstance(answer, dict) else None
        if isinstance(found, str) and len(texts) == 1:
            found = [found]
        if not isinstance(found, list) or len(found) != len(texts):
            raise TranslationError("LibreTranslate answered without a translation of each text.")
        if not all(isinstance(text, str) for text in found):
            raise TranslationError("LibreTranslate answered a translation that is not text.")
        return found

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
            self.url.rstrip("/") + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise TranslationError(
                f"LibreTranslate answered {error.code}: {_reason(error)}"
            ) from None
        except TimeoutError:
            raise TranslationError(f"LibreTranslate took more than {self.timeout:g} s.") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError | socket.timeout):
                raise TranslationError(
                    f"LibreTranslate took more than {self.timeout:g} s."
                ) from None
            raise TranslationError(f"LibreTranslate could not be reached: {reason}") from None
        try:
            return json.loads(raw)
        except ValueError:
            raise TranslationError("LibreTranslate answered something that is not JSON.") from None


def _reason(error: urllib.error.HTTPError) -> str:
    """The server's ``error`` message, or its status's reason."""
    try:
        found = json.loads(error.read() or b"{}")
    except (ValueError, OSError):
        found = {}
    message = found.get("error") if isinstance(found, dict) else None
    return str(message or error.reason)[:200]


def _batches(indexes: list[int], texts: list[str]) -> list[list[int]]:
    batches: list[list[int]] = []
    size = 0
    for index in indexes:
        if (
            not batches
            or len(batches[-1]) >= BATCH_TEXTS
            or size + len(texts[index]) > BATCH_CHARACTERS
        ):
            batches.append([])
            size = 0
        batches[-1].append(index)
        size += len(texts[index])
    return batches
