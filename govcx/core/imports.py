"""What every file import shares: row-level errors and the command line's progress bar."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from tqdm import tqdm

Progress = Callable[[int, int], None]


@dataclass
class RowError:
    """One bad row: its number as a spreadsheet shows it (the header is row 1), the column
    ("" for the whole row) and a plain-language message."""

    row: int
    column: str
    message: str

    def as_dict(self, column_key: str = "column") -> dict[str, Any]:
        return {"row": self.row, column_key: self.column, "message": self.message}


def file_read(path: Path) -> bytes:
    """The file's bytes, or a CommandError saying why it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc


@contextmanager
def progress_bar(*, desc: str, unit: str, verbosity: int = 1) -> Iterator[Progress]:
    """A callback `progress(done, total)` drawing a tqdm bar on stderr, closed on exit."""
    bar: tqdm[Any] | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit=unit, desc=desc, file=sys.stderr,
                       disable=verbosity == 0)
        bar.update(1)

    try:
        yield progress
    finally:
        if bar is not None:
            bar.close()


def row_errors_report(errors: list[RowError], write: Callable[[str], Any]) -> None:
    for e in errors:
        write(f"row {e.row}, column {e.column or '-'}: {e.message}")
