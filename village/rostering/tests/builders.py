"""Small OneRoster bundles written from Python text, for tests."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

HEADERS = {
    "orgs": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
    "academicSessions": (
        "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear"
    ),
    "courses": (
        "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
        "orgSourcedId,subjects,subjectCodes"
    ),
    "classes": (
        "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
        "location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods"
    ),
    "users": (
        "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
        "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
        "password"
    ),
    "enrollments": (
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
        "primary,beginDate,endDate"
    ),
}

# Riverside district and its elementary school, one term, one class, Ms. Rivera and Ada.
ROWS = {
    "orgs": [
        "d1,,,Riverside District,district,,",
        "s1,,,Riverside Elementary,school,RE,d1",
    ],
    "academicSessions": ["t1,,,Fall 2024,term,2024-09-01,2024-12-20,,2025"],
    "courses": ["c1,,,,Reading 4,RD4,04,s1,,"],
    "classes": ["k1,,,Reading 4A,04,c1,RD4A,scheduled,Room 12,s1,t1,,,1"],
    "users": [
        "rivera,,,true,s1,teacher,mrivera,,Maria,Rivera,,,rivera@example.org,,,,,",
        "ada,,,true,s1,student,ada,,Ada,Lovelace,,,,,,,04,",
        "jordan,,,true,s1,parent,jordan,,Jordan,Lovelace,,,,,,ada,,",
    ],
    "enrollments": [
        "e1,,,k1,s1,rivera,teacher,true,,",
        "e2,,,k1,s1,ada,student,false,2024-09-01,2024-12-20",
    ],
}


def manifest(modes: dict[str, str], version: str = "1.1") -> str:
    lines = ["propertyName,value", "manifest.version,1.0", f"oneroster.version,{version}"]
    lines += [f"file.{kind},{mode}" for kind, mode in modes.items()]
    return "\n".join(lines) + "\n"


def csv_text(kind: str, rows: list[str], header: str | None = None, eol: str = "\n") -> str:
    return eol.join([header or HEADERS[kind], *rows]) + eol


def base_files(mode: str = "bulk", **overrides: list[str]) -> dict[str, str | bytes]:
    """The Riverside bundle; ``overrides`` replace the rows of a kind."""
    rows = {**ROWS, **overrides}
    files: dict[str, str | bytes] = {f"{kind}.csv": csv_text(kind, rows[kind]) for kind in rows}
    files["manifest.csv"] = manifest(dict.fromkeys(rows, mode))
    return files


def write_zip(path: Path, files: Mapping[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return path


def write_folder(path: Path, files: Mapping[str, str | bytes]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content.encode() if isinstance(content, str) else content
        (path / name).write_bytes(data)
    return path
