"""The teacher's pages: a class's stream, settings, topics, events and rubrics, its work and
gradebook, and the grading flow."""

from django.urls import URLPattern, path

from village.classwork import views_teacher

CLASS = "classes/<int:class_id>/"
WORK = CLASS + "assignments/<int:assignment_id>/"

urlpatterns: list[URLPattern] = [
    path(CLASS, views_teacher.class_stream, name="class_stream"),
    path(CLASS + "gradebook/", views_teacher.gradebook, name="gradebook"),
    path(CLASS + "settings/", views_teacher.class_settings, name="class_settings"),
    path(CLASS + "topics/new/", views_teacher.topic_new, name="topic_new"),
    path(CLASS + "topics/<int:topic_id>/", views_teacher.topic_edit, name="topic_edit"),
    path(CLASS + "topics/<int:topic_id>/delete/", views_teacher.topic_delete, name="topic_delete"),
    path(CLASS + "rubrics/", views_teacher.rubrics, name="rubrics"),
    path(CLASS + "rubrics/new/", views_teacher.rubric_new, name="rubric_new"),
    path(CLASS + "rubrics/<int:rubric_id>/", views_teacher.rubric_edit, name="rubric_edit"),
    path(
        CLASS + "rubrics/<int:rubric_id>/delete/",
        views_teacher.rubric_delete,
        name="rubric_delete",
    ),
    path(CLASS + "events/new/", views_teacher.event_new, name="event_new"),
    path(CLASS + "events/<int:event_id>/", views_teacher.event_edit, name="event_edit"),
    path(CLASS + "events/<int:event_id>/delete/", views_teacher.event_delete, name="event_delete"),
    path(CLASS + "assignments/new/", views_teacher.assignment_new, name="assignment_new"),
    path(WORK, views_teacher.assignment_manage, name="assignment_manage"),
    path(WORK + "edit/", views_teacher.assignment_edit, name="assignment_edit"),
    path(
        "assignments/<int:assignment_id>/grade/<int:student_id>/",
        views_teacher.grade,
        name="grade",
    ),
]
