"""Handing in work: the one place a student's attempt is written, and the checks on what comes in.

A student hands in an answer (text), a link, a file, or any mix of them. A file must be of a kind
Village accepts (documents, pictures, audio and video) twice over: by the extension of its name
and by its first bytes, so a program renamed ``essay.pdf`` is refused. Its original name is kept
for the download; it is stored under an opaque path in ``MEDIA_ROOT`` and served only through
views that check who may open it.

Handing in again adds an attempt: earlier attempts are kept as history. Whether an attempt is
late is never stored; ``village.classwork.status`` works it out from the due time.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.classwork import policies, versions
from village.classwork.limits import LONG_TEXT_MAX
from village.classwork.models import Assignment, Submission

MAX_TEXT_LENGTH = LONG_TEXT_MAX
#: The longest link (the model's limit).
MAX_LINK_LENGTH = 1000
#: How many leading bytes are read to recognise a file.
SNIFF_BYTES = 512

Sniffer = Callable[[bytes, IO[bytes]], bool]


class HandInRefusedError(Exception):
    """The user may not hand in this work (not a current student of the class, or the work is
    not open: a draft, scheduled, or withdrawn)."""


@dataclass(frozen=True)
class FileKind:
    """A kind of file Village accepts: the type it is served as, and how to recognise it."""

    content_type: str
    sniff: Sniffer


# --- recognising files by their first bytes ---------------------------------------------------


def _starts_with(*signatures: bytes) -> Sniffer:
    def sniff(head: bytes, _file: IO[bytes]) -> bool:
        return head.startswith(signatures)

    return sniff


def _riff(form: bytes) -> Sniffer:
    """RIFF containers (WAV, WebP, AVI): ``RIFF``, a length, then the form type."""

    def sniff(head: bytes, _file: IO[bytes]) -> bool:
        return head[:4] == b"RIFF" and head[8:12] == form

    return sniff


#: Boxes a QuickTime file written before the ``ftyp`` box existed may start with.
_QUICKTIME_ATOMS = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")


def _iso_media(*, quicktime: bool = False, brands: Iterable[bytes] = ()) -> Sniffer:
    """ISO base media files (MP4, M4A, MOV, 3GP, HEIC): an ``ftyp`` box at byte 4.

    With ``brands``, the major brand must be one of them (HEIC and HEIF pictures).
    """
    wanted = tuple(brands)

    def sniff(head: bytes, _file: IO[bytes]) -> bool:
        box = head[4:8]
        if box == b"ftyp":
            return not wanted or head[8:12] in wanted
        return quicktime and box in _QUICKTIME_ATOMS

    return sniff


def _mpeg_audio(head: bytes, _file: IO[bytes]) -> bool:
    """MP3: an ID3 tag, or straight away an MPEG audio frame (11 bits set)."""
    return head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and head[1] >= 0xE0)


def _adts_audio(head: bytes, _file: IO[bytes]) -> bool:
    """AAC in ADTS frames: 12 bits set."""
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF0 == 0xF0


def _plain_text(head: bytes, _file: IO[bytes]) -> bool:
    """Text has no NUL byte (programs, pictures and office files all do, early on)."""
    return b"\x00" not in head


_ZIP = b"PK\x03\x04"
#: Entries read from an office document's zip must be small; anything else is not one.
_MAX_MIMETYPE_ENTRY = 200


def _office_open_xml(folder: str) -> Sniffer:
    """Word, Excel and PowerPoint files (.docx, .xlsx, .pptx): a zip with a content-types part
    and the application's folder."""

    def sniff(head: bytes, file: IO[bytes]) -> bool:
        if not head.startswith(_ZIP):
            return False
        try:
            with zipfile.ZipFile(file) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)

    return sniff


def _open_document(mimetype: str) -> Sniffer:
    """OpenDocument files (.odt, .ods, .odp): a zip whose ``mimetype`` entry names the type."""

    def sniff(head: bytes, file: IO[bytes]) -> bool:
        if not head.startswith(_ZIP):
            return False
        try:
            with zipfile.ZipFile(file) as archive:
                info = archive.getinfo("mimetype")
                if info.file_size > _MAX_MIMETYPE_ENTRY:
                    return False
                return archive.read(info).strip() == mimetype.encode()
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            return False

    return sniff


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc, .xls and .ppt
_JPEG = _starts_with(b"\xff\xd8\xff")
_HEIF = _iso_media(brands=(b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heif"))
_MP4 = _iso_media()
_MATROSKA = _starts_with(b"\x1a\x45\xdf\xa3")  # WebM
_ODF = "application/vnd.oasis.opendocument."
_OOXML = "application/vnd.openxmlformats-officedocument."

#: The files a student may hand in, by extension (lower case, with the dot).
FILE_KINDS: dict[str, FileKind] = {
    # documents
    ".pdf": FileKind("application/pdf", _starts_with(b"%PDF-")),
    ".doc": FileKind("application/msword", _starts_with(_OLE2)),
    ".docx": FileKind(f"{_OOXML}wordprocessingml.document", _office_open_xml("word/")),
    ".odt": FileKind(f"{_ODF}text", _open_document(f"{_ODF}text")),
    ".rtf": FileKind("application/rtf", _starts_with(b"{\\rtf")),
    ".txt": FileKind("text/plain", _plain_text),
    ".md": FileKind("text/markdown", _plain_text),
    ".csv": FileKind("text/csv", _plain_text),
    ".xls": FileKind("application/vnd.ms-excel", _starts_with(_OLE2)),
    ".xlsx": FileKind(f"{_OOXML}spreadsheetml.sheet", _office_open_xml("xl/")),
    ".ods": FileKind(f"{_ODF}spreadsheet", _open_document(f"{_ODF}spreadsheet")),
    ".ppt": FileKind("application/vnd.ms-powerpoint", _starts_with(_OLE2)),
    ".pptx": FileKind(f"{_OOXML}presentationml.presentation", _office_open_xml("ppt/")),
    ".odp": FileKind(f"{_ODF}presentation", _open_document(f"{_ODF}presentation")),
    # pictures
    ".jpg": FileKind("image/jpeg", _JPEG),
    ".jpeg": FileKind("image/jpeg", _JPEG),
    ".png": FileKind("image/png", _starts_with(b"\x89PNG\r\n\x1a\n")),
    ".gif": FileKind("image/gif", _starts_with(b"GIF87a", b"GIF89a")),
    ".webp": FileKind("image/webp", _riff(b"WEBP")),
    ".heic": FileKind("image/heic", _HEIF),
    ".heif": FileKind("image/heif", _HEIF),
    # audio
    ".mp3": FileKind("audio/mpeg", _mpeg_audio),
    ".m4a": FileKind("audio/mp4", _MP4),
    ".aac": FileKind("audio/aac", _adts_audio),
    ".wav": FileKind("audio/wav", _riff(b"WAVE")),
    ".ogg": FileKind("audio/ogg", _starts_with(b"OggS")),
    ".oga": FileKind("audio/ogg", _starts_with(b"OggS")),
    ".opus": FileKind("audio/ogg", _starts_with(b"OggS")),
    ".flac": FileKind("audio/flac", _starts_with(b"fLaC")),
    # video
    ".mp4": FileKind("video/mp4", _MP4),
    ".m4v": FileKind("video/x-m4v", _MP4),
    ".mov": FileKind("video/quicktime", _iso_media(quicktime=True)),
    ".3gp": FileKind("video/3gpp", _MP4),
    ".webm": FileKind("video/webm", _MATROSKA),
    ".avi": FileKind("video/x-msvideo", _riff(b"AVI ")),
}


def accepted_extensions() -> list[str]:
    """The extensions a student may hand in, for help texts ("pdf, docx, …")."""
    return sorted(extension.lstrip(".") for extension in FILE_KINDS)


def max_upload_bytes() -> int:
    return int(settings.VILLAGE_UPLOAD_MAX_MB) * 1024 * 1024


# --- checking one upload ------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check, with the name and type it is kept and served under."""

    upload: UploadedFile
    original_name: str
    content_type: str
    size: int


def original_name(name: str) -> str:
    """The file's own name, as the student's device called it: no folders, no control
    characters, at most 255 characters (the extension is kept when it is shortened)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    if len(base) > 255:
        suffix = PurePosixPath(base).suffix[:20]
        base = base[: 255 - len(suffix)] + suffix
    return base


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Check one file against the size limit and the accepted kinds; raise ``ValidationError``
    naming ``file`` with a message the student can act on."""
    name = original_name(upload.name or "")
    size = upload.size or 0
    if size <= 0:
        raise ValidationError({"file": _("This file is empty. Choose the file again.")})
    if size > max_upload_bytes():
        raise ValidationError(
            {
                "file": _("This file is larger than %(limit)s MB. Choose a smaller file.")
                % {"limit": settings.VILLAGE_UPLOAD_MAX_MB}
            }
        )
    extension = PurePosixPath(name.lower()).suffix
    kind = FILE_KINDS.get(extension)
    if kind is None:
        raise ValidationError({"file": _unaccepted_message()})
    if not _content_matches(upload, kind):
        raise ValidationError(
            {
                "file": _(
                    "The content of this file does not match its name (%(name)s). Save it again as "
                    "a real %(extension)s file, or choose another file."
                )
                % {"name": name, "extension": extension.lstrip(".").upper()}
            }
        )
    return CheckedFile(upload=upload, original_name=name, content_type=kind.content_type, size=size)


def _unaccepted_message() -> str:
    return _(
        "Village does not accept this kind of file. You can hand in documents, pictures, audio "
        "and video: %(extensions)s."
    ) % {"extensions": ", ".join(accepted_extensions())}


def content_matches_name(file: File, extension: str) -> bool:
    """Do the file's first bytes fit its extension (``.pdf`` starts like a PDF...)? ``False``
    for an extension Village does not know."""
    kind = FILE_KINDS.get(extension.lower())
    return kind is not None and _content_matches(file, kind)


def _content_matches(upload: File, kind: FileKind) -> bool:
    # The sniffers read the file underneath (zip readers need a plain, seekable file).
    underlying = upload.file
    if underlying is None:
        return False
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    try:
        return kind.sniff(head, underlying)
    finally:
        upload.seek(0)


def _check_text(text: str) -> dict[str, str]:
    if len(text) > MAX_TEXT_LENGTH:
        return {
            "text": _(
                "Your answer is longer than %(limit)s characters. Shorten it, or attach it "
                "as a file."
            )
            % {"limit": f"{MAX_TEXT_LENGTH:,}"}
        }
    return {}


def _check_link(link: str) -> dict[str, str]:
    if not link:
        return {}
    if len(link) > MAX_LINK_LENGTH:
        return {
            "link": _("This link is too long (at most %(limit)s characters).")
            % {"limit": MAX_LINK_LENGTH}
        }
    try:
        URLValidator(schemes=["http", "https"])(link)
    except ValidationError:
        return {"link": _("Enter a full web address that starts with https:// or http://.")}
    return {}


def check_hand_in(*, text: str, link: str, file: UploadedFile | None) -> CheckedFile | None:
    """Check a hand-in before anything is written; raise ``ValidationError`` naming each field
    that is wrong (``text``, ``link``, ``file``). Returns the checked file, if any."""
    errors: dict[str, str] = {**_check_text(text), **_check_link(link)}
    checked: CheckedFile | None = None
    if file is not None:
        try:
            checked = check_upload(file)
        except ValidationError as error:
            errors.update({field: messages[0] for field, messages in error.message_dict.items()})
    if not errors and not text and not link and file is None:
        errors["text"] = _("Write an answer, add a link or choose a file: hand in at least one.")
    if errors:
        raise ValidationError(errors)
    return checked


# --- the services -------------------------------------------------------------------------------


def submission_hand_in(
    *,
    student: User,
    assignment: Assignment,
    text: str = "",
    link: str = "",
    file: UploadedFile | None = None,
    now: dt.datetime | None = None,
) -> Submission:
    """Hand in (or hand in again) ``student``'s work on ``assignment``: a new attempt.

    Only a student currently enrolled in the class may hand in, and only active, published work
    (``policies.may_submit``); otherwise ``HandInRefusedError``. Bad input raises
    ``ValidationError`` naming the field, and nothing is written.
    """
    if not policies.may_submit(student, assignment):
        raise HandInRefusedError
    text, link = text.strip(), link.strip()
    checked = check_hand_in(text=text, link=link, file=file)
    with transaction.atomic():
        # One attempt at a time per student: two hand-ins in parallel would take the same number.
        User.objects.select_for_update().filter(pk=student.pk).first()
        previous = Submission.objects.filter(assignment=assignment, student=student).aggregate(
            last=Max("attempt")
        )["last"]
        submission = Submission(
            assignment=assignment,
            student=student,
            attempt=(previous or 0) + 1,
            text=text,
            link=link,
            submitted_at=now or timezone.now(),
        )
        if checked is not None:
            submission.file = checked.upload
            submission.file_name = checked.original_name
            submission.file_size = checked.size
            submission.content_type = checked.content_type
        _save_keeping_storage_clean(submission)
        versions.students_changed([student.pk])
    return submission


def _save_keeping_storage_clean(submission: Submission) -> None:
    """Save the row; should the INSERT fail after the file was stored, remove the file."""
    try:
        submission.save()
    except BaseException:
        if submission.file and submission.file.name:
            submission.file.storage.delete(submission.file.name)
        raise


def is_late(submission: Submission, assignment: Assignment) -> bool:
    """Was this attempt handed in after the due time? (Computed, never stored.)"""
    return assignment.due_at is not None and submission.submitted_at > assignment.due_at
