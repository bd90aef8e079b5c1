"""Names for demo and generated people: fixed pools by home-language background.

The pools are part of the demo's definition: changing them changes every generated username.
Spanish and Haitian names keep their accents; usernames are plain ASCII (see ``username_base``).
"""

from __future__ import annotations

import functools
import random
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Gender(StrEnum):
    FEMALE = "f"
    MALE = "m"


@dataclass(frozen=True)
class NamePool:
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]

    def given(self, rng: random.Random, gender: Gender) -> str:
        return rng.choice(self.female if gender == Gender.FEMALE else self.male)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


POOLS: dict[str, NamePool] = {
    "en": NamePool(
        female=_words(
            "Olivia Emma Charlotte Amelia Harper Evelyn Abigail Ella Grace Chloe Nora Hazel "
            "Zoe Lily Aaliyah Imani Jasmine Claire Riley Madison Brooke Keisha Naomi Ruby "
            "Tessa Quinn Savannah Autumn Destiny Molly"
        ),
        male=_words(
            "Liam Noah Oliver Elijah James Benjamin Lucas Henry Jackson Mason Ethan Caleb "
            "Isaiah Jaylen Malik Owen Wyatt Gavin Declan Miles Theo Connor Andre Darius "
            "Tyler Cole Xavier Brandon Marcus Finnegan"
        ),
        family=_words(
            "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas "
            "Moore Jackson Martin Thompson White Harris Clark Lewis Robinson Walker Young "
            "Allen King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Carter "
            "Roberts Phillips Evans Turner Parker Collins Edwards Stewart Murphy Cook "
            "Morgan Peterson Cooper Reed Bailey Kowalski Schneider O'Connor Sullivan Jensen "
            "Novak Russo Washington Freeman Brooks Sanders"
        ),
    ),
    "es": NamePool(
        female=_words(
            "Sofía Valentina Isabella Camila Mariana Lucía Daniela Ximena Gabriela Ana "
            "María Paola Guadalupe Alejandra Natalia Renata Adriana Carmen Rosa Yesenia "
            "Araceli Itzel"
        ),
        male=_words(
            "Mateo Santiago Diego Sebastián Emiliano Alejandro Daniel Gabriel Andrés Javier "
            "José Luis Carlos Miguel Juan Jesús Fernando Ricardo Héctor Eduardo Iker "
            "Joaquín"
        ),
        family=_words(
            "García Martínez Rodríguez Hernández López González Pérez Sánchez Ramírez "
            "Torres Flores Gómez Díaz Cruz Morales Reyes Gutiérrez Ortiz Chávez Ramos "
            "Vargas Castillo Jiménez Mendoza Ruiz Álvarez Romero Herrera Medina Aguilar "
            "Vásquez Castro Delgado Salazar Navarro Espinoza"
        ),
    ),
    "vi": NamePool(
        female=_words("Anh Mai Thu Lan Ngoc Hoa Trang Huong Phuong Vy Thao"),
        male=_words("Minh Duc Huy Khoa Nam Quang Tuan Long Bao Hieu Phuc"),
        family=_words("Nguyen Tran Le Pham Hoang Phan Vu Dang Bui Do Ngo"),
    ),
    "ar": NamePool(
        female=_words("Fatima Layla Mariam Noor Yasmin Amira Huda Salma Rania"),
        male=_words("Omar Yusuf Ali Hassan Karim Khalid Ahmad Bilal Samir"),
        family=_words("Haddad Khalil Mansour Nasser Saleh Hamdan Aziz Jaber"),
    ),
    "so": NamePool(
        female=_words("Hodan Ayaan Fadumo Hibo Sagal Ifrah Ubah Deqa Hawa"),
        male=_words("Abdi Mohamed Abdirahman Mustafe Ayanle Bashir Guled Liban"),
        family=_words("Warsame Hussein Osman Jama Egal Nur Aden Dahir Hersi"),
    ),
    "zh": NamePool(
        female=_words("Mei Xiu Ying Jing Hui Yan Xin Qing Wen Yue"),
        male=_words("Wei Jun Hao Lei Ming Jian Tao Yong Feng Rui"),
        family=_words("Wang Li Zhang Liu Yang Huang Zhao Wu Zhou Xu Lin"),
    ),
    "ht": NamePool(
        female=_words("Nadège Mirlande Fabiola Roseline Guerline Widline Daphnée"),
        male=_words("Wilner Frantz Jacques Reginald Emmanuel Fritz Kervens Woodley"),
        family=_words("Jean-Baptiste Pierre Joseph Etienne Toussaint Célestin Desir"),
    ),
    "ko": NamePool(
        female=_words("Ji-woo Seo-yeon Min-ji Ha-eun Soo-ah Yuna Eun-ji Hye-jin"),
        male=_words("Min-jun Seo-jun Ji-ho Do-yun Hyun-woo Jae-won Sung-min"),
        family=_words("Kim Lee Choi Jung Kang Cho Yoon Jang Lim Han"),
    ),
}

# Home languages of demo families: about a quarter speak Spanish, a handful other languages.
DEMO_LANGUAGE_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("en", 0.61),
    ("es", 0.25),
    ("vi", 0.03),
    ("ar", 0.03),
    ("so", 0.025),
    ("zh", 0.025),
    ("ht", 0.02),
    ("ko", 0.01),
)

# Share of English-speaking families whose names come from another background (second
# generation, mixed families): a real school's English speakers are not all named Smith.
HERITAGE_NAME_SHARE = 0.25


def pick_language(rng: random.Random, weights: tuple[tuple[str, float], ...]) -> str:
    languages = [language for language, _weight in weights]
    return rng.choices(languages, weights=[weight for _language, weight in weights])[0]


def name_background(rng: random.Random, language: str) -> str:
    """Which name pool a family speaking ``language`` draws from."""
    if language == "en" and rng.random() < HERITAGE_NAME_SHARE:
        return rng.choice([background for background in POOLS if background != "en"])
    return language if language in POOLS else "en"


def pick_gender(rng: random.Random) -> Gender:
    return Gender.FEMALE if rng.random() < 0.5 else Gender.MALE


def username_base(first: str, last: str) -> str:
    """``first.last`` in lower-case ASCII: accents dropped, hyphens and apostrophes removed."""
    return f"{_ascii_word(first)}.{_ascii_word(last)}"


@functools.lru_cache(maxsize=4096)
def _ascii_word(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(char for char in plain.lower() if char.isalnum())


class Usernames:
    """Hands out unique ``first.last`` usernames, adding 2, 3, … on a clash."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self._taken = set(taken)

    def claim(self, first: str, last: str) -> str:
        base = username_base(first, last)
        candidate, number = base, 1
        while candidate in self._taken:
            number += 1
            candidate = f"{base}{number}"
        self._taken.add(candidate)
        return candidate
