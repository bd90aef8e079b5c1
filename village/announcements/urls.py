from django.urls import path

from village.announcements import views

app_name = "announcements"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("sent/", views.sent, name="sent"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/files/<int:attachment_id>/", views.attachment, name="attachment"),
    path("<int:pk>/reach/", views.reach, name="reach"),
    path("<int:pk>/reach/print/", views.reach_print, name="reach_print"),
    path("<int:pk>/reach/texts/", views.text_fallback, name="text_fallback"),
    path("<int:pk>/withdraw/", views.cancel, name="cancel"),
]
