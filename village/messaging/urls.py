from django.urls import path

from village.messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.start, name="start"),
    path("hours/", views.office_hours, name="office_hours"),
    path("reports/", views.reports, name="reports"),
    path("<int:pk>/", views.conversation, name="conversation"),
    path("<int:pk>/messages/<int:message_id>/hide/", views.hide, name="hide"),
    path("<int:pk>/messages/<int:message_id>/report/", views.report, name="report"),
    path("<int:pk>/files/<int:attachment_id>/", views.attachment, name="attachment"),
]
