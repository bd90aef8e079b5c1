from django.urls import path

from village.notifications import views, views_staff

app_name = "notifications"

urlpatterns = [
    path("", views.centre, name="centre"),
    path("read/", views.mark_all_read, name="mark_all_read"),
    path("<int:pk>/", views.open_notification, name="open"),
    path("settings/", views.settings_page, name="settings"),
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
