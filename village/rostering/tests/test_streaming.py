"""A district-sized users.csv is read in one pass with bounded memory.

The check runs in a fresh interpreter and reads its peak resident memory (``ru_maxrss``) before
and after: unlike ``tracemalloc``, that costs nothing per allocation, so 200,000 rows stay quick.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import village
from village.rostering.tests.builders import HEADERS, manifest

ROWS = 200_000
# The parsed roster itself is about 1 KB per user (about 200 MB here); keeping each row's text or
# its intermediate values as well would go far past this bound.
GROWTH_LIMIT_MB = 300
REPO = Path(village.__file__).resolve().parents[1]

MEASURE = """
import json, resource, sys
import django
django.setup()
from village.rostering.validate import validate_bundle
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
validation = validate_bundle(sys.argv[1])
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({
    "ok": validation.ok,
    "report": str(validation.report)[:2000],
    "users": len(validation.roster.users),
    "read": validation.report.counts.get("users"),
    "guardians": len(validation.roster.guardians),
    "growth_mb": (after - before) / 1024,
}))
"""


def write_big_bundle(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.csv", manifest({"orgs": "bulk", "users": "bulk"}))
        archive.writestr("orgs.csv", HEADERS["orgs"] + "\nd1,,,District,district,,\n")
        with archive.open("users.csv", "w") as out:
            out.write((HEADERS["users"] + "\r\n").encode())
            for i in range(ROWS):
                role = "parent" if i % 3 == 2 else "student"
                agent = f"u{i - 1}" if role == "parent" else ""
                row = (
                    f"u{i},,,true,d1,{role},user{i},,Given{i},Family{i},,ID{i},"
                    f"user{i}@example.org,,,{agent},05,\r\n"
                )
                out.write(row.encode())
    return path


def test_two_hundred_thousand_users_validate_in_bounded_memory(tmp_path: Path) -> None:
    path = write_big_bundle(tmp_path / "big.zip")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "village.settings"}

    done = subprocess.run(  # noqa: S603 - a fixed script run by this interpreter
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])

    assert result["ok"], result["report"]
    assert result["read"] == ROWS
    assert result["users"] == ROWS
    assert result["guardians"] == ROWS // 3
    assert result["growth_mb"] < GROWTH_LIMIT_MB, result
