"""Reading reference data files (CSV) and writing them into the database idempotently.

Shared by the registry and catalog loaders: every problem is reported with its file, line and
reason, and a file with any problem changes nothing.
"""
import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from .db import db


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class DataFileError(Exception):
    """One or more rows of a data file are malformed; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems[:50]))


@dataclass
class LoadReport:
    """What a load did, per kind of record: added, changed, unchanged."""

    counts: dict[str, Counter] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def count(self, kind: str, outcome: str) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += 1

    @property
    def changed_anything(self) -> bool:
        return any(c["added"] or c["changed"] for c in self.counts.values())

    def lines(self) -> list[str]:
        out = [
            f"{kind}: {c['added']} added, {c['changed']} changed, {c['unchanged']} unchanged"
            for kind, c in self.counts.items()
        ]
        return out + self.notes


def read_rows(path: Path, required: tuple[str, ...], problems: list[Problem],
              optional: tuple[str, ...] = ()) -> Iterator[tuple[int, dict]]:
    """Rows of a UTF-8 CSV file with their line numbers; missing columns or values become problems.

    ``required`` columns must be present and filled; ``optional`` ones present, possibly empty.
    """
    name = str(path)
    try:
        handle = open(path, newline="", encoding="utf-8-sig")
    except OSError as exc:
        problems.append(Problem(name, 0, f"cannot be read: {exc.strerror}"))
        return
    with handle:
        try:
            reader = csv.DictReader(handle)
            missing = [c for c in required + optional if c not in (reader.fieldnames or [])]
            if missing:
                problems.append(Problem(name, 1, f"missing column(s): {', '.join(missing)}"))
                return
            for row in reader:
                line = reader.line_num
                if None in row or any(v is None for v in row.values()):
                    problems.append(Problem(name, line, "wrong number of fields"))
                    continue
                row = {k: v.strip() for k, v in row.items()}
                empty = [c for c in required if not row[c]]
                if empty:
                    problems.append(Problem(name, line, f"empty value(s): {', '.join(empty)}"))
                    continue
                yield line, row
        except (csv.Error, UnicodeDecodeError) as exc:
            problems.append(Problem(name, getattr(reader, "line_num", 0), f"not valid CSV: {exc}"))


def upsert(model: type, key: dict[str, Any], values: dict[str, Any], existing: dict | None,
           report: LoadReport, kind: str):
    """Insert or update one record so that it has exactly ``values``; count what happened."""
    lookup = tuple(key.values())
    obj = existing.get(lookup if len(lookup) > 1 else lookup[0]) if existing is not None else None
    if obj is None and existing is None:
        obj = db.session.scalar(select(model).filter_by(**key))
    if obj is None:
        obj = model(**key, **values)
        db.session.add(obj)
        report.count(kind, "added")
        return obj
    changed = False
    for attr, value in values.items():
        if getattr(obj, attr) != value:
            setattr(obj, attr, value)
            changed = True
    report.count(kind, "changed" if changed else "unchanged")
    return obj
