"""Limits on what people write in classwork, shared by the pages, the API and the services."""

from __future__ import annotations

#: The longest free text, in characters: a student's written answer and a teacher's comment
#: alike (a longer piece is attached as a file).
LONG_TEXT_MAX = 50_000
