"""Classwork pages under ``/work/``: the teacher's (class stream, assignments, gradebook, grading,
and the class's topics, events, settings and rubrics) and the student's (my work, handing in),
with the assignment page students and guardians share and the downloads."""

from django.urls import URLPattern, path

from village.classwork.views import (
    assignments,
    categories,
    events,
    gradebook,
    grading,
    my_work,
    notes,
    rubrics,
    stream,
    topics,
)

app_name = "classwork"

CLASS = "classes/<int:class_id>/"
WORK = CLASS + "assignments/<int:assignment_id>/"

urlpatterns: list[URLPattern] = [
    path(CLASS, stream.class_stream, name="class_stream"),
    path(CLASS + "gradebook/", gradebook.gradebook, name="gradebook"),
    path(CLASS + "settings/", categories.class_settings, name="class_settings"),
    path(CLASS + "notes/<int:student_id>/", notes.weekly_note, name="weekly_note"),
    path(CLASS + "topics/new/", topics.topic_new, name="topic_new"),
    path(CLASS + "topics/<int:topic_id>/", topics.topic_edit, name="topic_edit"),
    path(CLASS + "topics/<int:topic_id>/delete/", topics.topic_delete, name="topic_delete"),
    path(CLASS + "rubrics/", rubrics.rubrics, name="rubrics"),
    path(CLASS + "rubrics/new/", rubrics.rubric_new, name="rubric_new"),
    path(CLASS + "rubrics/<int:rubric_id>/", rubrics.rubric_edit, name="rubric_edit"),
    path(CLASS + "rubrics/<int:rubric_id>/delete/", rubrics.rubric_delete, name="rubric_delete"),
    path(CLASS + "events/new/", events.event_new, name="event_new"),
    path(CLASS + "events/<int:event_id>/", events.event_edit, name="event_edit"),
    path(CLASS + "events/<int:event_id>/delete/", events.event_delete, name="event_delete"),
    path(CLASS + "assignments/new/", assignments.assignment_new, name="assignment_new"),
    path(WORK, assignments.assignment_manage, name="assignment_manage"),
    path(WORK + "edit/", assignments.assignment_edit, name="assignment_edit"),
    path(
        "assignments/<int:assignment_id>/grade/<int:student_id>/",
        grading.grade,
        name="grade",
    ),
    path("", my_work.my_work, name="my_work"),
    path("assignments/<int:assignment_id>/", my_work.assignment, name="assignment"),
    path(
        "submissions/<int:submission_id>/file/",
        my_work.submission_file,
        name="submission_file",
    ),
    path("materials/<int:material_id>/file/", my_work.material_file, name="material_file"),
]
