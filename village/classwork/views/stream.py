"""The class stream: what the class studies now and next, work due and posted, events."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from village.classwork import policies
from village.classwork.selectors import stream as stream_reads
from village.classwork.views.common import viewer


@login_required
@require_GET
def class_stream(request: HttpRequest, class_id: int) -> HttpResponse:
    user = viewer(request)
    school_class = policies.class_for_staff(user, class_id)
    context = {
        "school_class": school_class,
        "manage": policies.teaches_class(user, school_class),
        "stream": stream_reads.class_stream(school_class, now=timezone.now()),
        "now": timezone.now(),
    }
    return render(request, "classwork/teacher/class_stream.html", context)
