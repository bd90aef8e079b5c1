"""Calendar feeds under ``/family/calendar/``: the guardian's page and the feeds themselves."""

from django.urls import URLPattern, path

from village.calendar import views

app_name = "calendar"
urlpatterns: list[URLPattern] = [
    path("calendar/", views.calendar_manage, name="manage"),
    path("calendar/new/", views.calendar_create, name="create"),
    path("calendar/<int:feed_id>/regenerate/", views.calendar_regenerate, name="regenerate"),
    path("calendar/<int:feed_id>/revoke/", views.calendar_revoke, name="revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
]
