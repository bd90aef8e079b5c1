"""Write a district as a OneRoster 1.1 bulk bundle: a folder or a zip of CSV files.

``export_district`` writes ``manifest.csv`` and the six rostering files (orgs, academicSessions,
courses, classes, users, enrollments) with exactly the 1.1 columns in order, RFC 4180 quoting
(the csv module's), UTF-8 without a byte-order mark and CRLF line ends. ``status`` and
``dateLastModified`` stay blank, as a bulk file requires; ``password`` is always blank. Rows are
sorted by sourcedId, and zip entries carry a fixed date, so the same data gives the same bytes.

Objects made in Village have no sourcedId of their own and are exported as ``village-<kind>-<pk>``;
an import keeps that as their sourcedId, so exporting again gives the same files. A kind with no
rows is left out and marked absent: OneRoster forbids header-only files. Which rows go in, and
how roles map, is described in ``export_rows``.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import transaction

from village.community.models import Organisation, OrgKind
from village.rostering.bundle import MANIFEST
from village.rostering.export_rows import HEADERS, ROWS, DistrictScope, ExportError, Row

__all__ = ["ExportError", "ExportSummary", "district_for_export", "export_district"]

SYSTEM_NAME = "Village"
# Every OneRoster 1.1 file, in the order of the specification; those not in ROWS are absent.
ALL_FILES = (
    "orgs", "academicSessions", "courses", "classes", "users", "enrollments", "demographics",
    "categories", "lineItems", "results", "resources", "classResources", "courseResources",
)  # fmt: skip
BUNDLE_NAMES = frozenset({MANIFEST, *(f"{kind}.csv" for kind in ROWS)})
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: no clock in the output


@dataclass
class ExportSummary:
    """Where the bundle went and how many rows each file holds (0: left out, marked absent)."""

    out: Path
    as_zip: bool
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def export_district(*, district: Organisation, out: Path, as_zip: bool = False) -> ExportSummary:
    """Write ``district`` (a district, not a school) to ``out`` as a OneRoster 1.1 bulk bundle.

    ``out`` is a zip file (replaced if it exists) or a folder that must be missing, empty or an
    earlier export (its bundle files are replaced). Raises ``ExportError`` when the district
    cannot make a valid bundle. Reads in one transaction, so the files agree with each other.
    """
    out = Path(out)
    summary = ExportSummary(out, as_zip)
    with transaction.atomic():
        scope = DistrictScope(district)
        if as_zip:
            _write_zip(scope, out, summary)
        else:
            _write_folder(scope, out, summary)
    return summary


def district_for_export(reference: str | None = None) -> Organisation:
    """The district a person names by sourced id or name; none named: the only district.

    Raises ``ExportError`` saying which districts there are when the choice is not clear.
    """
    districts = Organisation.objects.filter(kind=OrgKind.DISTRICT)
    if reference:
        found = list(districts.filter(sourced_id=reference)) or list(
            districts.filter(name__iexact=reference)
        )
    else:
        found = list(districts[:2])
    if len(found) == 1:
        return found[0]
    names = ", ".join(f"{d.name} ({d.sourced_id or d.pk})" for d in districts.order_by("name"))
    if reference and found:
        raise ExportError(f'more than one district is called "{reference}": {names}')
    if reference:
        raise ExportError(f'no district "{reference}"; the districts are: {names or "none"}')
    raise ExportError(f"name the district to export with --district: {names or 'none'}")


# -- the files -------------------------------------------------------------------------------


class _Target:
    """Opens one bundle member for writing."""

    def open(self, name: str) -> AbstractContextManager[IO[bytes]]:
        raise NotImplementedError


class _FolderTarget(_Target):
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def open(self, name: str) -> AbstractContextManager[IO[bytes]]:
        return (self.folder / name).open("wb")


class _ZipTarget(_Target):
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive

    def open(self, name: str) -> AbstractContextManager[IO[bytes]]:
        info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return self.archive.open(info, "w")


def _write_bundle(scope: DistrictScope, target: _Target, summary: ExportSummary) -> None:
    for kind, rows in ROWS.items():
        summary.counts[kind] = _write_csv(target, f"{kind}.csv", HEADERS[kind], rows(scope))
    manifest = [["propertyName", "value"], ["manifest.version", "1.0"]]
    manifest.append(["oneroster.version", "1.1"])
    for kind in ALL_FILES:
        manifest.append([f"file.{kind}", "bulk" if summary.counts.get(kind) else "absent"])
    manifest.append(["source.systemName", SYSTEM_NAME])
    _write_csv(target, MANIFEST, tuple(manifest[0]), iter(manifest[1:]))


def _write_csv(target: _Target, name: str, header: tuple[str, ...], rows: Iterator[Row]) -> int:
    """Write the header and rows; write nothing (and return 0) when there are no rows."""
    first = next(rows, None)
    if first is None:
        return 0
    counted = _Counted(rows)
    with target.open(name) as raw, _text(raw) as text:
        writer = csv.writer(text)  # RFC 4180: minimal quoting, CRLF
        writer.writerow(header)
        writer.writerow(first)
        writer.writerows(counted)
    return counted.count + 1


@contextmanager
def _text(raw: IO[bytes]) -> Iterator[io.TextIOWrapper]:
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=False)
    try:
        yield text
    finally:
        text.flush()
        text.detach()  # the caller closes the member


class _Counted:
    def __init__(self, rows: Iterator[Row]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Row]:
        for row in self.rows:
            self.count += 1
            yield row


# -- folder and zip --------------------------------------------------------------------------


def _write_folder(scope: DistrictScope, folder: Path, summary: ExportSummary) -> None:
    if folder.exists():
        if not folder.is_dir():
            raise ExportError(f"{folder} is a file; give a folder, or ask for a zip")
        strangers = sorted(p.name for p in folder.iterdir() if p.name not in BUNDLE_NAMES)
        if strangers:
            raise ExportError(
                f"{folder} holds other files ({', '.join(strangers[:5])}); "
                "give an empty folder or an earlier export"
            )
        for name in BUNDLE_NAMES:
            (folder / name).unlink(missing_ok=True)  # a kind now empty must not stay behind
    folder.mkdir(parents=True, exist_ok=True)
    _write_bundle(scope, _FolderTarget(folder), summary)


def _write_zip(scope: DistrictScope, path: Path, summary: ExportSummary) -> None:
    """Write next to ``path`` and move into place: a reader never sees half a bundle."""
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name for the zip")
    partial = path.with_name(f".{path.name}.partial")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            _write_bundle(scope, _ZipTarget(archive), summary)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
