"""Handing in: who may, what may come in (size, kind, content), history and lateness."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from village.classwork.models import FeedbackSeen, Submission
from village.classwork.selectors.work import current_classes, work_items
from village.classwork.services.feedback import feedback_mark_seen
from village.classwork.services.submissions import (
    HandInRefusedError,
    check_upload,
    is_late,
    original_name,
    submission_hand_in,
)
from village.classwork.status import WorkStatus
from village.classwork.tests.test_student_support import (
    DAY,
    DOCX,
    EXE,
    GIF,
    HEIC,
    JPEG,
    MOV,
    MP3,
    MP4,
    ODT,
    OGG,
    OLE2,
    PDF,
    PNG,
    TEXT,
    WAV,
    WEBM,
    WEBP,
    assignment,
    due,
    give_feedback,
    media_root,
    stored_files,
    upload,
    zip_bytes,
)
from village.community.models import Enrollment, EnrollmentRole

pytestmark = pytest.mark.django_db
__all__ = ["media_root"]


def status_of(student, work) -> WorkStatus:
    [item] = [
        item
        for item in work_items(current_classes([student.pk]), viewer_id=student.pk)
        if item.assignment_id == work.pk
    ]
    return item.status


def errors_of(raised: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return raised.value.message_dict


# --- what may be handed in ---------------------------------------------------------------------


def test_a_written_answer_is_handed_in_as_the_first_attempt(personas, media_root):
    work = assignment(personas.homeroom5)
    submission = submission_hand_in(
        student=personas.ada, assignment=work, text="  Evaporation, condensation…  "
    )
    assert (submission.attempt, submission.text, submission.file.name) == (
        1,
        "Evaporation, condensation…",
        "",
    )
    assert status_of(personas.ada, work) == WorkStatus.SUBMITTED


def test_a_link_alone_is_enough(personas, media_root):
    work = assignment(personas.homeroom5)
    submission = submission_hand_in(
        student=personas.ada, assignment=work, link="https://docs.example.org/ada-poster"
    )
    assert submission.link == "https://docs.example.org/ada-poster"


def test_handing_in_nothing_is_refused_naming_the_answer_field(personas, media_root):
    work = assignment(personas.homeroom5)
    with pytest.raises(ValidationError) as raised:
        submission_hand_in(student=personas.ada, assignment=work, text="   ", link="")
    assert list(errors_of(raised)) == ["text"]
    assert "at least one" in errors_of(raised)["text"][0]
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    "link", ["not a link", "javascript:alert(1)", "ftp://example.org/x", "https://"]
)
def test_a_bad_link_is_refused_naming_the_link_field(personas, media_root, link):
    work = assignment(personas.homeroom5)
    with pytest.raises(ValidationError) as raised:
        submission_hand_in(student=personas.ada, assignment=work, text="Answer", link=link)
    assert list(errors_of(raised)) == ["link"]
    assert not Submission.objects.exists()


def test_an_overlong_answer_is_refused_naming_the_answer_field(personas, media_root):
    work = assignment(personas.homeroom5)
    with pytest.raises(ValidationError) as raised:
        submission_hand_in(student=personas.ada, assignment=work, text="a" * 50_001)
    assert list(errors_of(raised)) == ["text"]


def test_every_wrong_field_is_named_at_once(personas, media_root):
    work = assignment(personas.homeroom5)
    with pytest.raises(ValidationError) as raised:
        submission_hand_in(
            student=personas.ada,
            assignment=work,
            text="a" * 50_001,
            link="nope",
            file=upload("virus.exe", EXE),
        )
    assert set(errors_of(raised)) == {"text", "link", "file"}
    assert not Submission.objects.exists()
    assert stored_files(media_root) == []


# --- files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("essay.pdf", PDF, "application/pdf"),
        ("Photo.PNG", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("drawing.gif", GIF, "image/gif"),
        ("drawing.webp", WEBP, "image/webp"),
        ("IMG_0042.HEIC", HEIC, "image/heic"),
        (
            "essay.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("essay.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("essay.doc", OLE2, "application/msword"),
        ("notes.txt", TEXT, "text/plain"),
        ("data.csv", b"day,rain\n1,3\n", "text/csv"),
        ("song.mp3", MP3, "audio/mpeg"),
        ("voice.wav", WAV, "audio/wav"),
        ("voice.ogg", OGG, "audio/ogg"),
        ("video.mp4", MP4, "video/mp4"),
        ("video.mov", MOV, "video/quicktime"),
        ("video.webm", WEBM, "video/webm"),
    ],
)
def test_accepted_files_are_recognised_by_name_and_content(name, content, content_type):
    checked = check_upload(upload(name, content, content_type="application/x-anything"))
    # The type served later is Village's own, not what the browser claimed.
    assert (checked.original_name, checked.content_type, checked.size) == (
        name,
        content_type,
        len(content),
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("essay.pdf", EXE),  # a program renamed to look like a document
        ("photo.png", JPEG),  # a picture of another kind
        ("essay.docx", zip_bytes({"payload.bin": b"x"})),  # a zip that is not a Word file
        ("essay.docx", PDF),
        ("essay.odt", zip_bytes({"mimetype": b"application/zip"})),
        ("notes.txt", EXE),
        ("song.mp3", PDF),
        ("video.mp4", WEBM),
    ],
)
def test_content_that_does_not_match_the_name_is_refused(name, content):
    with pytest.raises(ValidationError) as raised:
        check_upload(upload(name, content))
    assert list(errors_of(raised)) == ["file"]
    assert "does not match its name" in errors_of(raised)["file"][0]


@pytest.mark.parametrize("name", ["setup.exe", "script.js", "page.html", "archive.zip", "noext"])
def test_kinds_of_file_outside_the_list_are_refused(name):
    with pytest.raises(ValidationError) as raised:
        check_upload(upload(name, PDF))
    assert "does not accept this kind of file" in errors_of(raised)["file"][0]
    assert "pdf" in errors_of(raised)["file"][0]


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(settings):
    settings.VILLAGE_UPLOAD_MAX_MB = 1
    too_big = PDF + b"0" * (1024 * 1024 - len(PDF) + 1)
    with pytest.raises(ValidationError) as raised:
        check_upload(upload("essay.pdf", too_big))
    assert errors_of(raised)["file"] == ["This file is larger than 1 MB. Choose a smaller file."]
    just_fits = PDF + b"0" * (1024 * 1024 - len(PDF))
    assert check_upload(upload("essay.pdf", just_fits)).size == 1024 * 1024


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as raised:
        check_upload(upload("essay.pdf", b""))
    assert "empty" in errors_of(raised)["file"][0]


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("C:\\Users\\Ada\\Documents\\My poster.pdf", "My poster.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("poster\x00\x07.pdf", "poster.pdf"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_the_original_name_is_kept_without_folders_or_control_characters(sent, kept):
    assert original_name(sent) == kept


def test_a_file_is_stored_under_an_opaque_path_with_its_original_name_kept(personas, media_root):
    work = assignment(personas.homeroom5)
    submission = submission_hand_in(
        student=personas.ada,
        assignment=work,
        file=upload("Ada's water cycle poster.pdf", PDF, content_type="text/html"),
    )
    submission.refresh_from_db()
    assert submission.file_name == "Ada's water cycle poster.pdf"
    assert submission.content_type == "application/pdf"
    assert submission.file_size == len(PDF)
    assert "poster" not in submission.file.name
    assert submission.file.name.startswith(f"classwork/submissions/{work.pk}/{personas.ada.pk}/1-")
    stored = Path(submission.file.path)
    assert stored.is_relative_to(media_root)
    assert stored.read_bytes() == PDF


def test_a_refused_file_leaves_nothing_behind(personas, media_root):
    work = assignment(personas.homeroom5)
    with pytest.raises(ValidationError):
        submission_hand_in(
            student=personas.ada, assignment=work, text="see file", file=upload("x.pdf", EXE)
        )
    assert not Submission.objects.exists()
    assert stored_files(media_root) == []


# --- history and lateness ----------------------------------------------------------------------


def test_handing_in_again_adds_an_attempt_and_keeps_the_earlier_ones(personas, media_root):
    work = assignment(personas.homeroom5)
    first = submission_hand_in(
        student=personas.ada, assignment=work, text="Draft", file=upload("v1.pdf", PDF)
    )
    second = submission_hand_in(student=personas.ada, assignment=work, text="Final")
    attempts = list(
        Submission.objects.filter(assignment=work, student=personas.ada).order_by("attempt")
    )
    assert [(s.attempt, s.text) for s in attempts] == [(1, "Draft"), (2, "Final")]
    assert (first.pk, second.pk) == (attempts[0].pk, attempts[1].pk)
    assert Path(attempts[0].file.path).read_bytes() == PDF


def test_attempts_are_numbered_per_student(personas, media_root):
    work = assignment(personas.homeroom5)
    submission_hand_in(student=personas.ada, assignment=work, text="Ada 1")
    submission_hand_in(student=personas.ada, assignment=work, text="Ada 2")
    maya_first = submission_hand_in(student=personas.maya, assignment=work, text="Maya 1")
    assert maya_first.attempt == 1


def test_work_handed_in_after_the_due_time_is_late_without_storing_it(personas, media_root):
    work = assignment(personas.homeroom5, due_in=-DAY)
    assert status_of(personas.ada, work) == WorkStatus.MISSING
    submission = submission_hand_in(student=personas.ada, assignment=work, text="Sorry")
    assert is_late(submission, work)
    assert status_of(personas.ada, work) == WorkStatus.LATE
    assert "late" not in {field.name for field in Submission._meta.get_fields()}


def test_work_handed_in_before_the_due_time_is_on_time(personas, media_root):
    work = assignment(personas.homeroom5, due_in=DAY)
    submission = submission_hand_in(student=personas.ada, assignment=work, text="Done")
    assert not is_late(submission, work)
    assert status_of(personas.ada, work) == WorkStatus.SUBMITTED


def test_the_hand_in_time_decides_lateness(personas, media_root):
    work = assignment(personas.homeroom5, due_in=DAY)
    after_due = due(work) + dt.timedelta(minutes=1)
    submission = submission_hand_in(
        student=personas.ada, assignment=work, text="Later", now=after_due
    )
    assert submission.submitted_at == after_due
    assert is_late(submission, work)


def test_handing_in_again_after_grading_waits_for_new_feedback(personas, media_root):
    work = assignment(personas.homeroom5)
    submission_hand_in(student=personas.ada, assignment=work, text="First")
    feedback = give_feedback(work, personas.ada)
    assert status_of(personas.ada, work) == WorkStatus.GRADED
    assert feedback.returned_at is not None
    submission_hand_in(
        student=personas.ada,
        assignment=work,
        text="Improved",
        now=feedback.returned_at + dt.timedelta(minutes=5),
    )
    assert status_of(personas.ada, work) == WorkStatus.SUBMITTED


# --- who may hand in ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["leo", "maya", "mina", "finn", "rivera", "sam", "nguyen"])
def test_only_students_of_the_class_may_hand_in(personas, media_root, persona):
    work = assignment(personas.science8)  # Leo's class only
    if persona == "leo":
        assert submission_hand_in(student=personas.leo, assignment=work, text="Hi").attempt == 1
        return
    with pytest.raises(HandInRefusedError):
        submission_hand_in(student=getattr(personas, persona), assignment=work, text="Hi")
    assert not Submission.objects.exists()


def test_a_student_whose_enrolment_ended_may_no_longer_hand_in(personas, media_root):
    work = assignment(personas.homeroom5)
    Enrollment.objects.filter(
        user=personas.ada, school_class=personas.homeroom5, role=EnrollmentRole.STUDENT
    ).update(end_date=timezone.localdate() - DAY)
    with pytest.raises(HandInRefusedError):
        submission_hand_in(student=personas.ada, assignment=work, text="Hi")


def test_work_not_yet_assigned_cannot_be_handed_in(personas, media_root):
    work = assignment(personas.homeroom5, assigned_ago=-DAY, due_in=3 * DAY)
    assert work.assign_at > timezone.now()
    with pytest.raises(HandInRefusedError):
        submission_hand_in(student=personas.ada, assignment=work, text="Early")
    assert not Submission.objects.exists()


def test_withdrawn_work_cannot_be_handed_in(personas, media_root):
    work = assignment(personas.homeroom5, status="inactive")
    with pytest.raises(HandInRefusedError):
        submission_hand_in(student=personas.ada, assignment=work, text="Hi")
    assert not Submission.objects.exists()


def test_refusal_comes_before_any_file_is_stored(personas, media_root):
    work = assignment(personas.science8)
    with pytest.raises(HandInRefusedError):
        submission_hand_in(student=personas.ada, assignment=work, file=upload("a.pdf", PDF))
    assert stored_files(media_root) == []


# --- feedback seen -------------------------------------------------------------------------------


def test_marking_feedback_seen_twice_keeps_one_row(personas, media_root):
    work = assignment(personas.homeroom5)
    feedback = give_feedback(work, personas.ada)
    feedback_mark_seen(user_id=personas.ada.pk, feedback_ids=[feedback.pk])
    feedback_mark_seen(user_id=personas.ada.pk, feedback_ids=[feedback.pk, feedback.pk])
    feedback_mark_seen(user_id=personas.sam.pk, feedback_ids=[feedback.pk])
    assert sorted(FeedbackSeen.objects.values_list("user_id", flat=True)) == sorted(
        [personas.ada.pk, personas.sam.pk]
    )
