"""Apertium: rule-based, offline translation from Debian's packages (``apertium`` and a package
per pair of languages, such as ``apertium-eng-spa``).

The engine runs the ``apertium`` command with a timeout, one process for a whole batch: the
texts are joined as HTML (``-f html``) with a rule between them (``<hr data-vlg-split>``), a
block element Apertium keeps and never reorders words across, and split again afterwards. Its
pairs are the translation modes ``apertium -l`` lists, named with ISO 639-3 codes (``eng-spa``,
and variants such as ``spa-eng_US``, used when no plain mode has the pair) or two-letter ones.

Apertium copies a word it could not translate and marks it: ``*`` (not in its dictionary) or
``@`` (no rule carries it over). The marks are taken out of what is shown and the words
reported, which makes the translation *uncertain*. A ``#`` marks a word it did translate but
could not inflect (the word shown is the target language's lemma): the mark is taken out, and
the word, which is not the writer's, is not reported. A span to keep
(``<span translate="no">``) is given to Apertium as a surname its dictionaries know and the text
does not hold (``STAND_INS``: carried over as it is, with a name's grammar, so "Leo's report"
becomes "el informe de Leo"), or past those as a made-up word (copied as it is, though the
grammar around it suffers), and put back afterwards.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field

from django.conf import settings

from village.translation import languages
from village.translation.engines import EngineResult, TranslationError

#: Two-letter codes of the three-letter ones Apertium's modes use.
ISO_639_3 = {
    "afr": "af", "amh": "am", "ara": "ar", "arg": "an", "aze": "az", "bel": "be", "ben": "bn",
    "bre": "br", "bul": "bg", "cat": "ca", "ces": "cs", "cos": "co", "cym": "cy", "dan": "da",
    "deu": "de", "ell": "el", "eng": "en", "epo": "eo", "est": "et", "eus": "eu", "fao": "fo",
    "fas": "fa", "fin": "fi", "fra": "fr", "gla": "gd", "gle": "ga", "glg": "gl", "guj": "gu",
    "hat": "ht", "heb": "he", "hin": "hi", "hye": "hy", "ind": "id", "isl": "is", "ita": "it",
    "jpn": "ja", "kat": "ka", "kaz": "kk", "khm": "km", "kir": "ky", "kor": "ko", "lao": "lo",
    "lat": "la", "lav": "lv", "lit": "lt", "ltz": "lb", "mkd": "mk", "mlt": "mt", "msa": "ms",
    "mya": "my", "nep": "ne", "nld": "nl", "nno": "nn", "nob": "nb", "oci": "oc", "pan": "pa",
    "pol": "pl", "por": "pt", "pus": "ps", "ron": "ro", "rus": "ru", "slk": "sk", "slv": "sl",
    "som": "so", "spa": "es", "sqi": "sq", "srd": "sc", "swa": "sw", "swe": "sv", "tam": "ta",
    "tat": "tt", "tel": "te", "tgl": "tl", "tha": "th", "tir": "ti", "tur": "tr", "ukr": "uk",
    "urd": "ur", "uzb": "uz", "vie": "vi", "yor": "yo", "zho": "zh",
}  # fmt: skip

SPLIT = '<hr data-vlg-split="">'
_SPLIT = re.compile(r"<hr\b[^>]*\bdata-vlg-split\b[^>]*>", re.IGNORECASE)
_KEPT = re.compile(r'<span\b[^>]*\bdata-vlg="(\d+)"[^>]*>.*?</span>', re.DOTALL | re.IGNORECASE)
#: How a kept span travels through Apertium: as a surname its English and Spanish dictionaries
#: know as a proper noun (which it carries over as it is, with the grammar of a name: "Leo's
#: report" becomes "el informe de Leo"), one the text does not hold; failing those, a word no
#: dictionary has (which Apertium copies, but which spoils the grammar around it).
STAND_INS = (
    "Jones", "Taylor", "Wilson", "Johnson", "Evans", "Thomas", "Roberts", "Robinson", "Thompson",
    "Hughes", "Edwards", "Lewis", "Clarke", "Jackson", "Martin", "Morgan", "Cooper", "Anderson",
    "Moore", "Garcia", "Lopez",
)  # fmt: skip
_KEPT_NUMBER = re.compile(r'<span\b[^>]*\bdata-vlg="(\d+)"', re.IGNORECASE)
_TOKEN = "Vlgkeep{}x"
_TOKEN_BACK = re.compile(r"[*#@]?\bVlgkeep(\d+)x\b", re.IGNORECASE)
_TAG = re.compile(r"(<[^>]*>)")
_MARKED = re.compile(r"(?<![\w*#@])([*#@])(\w[\w'\u2019-]*)")
#: Texts and characters per run of ``apertium``.
BATCH_TEXTS = 200
BATCH_CHARACTERS = 200_000


def language_of(code: str) -> str:
    """A mode's language code as translation keys it: ``spa`` → ``es``, ``eng_US`` → ``en``."""
    base = code.split("_")[0].lower()
    return languages.key(ISO_639_3.get(base, base))


def pairs_of(listing: str) -> dict[tuple[str, str], str]:
    """The (source, target) pairs of ``apertium -l``'s listing, each with its mode; a plain
    mode (``spa-eng``) is chosen over a variant (``spa-eng_US``)."""
    pairs: dict[tuple[str, str], str] = {}
    for line in listing.split():
        mode = line.strip()
        if mode.count("-") != 1:
            continue  # a mode of one step of the pipeline, or a debugging mode
        source, target = mode.split("-")
        pair = (language_of(source), language_of(target))
        if pair not in pairs or "_" in pairs[pair].split("-")[1]:
            pairs[pair] = mode
    return pairs


@dataclass
class ApertiumEngine:
    """Translate with the ``apertium`` command (``command`` may add ``-d`` and a data
    directory)."""

    command: str = "apertium"
    timeout: float = 60.0
    name: str = "apertium"
    _pairs: dict[tuple[str, str], str] | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls) -> ApertiumEngine:
        return cls(
            command=settings.VILLAGE_APERTIUM_COMMAND,
            timeout=float(settings.VILLAGE_APERTIUM_TIMEOUT),
        )

    def pairs(self) -> dict[tuple[str, str], str]:
        """The installed pairs (asked once per process; none when Apertium is missing)."""
        if self._pairs is None:
            try:
                listing = self._run(["-l"], "")
            except TranslationError:
                listing = ""
            self._pairs = pairs_of(listing)
        return self._pairs

    def supports(self, source: str, target: str) -> bool:
        return (languages.key(source), languages.key(target)) in self.pairs()

    def translate(self, texts: list[str], source: str, target: str) -> list[EngineResult]:
        mode = self.pairs().get((languages.key(source), languages.key(target)))
        if mode is None:
            raise TranslationError(f"Apertium has no {source}-{target} pair installed.")
        results: list[EngineResult] = []
        for batch in _batches(texts):
            results += self._translate(batch, mode)
        return results

    def _translate(self, texts: list[str], mode: str) -> list[EngineResult]:
        stand_ins = [_stand_ins(text) for text in texts]
        given = [_tokens(text, names) for text, names in zip(texts, stand_ins, strict=True)]
        output = self._run(["-f", "html", mode], SPLIT.join(given))
        parts = _SPLIT.split(output.strip())
        if len(parts) != len(texts):
            raise TranslationError(
                f"Apertium returned {len(parts)} texts for {len(texts)}: the batch is lost."
            )
        return [
            _result(_names_back(part, names), sent)
            for part, sent, names in zip(parts, given, stand_ins, strict=True)
        ]

    def _run(self, arguments: list[str], given: str) -> str:
        command = [*self.command.split(), *arguments]
        try:
            done = subprocess.run(  # noqa: S603 (the operator's command, no shell)
                command, input=given, capture_output=True, text=True, timeout=self.timeout
            )
        except FileNotFoundError:
            raise TranslationError(f"{command[0]} is not installed.") from None
        except subprocess.TimeoutExpired:
            raise TranslationError(f"Apertium took more than {self.timeout:g} s.") from None
        if done.returncode != 0:
            raise TranslationError(f"Apertium failed: {done.stderr.strip()[:200]}")
        return done.stdout


def _batches(texts: list[str]) -> list[list[str]]:
    batches: list[list[str]] = [[]]
    size = 0
    for text in texts:
        if batches[-1] and (len(batches[-1]) >= BATCH_TEXTS or size + len(text) > BATCH_CHARACTERS):
            batches.append([])
            size = 0
        batches[-1].append(text)
        size += len(text)
    return batches


def _stand_ins(fragment: str) -> dict[str, str]:
    """For each kept span of ``fragment`` (by its number), a surname Apertium's dictionaries
    know (see ``STAND_INS``) that the text does not hold; spans beyond them travel as made-up
    words."""
    numbers = sorted({int(number) for number in _KEPT_NUMBER.findall(fragment)})
    taken = {word.lower() for word in re.findall(r"\w+", _KEPT.sub(" ", fragment))}
    free = [name for name in STAND_INS if name.lower() not in taken]
    return {str(number): name for number, name in zip(numbers, free, strict=False)}


def _tokens(fragment: str, names: dict[str, str] | None = None) -> str:
    """Kept spans as stand-in surnames (``names``) or made-up words, and nothing Apertium
    would take for a split."""
    names = names or {}
    fragment = _SPLIT.sub("", fragment)
    return _KEPT.sub(
        lambda found: names.get(found.group(1)) or _TOKEN.format(found.group(1)), fragment
    )


def _names_back(translated: str, names: dict[str, str]) -> str:
    """The stand-in surnames of ``translated`` back as the made-up words of their spans (which
    ``_result`` turns into spans), marks and all."""
    for number, name in names.items():
        translated = re.sub(rf"[*#@]?\b{re.escape(name)}\b", _TOKEN.format(number), translated)
    return translated


#: A kept piece and the word after it (tags and spaces between).
_AFTER_KEPT = re.compile(r"\bVlgkeep(\d+)x\b((?:\s|<[^>]*>)+)(\w)", re.IGNORECASE)


def _lower_after_kept(translated: str, sent: str) -> str:
    """Apertium writes the word after an unknown one (a kept piece travels as one) with a
    capital: back to lower case where the writer's word after that piece was in lower case."""
    lower_after = {number for number, _gap, first in _AFTER_KEPT.findall(sent) if first.islower()}

    def fix(found: re.Match[str]) -> str:
        if found.group(1) in lower_after and found.group(3).isupper():
            return found.group(0)[:-1] + found.group(3).lower()
        return found.group(0)

    return _AFTER_KEPT.sub(fix, translated)


def _result(translated: str, sent: str) -> EngineResult:
    """Apertium's output with its marks taken out of the text (not out of tags) and the words
    reported, and the kept spans back as spans (their content is put back by the caller)."""
    unknown: list[str] = []

    def unmark(found: re.Match[str]) -> str:
        mark, word = found.group(1), found.group(2)
        if _TOKEN_BACK.fullmatch(word) or found.group(0) in sent:
            return found.group(0)  # a kept piece, or a mark the writer typed
        if mark != "#":
            unknown.append(word)
        return word

    parts = _TAG.split(translated)
    text = "".join(part if part.startswith("<") else _MARKED.sub(unmark, part) for part in parts)
    text = _lower_after_kept(text, sent)
    text = _TOKEN_BACK.sub(
        lambda found: f'<span translate="no" data-vlg="{found.group(1)}"></span>', text
    )
    return EngineResult(text=text.strip(), unknown=tuple(dict.fromkeys(unknown)))
