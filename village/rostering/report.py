"""What a roster check found: errors that block an import and warnings that do not.

A 400,000-row file with the same mistake on every row must not yield 400,000 messages, so the
report keeps the first ``cap`` messages of each kind per file and only counts the rest.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

DEFAULT_CAP = 50


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding. ``code`` names the kind of problem (stable, for grouping and tests)."""

    severity: Severity
    code: str
    message: str
    file: str = ""
    line: int | None = None
    column: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where = f"{where} line {self.line}" if where else f"line {self.line}"
        if self.column:
            where = f"{where}, column {self.column}" if where else f"column {self.column}"
        return f"{where}: {self.message}" if where else self.message

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "text": str(self),
        }


@dataclass
class Report:
    """Errors and warnings of one bundle, with the number of records read per kind."""

    cap: int = DEFAULT_CAP
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # (severity, file, code) -> how many issues of that kind were seen, kept or not.
    _seen: Counter[tuple[Severity, str, str]] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self._total(Severity.ERROR)

    @property
    def error_count(self) -> int:
        return self._total(Severity.ERROR)

    @property
    def warning_count(self) -> int:
        return self._total(Severity.WARNING)

    @property
    def omitted(self) -> dict[tuple[Severity, str, str], int]:
        """How many issues of each (severity, file, code) were counted but not stored."""
        return {key: n - self.cap for key, n in self._seen.items() if n > self.cap}

    def error(
        self, code: str, message: str, *, file: str = "", line: int | None = None, column: str = ""
    ) -> None:
        self._add(Issue(Severity.ERROR, code, message, file, line, column))

    def warning(
        self, code: str, message: str, *, file: str = "", line: int | None = None, column: str = ""
    ) -> None:
        self._add(Issue(Severity.WARNING, code, message, file, line, column))

    def has(self, code: str, *, file: str | None = None) -> bool:
        """Was an issue of this kind (in this file) recorded? Counts omitted ones too."""
        return any(key[2] == code and (file is None or key[1] == file) for key in self._seen)

    def _add(self, issue: Issue) -> None:
        key = (issue.severity, issue.file, issue.code)
        self._seen[key] += 1
        if self._seen[key] <= self.cap:
            target = self.errors if issue.severity is Severity.ERROR else self.warnings
            target.append(issue)

    def _total(self, severity: Severity) -> int:
        return sum(n for key, n in self._seen.items() if key[0] is severity)

    def summary(self) -> str:
        verdict = "accepted" if self.ok else "rejected"
        return f"{verdict}: {self.error_count} error(s), {self.warning_count} warning(s)"

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "summary": self.summary(),
            "error_count": self.error_count,
            "warning_count": self.warning_count,
            "counts": dict(self.counts),
            "errors": [issue.as_dict() for issue in self.errors],
            "warnings": [issue.as_dict() for issue in self.warnings],
            "omitted": [
                {"severity": sev.value, "file": file, "code": code, "count": n}
                for (sev, file, code), n in sorted(self.omitted.items())
            ],
        }

    def __str__(self) -> str:
        lines = [self.summary()]
        lines += [f"error: {issue}" for issue in self.errors]
        lines += [f"warning: {issue}" for issue in self.warnings]
        lines += [
            f"... and {n} more {sev.value}(s) of kind {code} in {file or 'the bundle'}"
            for (sev, file, code), n in sorted(self.omitted.items())
        ]
        return "\n".join(lines)
