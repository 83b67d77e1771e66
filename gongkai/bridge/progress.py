"""Progress of a long build in a terminal (stage and count); silent when not a terminal or in CI,
where the CLI prints one summary line instead."""
from __future__ import annotations

import os
import sys


class Progress:
    """Stage and page count on stderr, drawn by rich when stderr is an interactive terminal."""

    def __init__(self, enabled: bool | None = None):
        if enabled is None:
            enabled = sys.stderr.isatty() and not os.environ.get("CI")
        self._bar = None
        self._task = None
        if enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), transient=True, console=_console())
            self._bar.start()
        self.pages = 0

    def stage(self, description: str, total: int | None = None) -> None:
        if self._bar is not None:
            if self._task is not None:
                self._bar.update(self._task, visible=False)
            self._task = self._bar.add_task(description, total=total)

    def advance(self) -> None:
        self.pages += 1
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _console():
    from rich.console import Console

    return Console(stderr=True)
