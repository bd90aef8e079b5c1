from django.urls import URLPattern, path

from village.onboarding import views

app_name = "onboarding"
urlpatterns: list[URLPattern] = [
    path("pair/", views.redeem, name="redeem"),
    path("signup/", views.signup, name="signup"),
    path("signup/confirm/<str:uidb64>/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("invitation/<str:secret>/", views.invitation, name="invitation"),
    path("students/<int:student_id>/", views.student_page, name="student"),
    path("students/<int:student_id>/codes/", views.code_create, name="code_create"),
    path(
        "students/<int:student_id>/codes/<int:code_id>/revoke/",
        views.code_revoke,
        name="code_revoke",
    ),
    path("students/<int:student_id>/invite/", views.invite, name="invite"),
    path("classes/<int:class_id>/codes/", views.class_codes, name="class_codes"),
    path("approvals/", views.approvals, name="approvals"),
    path("schools/<int:school_id>/settings/", views.school_settings, name="school_settings"),
    path(
        "schools/<int:school_id>/settings/notifications/",
        views.school_notifications,
        name="school_notifications",
    ),
    path(
        "approvals/<int:link_id>/approve/",
        views.approval_decide,
        {"approve": True},
        name="approval_approve",
    ),
    path(
        "approvals/<int:link_id>/decline/",
        views.approval_decide,
        {"approve": False},
        name="approval_decline",
    ),
]
