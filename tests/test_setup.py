"""The two set-up commands: an exact, complete lock, and a demo that prints where it serves."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.http.request import validate_host

from tools.lockcheck import ROOT, check_agreement, check_lock

REQUIREMENTS = ROOT / "requirements"


def _copy_sources(tmp_path: Path) -> None:
    for source in REQUIREMENTS.glob("*.in"):
        shutil.copy(source, tmp_path / source.name)


def _lock_without(tmp_path: Path, lock: str, package: str) -> Path:
    """A copy of a lock with one package's entry (its pin, hashes and comments) removed."""
    kept, skipping = [], False
    for line in (REQUIREMENTS / lock).read_text().splitlines():
        if line and not line.startswith(" "):
            skipping = line.startswith(f"{package}==")
        if not skipping:
            kept.append(line)
    path = tmp_path / lock
    path.write_text("\n".join(kept) + "\n")
    return path


@pytest.mark.parametrize("lock", ["base.txt", "dev.txt"])
def test_the_locks_are_exact_and_complete(lock):
    path = REQUIREMENTS / lock
    assert check_lock(path, path.with_suffix(".in")) == []


def test_the_locks_pin_shared_packages_alike():
    assert check_agreement(REQUIREMENTS / "base.txt", REQUIREMENTS / "dev.txt") == []


def test_a_lock_missing_a_dependency_of_a_dependency_is_refused(tmp_path):
    """pytest-cov asks for coverage[toml]: without its pin, an install would resolve it."""
    _copy_sources(tmp_path)
    lock = _lock_without(tmp_path, "dev.txt", "coverage")
    assert check_lock(lock, tmp_path / "dev.in") == [
        "dev.txt: coverage[toml]>=7.10.6 (needed by pytest-cov==7.1.0) is not pinned"
    ]


def test_a_lock_missing_a_direct_requirement_is_refused(tmp_path):
    _copy_sources(tmp_path)
    lock = _lock_without(tmp_path, "base.txt", "nh3")
    assert check_lock(lock, tmp_path / "base.in") == [
        "base.txt: nh3 (needed by -r base.in) is not pinned"
    ]


def test_a_range_or_a_pin_without_hashes_is_refused(tmp_path):
    _copy_sources(tmp_path)
    lines, entry = [], ""
    for line in (REQUIREMENTS / "base.txt").read_text().splitlines():
        if line and not line.startswith(" "):
            entry = line
            line = line.replace("nh3==", "nh3>=")
            line = line.replace("whitenoise==6.12.0 \\", "whitenoise==6.12.0")
        if entry.startswith("whitenoise==") and line.strip().startswith("--hash="):
            continue
        lines.append(line)
    (tmp_path / "base.txt").write_text("\n".join(lines) + "\n")
    problems = check_lock(tmp_path / "base.txt", tmp_path / "base.in")
    assert any("not pinned with ==" in problem and "nh3>=" in problem for problem in problems)
    assert any("whitenoise==6.12.0 has no --hash" in problem for problem in problems)


def test_a_pin_that_breaks_a_specifier_is_refused(tmp_path):
    _copy_sources(tmp_path)
    (tmp_path / "base.in").write_text(
        (tmp_path / "base.in").read_text().replace("django>=5.2,<5.3", "django>=6")
    )
    shutil.copy(REQUIREMENTS / "base.txt", tmp_path / "base.txt")
    problems = check_lock(tmp_path / "base.txt", tmp_path / "base.in")
    assert len(problems) == 1
    assert "django==5.2." in problems[0]
    assert "does not satisfy django>=6" in problems[0]


def test_the_command_line_check_passes_on_the_committed_locks():
    done = subprocess.run(  # noqa: S603 - our own script, run by this interpreter
        [sys.executable, str(ROOT / "tools" / "lockcheck.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def _make_dry_run(*args: str, env: dict[str, str] | None = None) -> str:
    """What ``make -n`` would run; ``env`` replaces the ``VILLAGE_*`` environment. The Makefile
    is read with its own defaults, not the variables of a ``make`` this suite may run under
    (CI runs one suite with ``VENV=.venv-coverage``)."""
    make = shutil.which("make")
    if make is None:
        pytest.fail("make is needed to check the set-up commands")
    inherited = ("VILLAGE_", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(inherited)}
    done = subprocess.run(  # noqa: S603 - make, dry run of our own Makefile
        [make, "--no-print-directory", "-n", "-B", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**environment, **(env or {})},
    )
    return done.stdout


def test_the_install_never_resolves_and_checks_what_it_installed():
    commands = _make_dry_run(".venv/.installed")
    installs = [line for line in commands.splitlines() if " install " in line]
    assert installs, commands
    assert all("--no-deps" in line for line in installs), installs
    assert "--require-hashes -r requirements/dev.txt" in commands
    assert "pip check" in commands


def test_make_demo_prints_the_address_it_really_serves():
    commands = _make_dry_run("demo", "HOST=127.0.0.1", "PORT=8765")
    assert "village demo --address http://127.0.0.1:8765/" in commands
    assert "runserver 127.0.0.1:8765" in commands
    assert ":8000" not in commands


def _answered_hosts(commands: str) -> list[str]:
    """The host names the demo's web server answers to (``VILLAGE_ALLOWED_HOSTS``), as the
    demo prints them from the very variable it exports."""
    [line] = [line for line in commands.splitlines() if "Host names answered:" in line]
    return line.split("Host names answered: ", 1)[1].split(" ", 1)[0].split(",")


def test_make_demo_on_a_lan_address_answers_to_that_address():
    commands = _make_dry_run("demo", "HOST=192.168.1.20", "PORT=8765")
    hosts = _answered_hosts(commands)
    assert validate_host("192.168.1.20", hosts)
    assert validate_host("127.0.0.1", hosts)
    assert validate_host("localhost", hosts)
    assert not validate_host("evil.example.com", hosts)
    assert "runserver 192.168.1.20:8765" in commands
    assert "village demo --address http://192.168.1.20:8765/" in commands


def test_make_demo_on_every_interface_prints_an_address_that_works():
    commands = _make_dry_run("demo", "HOST=0.0.0.0", "PORT=8765")
    assert "runserver 0.0.0.0:8765" in commands
    assert "village demo --address http://127.0.0.1:8765/" in commands
    assert "web server on http://127.0.0.1:8765/ (listening on all interfaces)" in commands
    assert "http://0.0.0.0" not in commands
    hosts = _answered_hosts(commands)
    assert validate_host("127.0.0.1", hosts)
    assert validate_host("localhost", hosts)
    assert "*" not in hosts
    assert "0.0.0.0" not in hosts  # noqa: S104 - a host name, not a bind


def test_make_demo_keeps_the_allowed_hosts_it_is_given():
    commands = _make_dry_run(
        "demo", "HOST=0.0.0.0", env={"VILLAGE_ALLOWED_HOSTS": "demo.example.org"}
    )
    assert _answered_hosts(commands) == ["demo.example.org"]


def test_make_demo_exports_the_allowed_hosts_it_prints():
    makefile = (ROOT / "Makefile").read_text()
    assert "demo: export VILLAGE_ALLOWED_HOSTS ?=" in makefile
