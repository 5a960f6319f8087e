"""The compiled half of the package (Rust, PyO3). Use ``driftmend.report`` instead."""

import os
from collections.abc import Sequence

__version__: str

class DriftmendError(Exception):
    """An input, option or report error, with the message the CLI prints."""

# A side: a path, or (label, a PyCapsule named "arrow_array_stream").
def report(
    reference: str | tuple[str, object], current: str | tuple[str, object], flags: list[str]
) -> tuple[str, list[str]]:
    """Compare two datasets as ``driftmend report``; return the JSON text and the warnings."""
    ...

def report_flags() -> list[tuple[str, str, bool, bool]]:
    """``(keyword, flag, takes_value, repeatable)`` for each option of ``report``."""
    ...

def main(argv: Sequence[str | os.PathLike[str]]) -> int:
    """Run the driftmend command line; return its exit code."""
    ...
