"""Time ``village generate`` on the configured database.

    .venv/bin/python bench/generate.py --students 50000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/village_bench .venv/bin/python bench/generate.py

Removes any earlier generated district first (not timed), then generates and prints seconds,
rows, rows per second and the process's peak memory. ``--keep`` leaves the district in place;
otherwise it is deleted again (timed separately).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "village.settings")


def main() -> None:
    options = _arguments()
    import django

    django.setup()
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection

    def total_rows() -> int:
        return sum(
            model._default_manager.count() for model in apps.get_models(include_auto_created=True)
        )

    call_command("migrate", verbosity=0)
    call_command("generate", "--delete", stdout=io.StringIO())
    before = total_rows()
    args = ["--students", str(options.students), "--seed", str(options.seed)]
    if options.password:
        args += ["--password", options.password]
    started = time.perf_counter()
    call_command("generate", *args, stdout=io.StringIO())
    seconds = time.perf_counter() - started
    rows = total_rows() - before
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"database      {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"students      {options.students}")
    print(f"rows          {rows}")
    print(f"seconds       {seconds:.1f}")
    print(f"rows/s        {rows / seconds:,.0f}")
    print(f"peak RSS      {peak_mb:.0f} MiB")
    if not options.keep:
        started = time.perf_counter()
        call_command("generate", "--delete", stdout=io.StringIO())
        print(f"delete        {time.perf_counter() - started:.1f} s")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--password", default=None)
    parser.add_argument("--keep", action="store_true", help="Keep the generated district.")
    return parser.parse_args()


if __name__ == "__main__":
    main()
