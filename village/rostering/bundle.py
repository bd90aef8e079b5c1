"""A OneRoster bundle: a zip file or a folder of CSV files at the top level, with manifest.csv.

Nothing is ever extracted to disk; members are streamed straight from the zip. Paths that try to
climb out of the bundle, encrypted members and members larger than the limit are refused.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from village.rostering.csvread import records
from village.rostering.report import Report
from village.rostering.schema import FileMode

MANIFEST = "manifest.csv"
MAX_MEMBER_BYTES = 1 << 30  # 1 GiB: a 400,000-row users.csv is about 100 MB
MAX_MEMBERS = 500
VERSIONS = ("1.1", "1.2")
# Telltale files of Microsoft School Data Sync exports, which look like OneRoster but are not.
SDS_FILES = frozenset({"School.csv", "Section.csv", "Student.csv", "relationships.csv"})


class Bundle:
    """Top-level CSV members by name, each readable as a binary stream."""

    def __init__(self, name: str, sizes: dict[str, int]) -> None:
        self.name = name
        self.sizes = sizes

    def open(self, member: str) -> IO[bytes]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the underlying file; folders hold nothing open."""

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FolderBundle(Bundle):
    def __init__(self, folder: Path, sizes: dict[str, int]) -> None:
        super().__init__(folder.name, sizes)
        self.folder = folder

    def open(self, member: str) -> IO[bytes]:
        return (self.folder / member).open("rb")


class ZipBundle(Bundle):
    def __init__(self, archive: zipfile.ZipFile, name: str, sizes: dict[str, int]) -> None:
        super().__init__(name, sizes)
        self.archive = archive

    def open(self, member: str) -> IO[bytes]:
        return self.archive.open(member)

    def close(self) -> None:
        self.archive.close()


@dataclass
class Manifest:
    version: str
    files: dict[str, FileMode] = field(default_factory=dict)
    source_system: str = ""


def open_bundle(
    path: str | os.PathLike[str], report: Report, *, max_member_bytes: int = MAX_MEMBER_BYTES
) -> Bundle | None:
    """Open a zip or a folder; report why not and return ``None`` when it cannot be used."""
    source = Path(path)
    if source.is_dir():
        return _open_folder(source, report, max_member_bytes)
    if not source.is_file():
        report.error("no_bundle", f"{source.name}: no such file or folder")
        return None
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        report.error("not_a_zip", f"{source.name} is not a readable zip file ({exc})")
        return None
    sizes = _zip_sizes(archive, report, max_member_bytes)
    if sizes is None:
        archive.close()
        return None
    return ZipBundle(archive, source.name, sizes)


def _open_folder(folder: Path, report: Report, max_member_bytes: int) -> Bundle | None:
    sizes: dict[str, int] = {}
    subfolders: list[str] = []
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            subfolders.append(entry.name + "/")
        elif entry.is_file():
            sizes[entry.name] = entry.stat().st_size
    if not _check_members(sizes, subfolders, report, max_member_bytes):
        return None
    return FolderBundle(folder, sizes)


def _zip_sizes(
    archive: zipfile.ZipFile, report: Report, max_member_bytes: int
) -> dict[str, int] | None:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        report.error(
            "too_many_members", f"the zip holds {len(infos)} entries (at most {MAX_MEMBERS})"
        )
        return None
    sizes: dict[str, int] = {}
    subfolders: set[str] = set()
    for info in infos:
        name = info.filename
        if _unsafe(name):
            report.error("unsafe_path", f'the zip holds an unsafe path "{name}"; it was not read')
            return None
        if info.flag_bits & 0x1:
            report.error("encrypted", f'"{name}" is encrypted; send the bundle without a password')
            return None
        if "/" in name:
            subfolders.add(name.split("/", 1)[0] + "/")
        else:
            sizes[name] = info.file_size
    if not _check_members(sizes, sorted(subfolders), report, max_member_bytes):
        return None
    return sizes


def _unsafe(name: str) -> bool:
    if "\\" in name or "\x00" in name or name.startswith("/") or ":" in name.split("/")[0]:
        return True
    return ".." in PurePosixPath(name).parts


def _check_members(
    sizes: dict[str, int], subfolders: list[str], report: Report, max_member_bytes: int
) -> bool:
    folders = [name for name in subfolders if name != "__MACOSX/"]
    if not sizes and folders:
        report.error(
            "nested_bundle",
            "the CSV files must be at the top level of the bundle, not inside a folder "
            f"(found {', '.join(folders)})",
        )
        return False
    for name, size in sizes.items():
        if size > max_member_bytes:
            report.error(
                "member_too_large",
                f"{size} bytes; at most {max_member_bytes} bytes per file are read",
                file=name,
            )
            return False
    for name in folders:
        report.warning(
            "subfolder_ignored", f"folder {name} ignored: files must be at the top level"
        )
    return True


def read_manifest(bundle: Bundle, report: Report) -> Manifest | None:
    """Read manifest.csv; ``None`` (with errors reported) when the bundle cannot be imported."""
    if MANIFEST not in bundle.sizes:
        hint = ""
        if SDS_FILES & bundle.sizes.keys():
            hint = " (this looks like a Microsoft School Data Sync export, which is not OneRoster)"
        report.error("no_manifest", f"not a OneRoster bundle: manifest.csv is missing{hint}")
        return None
    properties: dict[str, tuple[int, str]] = {}
    with bundle.open(MANIFEST) as stream:
        for line, fields in records(stream, MANIFEST, report):
            name, value = fields[0].strip(), (fields[1].strip() if len(fields) > 1 else "")
            if line == 1 or name == "propertyName":
                continue
            properties[name] = (line, value)
    return _manifest(properties, report)


def _manifest(properties: dict[str, tuple[int, str]], report: Report) -> Manifest | None:
    line, version = properties.get("oneroster.version", (None, ""))
    if version not in VERSIONS:
        message = (
            f'unsupported oneroster.version "{version}" (Village reads 1.1 and 1.2)'
            if version
            else "oneroster.version is missing"
        )
        report.error("bad_version", message, file=MANIFEST, line=line)
        return None
    manifest = Manifest(version, source_system=properties.get("source.systemName", (0, ""))[1])
    for name, (line, value) in properties.items():
        if name.startswith("file."):
            mode = _file_mode(value, line, name, report)
            if mode is not None:
                manifest.files[name.removeprefix("file.")] = mode
    return manifest


def _file_mode(value: str, line: int, name: str, report: Report) -> FileMode | None:
    if not value:
        report.warning(
            "blank_mode", f"{name} has no value; read as absent", file=MANIFEST, line=line
        )
        return FileMode.ABSENT
    try:
        mode = FileMode(value.lower())
    except ValueError:
        report.error(
            "bad_mode",
            f'{name} is "{value}" (expected absent, bulk or delta)',
            file=MANIFEST,
            line=line,
        )
        return None
    if mode.value != value:
        report.warning("enum_case", f'{name} "{value}" read as "{mode}"', file=MANIFEST, line=line)
    return mode
