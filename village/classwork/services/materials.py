"""The files and links that go with a piece of work."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from village.classwork.models import (
    Assignment,
    AssignmentMaterial,
)
from village.classwork.services.checks import require
from village.classwork.services.submissions import content_matches_name

MAX_MATERIAL_BYTES = 20 * 1024 * 1024
#: File types a teacher may attach: documents, slides, sheets, pictures, sound and video that
#: every family's phone can open. Web pages, scripts and programs are refused.
_DOCUMENTS = (".pdf", ".txt", ".rtf", ".doc", ".docx", ".odt")
_SLIDES_AND_SHEETS = (".ppt", ".pptx", ".odp", ".xls", ".xlsx", ".ods", ".csv")
_MEDIA = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp3", ".m4a", ".mp4", ".webm")
MATERIAL_SUFFIXES = frozenset(_DOCUMENTS + _SLIDES_AND_SHEETS + _MEDIA)
_URLS = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True, slots=True)
class MaterialSpec:
    """A link (``url``) or a file to attach; the title defaults to the file name or link."""

    title: str = ""
    url: str = ""
    file: File | None = None


def check_material_file(file: File) -> None:
    """Refuse a file of a type not allowed, or too big (``ValidationError`` on ``file``)."""
    name = PurePath(file.name or "").name
    suffix = PurePath(name).suffix.lower()
    require(
        suffix in MATERIAL_SUFFIXES,
        "file",
        _("Files of this type cannot be attached. Allowed: %(types)s.")
        % {"types": ", ".join(sorted(s.lstrip(".") for s in MATERIAL_SUFFIXES))},
    )
    size = file.size or 0
    require(
        size <= MAX_MATERIAL_BYTES,
        "file",
        _("This file is %(size)s MB; files may be at most %(limit)d MB.")
        % {"size": f"{size / 1024 / 1024:.1f}", "limit": MAX_MATERIAL_BYTES // 1024 // 1024},
    )
    require(size > 0, "file", _("This file is empty."))
    require(
        content_matches_name(file, suffix),
        "file",
        _(
            "The content of this file does not match its name (%(name)s). Save it again as a "
            "real %(extension)s file, or choose another file."
        )
        % {"name": name, "extension": suffix.lstrip(".").upper()},
    )


@transaction.atomic
def material_add(
    *, assignment: Assignment, title: str = "", url: str = "", file: File | None = None
) -> AssignmentMaterial:
    """Attach a link or a file (not both) to the work, after its other materials."""
    url = url.strip()
    require(bool(url) != (file is not None), "url", _("Give either a link or a file."))
    if url:
        try:
            _URLS(url)
        except ValidationError as error:
            raise ValidationError(
                {"url": _("Enter a full web address, starting with https://.")}
            ) from error
    else:
        assert file is not None
        check_material_file(file)
    title = title.strip() or (PurePath(file.name or "").name if file else url)
    position = assignment.materials.count()
    material = AssignmentMaterial(
        assignment=assignment, title=title[:200], url=url, position=position
    )
    if file is not None:
        material.file.save(PurePath(file.name or "file").name, file, save=False)
    material.save()
    return material


@transaction.atomic
def material_remove(*, material: AssignmentMaterial) -> None:
    if material.file:
        stored = material.file.name
        storage = material.file.storage
        transaction.on_commit(lambda: storage.delete(stored))
    material.delete()
