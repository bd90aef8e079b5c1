from django.urls import URLPattern, path

from village.community import views

app_name = "community"
urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("students/<int:student_id>/", views.student_detail, name="student_detail"),
    path("classes/<int:class_id>/", views.class_detail, name="class_detail"),
    path("audit/", views.audit_log, name="audit_log"),
    path("people/", views.people, name="people"),
    path("people/add/", views.person_add, name="person_add"),
]
