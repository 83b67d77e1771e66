"""Validation findings: typed, structured, with a Chinese message that says how to fix it.

Tests assert on ``(code, resource, row, field)``; the wording may change, the structure may not.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

ERROR = "error"
WARNING = "warning"
MAX_PER_CODE = 50  # findings of one code per resource listed before the rest is only counted


def column_letter(index: int) -> str:
    """Spreadsheet column letter for a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class Finding:
    """One problem in the data or the configuration."""

    code: str
    message: str
    resource: str | None = None
    file: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None
    value: Any = None
    severity: str = ERROR

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("severity")
        if data["value"] is not None:
            data["value"] = str(data["value"])  # the cell as written: always text
        return data

    def sort_key(self) -> tuple:
        return (self.file or "", self.row or 0, self.column or "", self.code, self.field or "")


def error(code: str, message: str, **where: Any) -> Finding:
    return Finding(code=code, message=message, severity=ERROR, **where)


def warning(code: str, message: str, **where: Any) -> Finding:
    return Finding(code=code, message=message, severity=WARNING, **where)


@dataclass
class Report:
    """All findings of one validation run (never stops at the first)."""

    findings: list[Finding] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)  # resource -> rows checked

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict:
        return {
            "valid": self.valid,
            "errors": [f.to_dict() for f in _capped(self.errors)],
            "warnings": [f.to_dict() for f in _capped(self.warnings)],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def _capped(findings: list[Finding]) -> list[Finding]:
    """Keep at most MAX_PER_CODE findings of one code per resource; add one that counts the rest."""
    findings = sorted(findings, key=Finding.sort_key)
    seen: Counter = Counter()
    kept: list[Finding] = []
    for f in findings:
        key = (f.resource, f.code)
        seen[key] += 1
        if seen[key] <= MAX_PER_CODE:
            kept.append(f)
    for (resource, code), count in sorted(seen.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
        if count > MAX_PER_CODE:
            rest = count - MAX_PER_CODE
            sample = next(f for f in findings if (f.resource, f.code) == (resource, code))
            kept.append(
                Finding(
                    code="more-findings",
                    message=f"同类问题（{code}）还有 {rest} 处未列出，请先改正上面列出的问题后重新检查。",
                    resource=resource,
                    file=sample.file,
                    value=rest,
                    severity=sample.severity,
                )
            )
    return kept
