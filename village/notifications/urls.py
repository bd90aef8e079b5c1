from django.urls import path

from village.notifications import views, views_digest, views_staff

app_name = "notifications"

urlpatterns = [
    path("", views.centre, name="centre"),
    path("read/", views.mark_all_read, name="mark_all_read"),
    path("<int:pk>/", views.open_notification, name="open"),
    path("<int:pk>/read/", views.mark_read, name="read"),
    path("<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("settings/", views.settings_page, name="settings"),
    path("children/<int:child_id>/alerts/", views.child_alerts, name="child_alerts"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("digest/", views_digest.digest_preview, name="digest_preview"),
    path("digest/read/<str:token>/", views_digest.digest_confirm, name="digest_confirm"),
    path("classes/<int:class_id>/digests/", views_digest.class_digests, name="class_digests"),
    path(
        "classes/<int:class_id>/digests/print/",
        views_digest.class_digests_print,
        name="class_digests_print",
    ),
    path(
        "classes/<int:class_id>/digests/families/<int:guardian_id>/",
        views_digest.family_digest_preview,
        name="family_digest_preview",
    ),
]

urlpatterns += [
    path("delivery-problems/", views_staff.delivery_problems, name="delivery_problems"),
    path(
        "delivery-problems/<int:pk>/retry/",
        views_staff.delivery_retry_view,
        name="delivery_retry",
    ),
]
