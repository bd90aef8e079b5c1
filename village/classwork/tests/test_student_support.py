"""Building blocks for the student-side tests: assignments, rubrics, feedback and files.

Hand-ins go through the real service (``submission_hand_in``). Feedback is written as the
teacher's grading flow leaves it (a returned ``Feedback`` row with rubric scores).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from village.accounts.models import User
from village.accounts.tokens import token_create
from village.classwork.models import (
    AssessmentKind,
    Assignment,
    AssignmentMaterial,
    Feedback,
    Rubric,
    RubricCriterion,
    RubricLevel,
    Submission,
    Topic,
)
from village.classwork.richtext import sanitise
from village.classwork.services.rubrics import assessment_save
from village.classwork.services.submissions import submission_hand_in
from village.community.models import SchoolClass

DAY = dt.timedelta(days=1)

# The first bytes of real files of each kind, enough for Village to recognise them.
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00"
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  "
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x23TSSE\x00\x00\x00\x0f\x00\x00\x03Lavf"
WAV = b"RIFF\x24\x08\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00"
OGG = b"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00"
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 24
TEXT = b"My answer: the water cycle has four stages.\n"
#: A Windows program's first bytes ("MZ" header).
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + b"\x00" * 40


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = zip_bytes(
    {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"}
)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Uploads go to a fresh folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# --- classwork as a teacher posts it -------------------------------------------------------------


def topic(school_class: SchoolClass, title: str = "The water cycle") -> Topic:
    today = timezone.localdate()
    return Topic.objects.create(
        school_class=school_class,
        title=title,
        starts_on=today - dt.timedelta(days=3),
        ends_on=today + dt.timedelta(days=10),
    )


def assignment(
    school_class: SchoolClass,
    title: str = "Water cycle poster",
    *,
    due_in: dt.timedelta | None = 3 * DAY,
    assigned_ago: dt.timedelta = 2 * DAY,
    now: dt.datetime | None = None,
    **fields: Any,
) -> Assignment:
    """A published piece of work, due ``due_in`` from now (``None``: no due time)."""
    now = now or timezone.now()
    assign_at = now - assigned_ago
    due_at = None if due_in is None else now + due_in
    if due_at is not None and due_at < assign_at:
        assign_at = due_at - DAY
    values: dict[str, Any] = {"points": Decimal(10), "instructions": ""} | fields
    if values["instructions"]:
        values["instructions"] = sanitise(values["instructions"])
    return Assignment.objects.create(
        school_class=school_class, title=title, assign_at=assign_at, due_at=due_at, **values
    )


def due(work: Assignment) -> dt.datetime:
    """The work's due time (for work made with one)."""
    assert work.due_at is not None
    return work.due_at


def material_link(work: Assignment, title: str = "Reading: clouds") -> AssignmentMaterial:
    return AssignmentMaterial.objects.create(
        assignment=work, title=title, url="https://example.org/clouds"
    )


def material_file(work: Assignment, title: str = "Worksheet") -> AssignmentMaterial:
    material = AssignmentMaterial(assignment=work, title=title)
    material.file.save("worksheet.pdf", SimpleUploadedFile("worksheet.pdf", PDF), save=False)
    material.save()
    return material


def rubric(school_class: SchoolClass) -> Rubric:
    """Two criteria (Science, Presentation), each with levels worth 1, 3 and 5 points."""
    made = Rubric.objects.create(
        school_class=school_class, school_id=school_class.school_id, title="Poster rubric"
    )
    for position, title in enumerate(["Science", "Presentation"]):
        criterion = RubricCriterion.objects.create(rubric=made, title=title, position=position)
        for level_position, (level, points) in enumerate(
            [("Beginning", 1), ("Developing", 3), ("Secure", 5)]
        ):
            RubricLevel.objects.create(
                criterion=criterion,
                title=level,
                description=f"{level} {title.lower()}",
                points=Decimal(points),
                position=level_position,
            )
    return made


def hand_in(
    student: User, work: Assignment, *, text: str = "My answer", at: dt.datetime | None = None
) -> Submission:
    return submission_hand_in(student=student, assignment=work, text=text, now=at)


def give_feedback(
    work: Assignment,
    student: User,
    *,
    comment: str = "Clear diagram; label the condensation step.",
    score: Decimal | None = Decimal(8),
    levels: dict[str, str] | None = None,
    returned: bool = True,
    excused: bool = False,
    teacher: User | None = None,
) -> Feedback:
    """Feedback as the grading flow leaves it; ``levels`` maps criterion title to level title."""
    feedback = Feedback.objects.create(
        assignment=work,
        student=student,
        comment=comment,
        score=score,
        excused=excused,
        returned_at=timezone.now() if returned else None,
        graded_by=teacher,
    )
    chosen = {}
    for criterion_title, level_title in (levels or {}).items():
        level = RubricLevel.objects.get(
            criterion__rubric_id=work.rubric_id or 0,
            criterion__title=criterion_title,
            title=level_title,
        )
        chosen[level.criterion_id] = level.pk
    if chosen and work.rubric is not None:
        feedback.assessment = assessment_save(
            rubric=work.rubric,
            student=student,
            assessor=teacher,
            kind=AssessmentKind.TEACHER,
            levels=chosen,
            complete=False,
        )
        feedback.save(update_fields=["assessment"])
    return feedback


# --- clients -------------------------------------------------------------------------------------


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client_for(user: User) -> Client:
    _token, secret = token_create(user=user, name="tests")
    return Client(headers={"authorization": f"Bearer {secret}"})
