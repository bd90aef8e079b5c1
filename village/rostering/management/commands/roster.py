"""``village roster``: OneRoster bundles in and out of Village.

``village roster import PATH [--dry-run] [--organisation ID]`` checks a bundle (a zip or a
folder), prints the report and the planned changes, and applies them in one transaction unless
the report has an error. Whoever runs it holds the server, so by default the import reaches every
organisation: it may change anyone's account (email, username, names, active). With
``--organisation`` (a district or school, by sourcedId) it has that organisation's reach, as its
admin's upload would: people who also belong elsewhere keep their account as it is, and the
report says so row by row.
``village roster export OUT [--district ID_OR_NAME] [--zip]`` writes a district as a OneRoster 1.1
bulk bundle.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from village.community.models import Organisation
from village.rostering.export import ExportError, district_for_export, export_district
from village.rostering.importer import ImportOutcome, run_import
from village.rostering.plan import KINDS

BAR_WIDTH = 30


class ProgressBar:
    """``[#####.....] users 12000/50000`` redrawn in place on a terminal; else a line per stage."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out
        self.tty = out.isatty()
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.tty:
            filled = BAR_WIDTH * done // total if total else BAR_WIDTH
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            self.out.write(f"\r[{bar}] {stage} {done}/{total}\x1b[K", ending="")
            self.out.flush()
        elif stage != self.stage:
            self.out.write(f"{stage}...")
        self.stage = stage

    def close(self) -> None:
        if self.tty and self.stage:
            self.out.write("")


def plan_table(outcome: ImportOutcome) -> list[str]:
    counts = outcome.plan
    lines = [f"{'':<16}{'created':>10}{'updated':>10}{'deactivated':>13}"]
    for kind in [*KINDS, *sorted(set(counts.kinds) - set(KINDS))]:
        row = counts[kind]
        lines.append(f"{kind:<16}{row.created:>10}{row.updated:>10}{row.deactivated:>13}")
    lines.append(f"{counts.total_changes} change(s) in all")
    return lines


def _organisation(sourced_id: str | None) -> Organisation | None:
    if sourced_id is None:
        return None
    found = Organisation.objects.filter(sourced_id=sourced_id).first()
    if found is None:
        raise CommandError(f'No organisation has the sourcedId "{sourced_id}".')
    return found


class Command(BaseCommand):
    help = "Import OneRoster CSV bundles into Village, or export a district as one."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        importing = actions.add_parser(
            "import",
            help="Check a bundle and apply it (nothing changes if it has any error).",
        )
        importing.add_argument("path", type=Path, help="A OneRoster zip file or folder.")
        importing.add_argument(
            "--dry-run", action="store_true", help="Check and plan only; change nothing."
        )
        importing.add_argument(
            "--organisation",
            default=None,
            metavar="SOURCED_ID",
            help=(
                "Import for this district or school only, as its admin would: accounts of people "
                "who also belong elsewhere are left as they are. Default: every organisation."
            ),
        )
        exporting = actions.add_parser(
            "export", help="Write a district as a OneRoster 1.1 bulk bundle."
        )
        exporting.add_argument(
            "out", type=Path, help="The folder (or, with --zip, the zip file) to write."
        )
        exporting.add_argument(
            "--district",
            default=None,
            metavar="SOURCED_ID_OR_NAME",
            help="Which district; needed when Village holds more than one.",
        )
        exporting.add_argument(
            "--zip", action="store_true", help="Write one zip file instead of a folder."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self.import_bundle(
                options["path"],
                dry_run=options["dry_run"],
                organisation=_organisation(options["organisation"]),
            )
        elif options["action"] == "export":
            self.export_bundle(options["out"], district=options["district"], as_zip=options["zip"])

    def export_bundle(self, out: Path, *, district: str | None, as_zip: bool) -> None:
        try:
            summary = export_district(
                district=district_for_export(district), out=out, as_zip=as_zip
            )
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        for kind, count in summary.counts.items():
            self.stdout.write(f"  {kind + '.csv':<22}{count:>10}")
        self.stdout.write(
            self.style.SUCCESS(f"Wrote a OneRoster 1.1 bulk bundle to {summary.out}.")
        )

    def import_bundle(
        self, path: Path, *, dry_run: bool, organisation: Organisation | None = None
    ) -> None:
        progress = ProgressBar(self.stderr)
        try:
            outcome = run_import(
                path=path, dry_run=dry_run, progress=progress, organisation=organisation
            )
        finally:
            progress.close()
        self.print_report(outcome)
        if not outcome.report.ok:
            raise CommandError("The roster was rejected: nothing was imported.", returncode=1)
        if outcome.applied:
            self.stdout.write(self.style.SUCCESS("Imported."))
        else:
            self.stdout.write("Dry run: nothing was changed.")

    def print_report(self, outcome: ImportOutcome) -> None:
        report = outcome.report
        self.stdout.write(str(report))
        if report.counts:
            read = ", ".join(f"{kind} {n}" for kind, n in report.counts.items())
            self.stdout.write(f"rows read: {read}")
        if report.ok:
            self.stdout.write("")
            for line in plan_table(outcome):
                self.stdout.write(line)
