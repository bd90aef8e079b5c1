from django.urls import path

from village.notifications import views, views_staff

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
]

urlpatterns += [
    path("delivery-problems/", views_staff.delivery_problems, name="delivery_problems"),
    path(
        "delivery-problems/<int:pk>/retry/",
        views_staff.delivery_retry_view,
        name="delivery_retry",
    ),
]
