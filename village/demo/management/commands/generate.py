"""``village generate``: a synthetic district of any size, for load tests and benchmarks."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from village.community.models import Organisation
from village.demo.classwork.generated import classwork_generate, generated_classwork_delete
from village.demo.community.synthetic import (
    DISTRICT_SOURCED_ID,
    district_generate,
    generated_district_delete,
    generated_district_exists,
)
from village.rostering.export import ExportError, export_district


class Command(BaseCommand):
    help = (
        "Generate a synthetic district (sourced ids 'gen-') with set-based inserts: schools of "
        "500-800 students, families, teachers, classes and enrolments, then a term of classwork "
        "(topics, about 40 assignments per class, submissions and feedback). Prints counts and "
        "time."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--students", type=int, default=0, help="How many students.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same district.")
        parser.add_argument(
            "--password", default=None, help="One password for every account (default: none)."
        )
        parser.add_argument(
            "--reset", action="store_true", help="Delete a generated district first."
        )
        parser.add_argument(
            "--delete", action="store_true", help="Only delete the generated district."
        )
        parser.add_argument(
            "--no-classwork", action="store_true", help="Only the roster: no classwork."
        )
        parser.add_argument(
            "--classwork-classes",
            type=int,
            default=0,
            metavar="N",
            help="Submissions and feedback only in the classes of the first families with two or "
            "three children, until N classes are covered (default: every class).",
        )
        parser.add_argument(
            "--oneroster",
            metavar="OUT",
            default=None,
            help="Then write the district as a OneRoster 1.1 bulk bundle: a zip if OUT ends "
            "in .zip, else a folder.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["delete"] and options["oneroster"]:
            raise CommandError("--oneroster needs a district: it cannot go with --delete.")
        if options["reset"] or options["delete"]:
            deleted = generated_classwork_delete() + generated_district_delete()
            self.stdout.write(f"Deleted the generated district ({deleted} rows).")
            if options["delete"]:
                return
        if options["students"] < 1:
            raise CommandError("Say how many students to generate: --students N (N >= 1).")
        if generated_district_exists():
            raise CommandError("A generated district exists already; add --reset to replace it.")
        result = district_generate(
            students=options["students"], seed=options["seed"], password=options["password"]
        )
        self._report("Generated", result.counts, result.seconds)
        if not options["no_classwork"]:
            classwork = classwork_generate(
                seed=options["seed"], classes=options["classwork_classes"]
            )
            self._report("Classwork:", classwork.counts, classwork.seconds)
        if options["oneroster"]:
            self._export(Path(options["oneroster"]))

    def _report(self, what: str, counts: dict[str, int], seconds: float) -> None:
        for label, count in counts.items():
            self.stdout.write(f"  {label:<20}{count:>10}")
        rows = sum(counts.values())
        rate = rows / seconds if seconds else 0.0
        self.stdout.write(
            self.style.SUCCESS(f"{what} {rows} rows in {seconds:.1f} s ({rate:,.0f} rows/s).")
        )

    def _export(self, out: Path) -> None:
        district = Organisation.objects.get(sourced_id=DISTRICT_SOURCED_ID)
        try:
            summary = export_district(
                district=district, out=out, as_zip=out.suffix.lower() == ".zip"
            )
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"OneRoster 1.1 bulk bundle written to {summary.out}:")
        for kind, count in summary.counts.items():
            self.stdout.write(f"  {kind + '.csv':<22}{count:>10}")
