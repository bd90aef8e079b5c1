"""Check that Village's requirement locks are exact and complete, without asking any registry.

The set-up commands install a lock with ``pip install --no-deps --require-hashes``: pip installs
exactly the pinned files and resolves nothing, so the install cannot drift when the registry
publishes a newer release. That only works while the lock is *complete*. A lock is complete when
every distribution needed by the requirements it was compiled from (``<lock>.in``), followed
through the metadata of the installed distributions with their markers and extras evaluated for
this interpreter, is pinned in it with ``==``, carries hashes, and its pin satisfies every
specifier that asks for it.

Run it in the project's virtual environment (installed from ``requirements/dev.txt``, a superset
of ``base.txt``): ``python tools/lockcheck.py``. It prints one line per problem and exits 1 if
there is any.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ("requirements/base.txt", "requirements/dev.txt")
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(?P<version>[^\s;\\]+)")


@dataclass
class Pin:
    version: str
    line: int
    hashes: int = 0


@dataclass
class Lock:
    path: Path
    pins: dict[str, Pin] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def read_lock(path: Path) -> Lock:
    """Every requirement line of a hashed lock, by canonical name; malformed lines are problems."""
    lock = Lock(path)
    current: Pin | None = None
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("--hash="):
            if current is not None:
                current.hashes += 1
            continue
        match = _PIN.match(line)
        if match is None:
            text = line.rstrip(" \\")
            lock.problems.append(f"{path.name}:{number}: not pinned with == ({text})")
            current = None
            continue
        current = Pin(match["version"], number)
        lock.pins[canonicalize_name(match["name"])] = current
    for name, pin in lock.pins.items():
        if pin.hashes == 0:
            lock.problems.append(f"{path.name}:{pin.line}: {name}=={pin.version} has no --hash")
    return lock


def read_sources(path: Path) -> list[Requirement]:
    """The requirements a lock was compiled from, following ``-r other.in`` includes."""
    requirements: list[Requirement] = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            requirements += read_sources(path.parent / line[3:].strip())
            continue
        requirements.append(Requirement(line))
    return requirements


def _wanted(requirement: Requirement, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in extras | {""})


def _dependencies(name: str, extras: set[str]) -> list[Requirement]:
    requires = metadata.distribution(name).requires or []
    found = []
    for text in requires:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if _wanted(requirement, extras):
            found.append(requirement)
    return found


def check_lock(lock_path: Path, source_path: Path) -> list[str]:
    """Problems that make ``lock_path`` an inexact or incomplete lock of ``source_path``."""
    lock = read_lock(lock_path)
    problems = list(lock.problems)
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(requirement, "-r " + source_path.name) for requirement in read_sources(source_path)]
    while todo:
        requirement, parent = todo.pop()
        if not _wanted(requirement, set()):
            continue
        name = canonicalize_name(requirement.name)
        pin = lock.pins.get(name)
        if pin is None:
            problems.append(f"{lock_path.name}: {requirement} (needed by {parent}) is not pinned")
            continue
        if not requirement.specifier.contains(Version(pin.version), prereleases=True):
            problems.append(
                f"{lock_path.name}:{pin.line}: {name}=={pin.version} does not satisfy "
                f"{requirement} (needed by {parent})"
            )
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            problems.append(f"{lock_path.name}: {name} is pinned but not installed here")
            continue
        if Version(installed) != Version(pin.version):
            problems.append(
                f"{lock_path.name}:{pin.line}: {name} is pinned at {pin.version} "
                f"but {installed} is installed"
            )
            continue
        parent_name = f"{name}=={pin.version}"
        todo += [(dep, parent_name) for dep in _dependencies(name, set(requirement.extras))]
    return problems


def check_agreement(first: Path, second: Path) -> list[str]:
    """Packages pinned in both locks must be pinned at the same version."""
    a, b = read_lock(first).pins, read_lock(second).pins
    return [
        f"{second.name}:{b[name].line}: {name}=={b[name].version} but "
        f"{first.name} pins {a[name].version}"
        for name in sorted(a.keys() & b.keys())
        if a[name].version != b[name].version
    ]


def main() -> int:
    problems: list[str] = []
    for lock in LOCKS:
        path = ROOT / lock
        problems += check_lock(path, path.with_suffix(".in"))
    problems += check_agreement(ROOT / LOCKS[0], ROOT / LOCKS[1])
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"The locks are exact and complete: {', '.join(LOCKS)}.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
