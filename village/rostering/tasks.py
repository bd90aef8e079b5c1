"""Background work of roster imports: each task takes an import's id and calls one service.

Both are safe to run twice: the services claim the import by its status first.
"""

from __future__ import annotations

from django_tasks import task

from village.rostering import services


@task()
def validate_roster_import(import_id: int) -> None:
    services.roster_import_validate(import_id=import_id)


@task()
def apply_roster_import(import_id: int) -> None:
    services.roster_import_apply(import_id=import_id)
