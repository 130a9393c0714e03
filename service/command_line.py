"""What every ``harvestguard`` sub-command shares: one-line errors and checked input files.

A person who mistypes a path or a flag gets one line naming what is wrong and what to
do, and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

USAGE_ERROR = 2
EVENTS_FILE = "an events file (.jsonl or .jsonl.gz), e.g. one harvestguard simulate wrote"


class CommandError(Exception):
    """A problem the person running the command can fix; ``main`` prints it on one line."""


class CommandLine(argparse.ArgumentParser):
    """An argument parser whose errors are one line (argparse prints the whole usage first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: {message} (see {self.prog} --help)\n")


def input_file(wanted: str) -> Callable[[str], Path]:
    """An ``argparse`` type: a file that exists, can be read and is not empty; its errors end
    with what to give instead (``wanted``, e.g. "the labels file harvestguard simulate wrote")."""

    def checked(text: str) -> Path:
        path = Path(text)
        problem = (
            "no such file" if not path.exists()
            else "a folder, not a file" if not path.is_file()
            else "not readable by this user" if not os.access(path, os.R_OK)
            else "the file is empty" if path.stat().st_size == 0
            else None
        )  # fmt: skip
        if problem:
            raise argparse.ArgumentTypeError(f"{text}: {problem}; give {wanted}")
        return path

    return checked


def output_file(path: Path) -> Path:
    """``path`` with its folder made, or a :class:`CommandError` saying why it cannot be."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror}") from None
    if path.is_dir():
        raise CommandError(f"cannot write {path}: it is a folder; name a file")
    return path


def report(prog: str, error: CommandError) -> int:
    print(f"{prog}: {error}", file=sys.stderr)
    return USAGE_ERROR
