"""Translation pages under ``/translation/``: each school's glossary."""

from django.urls import URLPattern, path

from village.translation import views

app_name = "translation"
urlpatterns: list[URLPattern] = [
    path("schools/<int:school_id>/glossary/", views.glossary, name="glossary"),
    path(
        "schools/<int:school_id>/glossary/<int:term_id>/",
        views.glossary_term_edit,
        name="glossary_term",
    ),
    path(
        "schools/<int:school_id>/glossary/<int:term_id>/delete/",
        views.glossary_term_remove,
        name="glossary_term_delete",
    ),
]
