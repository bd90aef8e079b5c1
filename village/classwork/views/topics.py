"""Adding, changing and deleting a class's topics."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from village.classwork import policies
from village.classwork.forms.topics import TopicForm
from village.classwork.models import Topic
from village.classwork.services import topics as topic_services
from village.classwork.services.topics import topic_create, topic_update
from village.classwork.views.common import GET_POST, class_to_manage, confirm_delete, viewer
from village.community.models import SchoolClass


@login_required
@require_http_methods(GET_POST)
def topic_new(request: HttpRequest, class_id: int) -> HttpResponse:
    return _topic_form(request, class_id, None)


@login_required
@require_http_methods(GET_POST)
def topic_edit(request: HttpRequest, class_id: int, topic_id: int) -> HttpResponse:
    return _topic_form(request, class_id, topic_id)


def _topic_form(request: HttpRequest, class_id: int, topic_id: int | None) -> HttpResponse:
    user = viewer(request)
    school_class = class_to_manage(user, class_id)
    topic = policies.topic_for_editor(school_class, topic_id) if topic_id else None
    initial = (
        {"title": topic.title, "summary": topic.summary}
        | {"starts_on": topic.starts_on, "ends_on": topic.ends_on}
        if topic
        else {"starts_on": timezone.localdate()}
    )
    form = TopicForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid() and _save_topic(form, school_class, topic):
        messages.success(request, _("Topic saved."))
        return redirect("classwork:class_stream", school_class.pk)
    context = {"school_class": school_class, "form": form, "topic": topic, "manage": True}
    return render(request, "classwork/teacher/topic_form.html", context)


def _save_topic(form: TopicForm, school_class: SchoolClass, topic: Topic | None) -> bool:
    data = form.cleaned_data
    fields = {key: data[key] for key in ("title", "summary", "starts_on", "ends_on")}
    try:
        if topic is None:
            topic_create(school_class=school_class, **fields)
        else:
            topic_update(topic=topic, **fields)
    except ValidationError as error:
        form.add_service_errors(error)
        return False
    return True


@login_required
@require_http_methods(GET_POST)
def topic_delete(request: HttpRequest, class_id: int, topic_id: int) -> HttpResponse:
    """Ask before deleting (GET shows the question, changing nothing); POST deletes."""
    school_class = class_to_manage(viewer(request), class_id)
    topic = policies.topic_for_editor(school_class, topic_id)
    return confirm_delete(
        request,
        school_class,
        topic.title,
        lambda: topic_services.topic_delete(topic=topic),
        "classwork/teacher/topic_delete.html",
        {"topic": topic},
    )
