"""The profile's pages under ``/support/``: the student's profile (``profile``), writing and
removing one's own entries (``entries``), adding and ending accommodations
(``accommodations``), a class's "know your students" (``know``), support plans (``plans``,
with what the parties do on one in ``plan_steps``). Each module lists its own paths.

Views are thin: they load through ``village.support.policies`` (what a viewer may not open is a
404, what they may open but not change a 403), read through ``selectors`` and write through
``services``.
"""
