"""driftmend: drift and data-quality reports for ML pipelines, from Python.

The same Rust code as the ``driftmend`` command: ``driftmend.report()``
returns the JSON report that ``driftmend report --format json`` prints.
See ``docs/python-and-spark.md``.
"""

from __future__ import annotations

import difflib
import json
import os
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from . import _driftmend
from ._driftmend import DriftmendError, __version__

__all__ = ["DriftmendError", "__version__", "report"]

# keyword -> (flag, takes a value, repeatable), from the CLI's own flags.
_REPORT_FLAGS = {name: (flag, takes, many) for name, flag, takes, many in _driftmend.report_flags()}


def report(reference: Any, current: Any, **options: Any) -> dict[str, Any]:
    """Compare ``current`` with ``reference``; return the JSON report as a dict.

    Each side is a path (a Parquet/CSV file, a glob or a directory, as the
    CLI's ``--reference`` takes), or data: a pyarrow Table or
    RecordBatchReader, an iterable of pyarrow RecordBatches, a pandas or
    polars DataFrame, or any object with ``__arrow_c_stream__``. Options are
    the flags of ``driftmend report`` in snake_case (``num_method="psi"``,
    ``columns=["age", "city"]``, ``threshold={"age": 0.2}``,
    ``output_html="report.html"``). Raises ``DriftmendError`` with the
    CLI's message when an input or option is wrong. The readers' warnings
    are issued as Python warnings.
    """
    flags = _flags("report", _REPORT_FLAGS, options)
    text, notes = _driftmend.report(_side(reference), _side(current), flags)
    for note in notes:
        warnings.warn(note, stacklevel=2)
    return json.loads(text)


def _flags(function: str, known: Mapping[str, tuple], options: Mapping[str, Any]) -> list[str]:
    """Keyword arguments as the CLI flags in ``known`` (``--flag=value``, so a
    value may start with ``-``)."""
    out: list[str] = []
    for name, value in options.items():
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise TypeError(f"{function}() got an unexpected keyword argument '{name}'{hint}")
        flag, takes_value, repeatable = known[name]
        if value is None:
            continue
        if not takes_value:
            if not isinstance(value, bool):
                raise TypeError(f"{function}(): '{name}' is True or False, not {type(value).__name__}")
            if value:
                out.append(flag)
            continue
        values = _values(name, value)
        if len(values) > 1 and not repeatable:
            raise TypeError(f"{function}(): '{name}' takes one value, not {len(values)}")
        out.extend(f"{flag}={v}" for v in values)
    return out


def _values(name: str, value: Any) -> list[str]:
    """One option's value(s) as text: a mapping gives ``KEY=VALUE`` items."""
    if isinstance(value, Mapping):
        return [f"{k}={_text(v)}" for k, v in value.items()]
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return [x for item in items for x in _values(name, item)]
    return [_text(value)]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)


def _side(data: Any) -> Any:
    """A path as text, or ``(label, capsule)`` for data in memory."""
    if isinstance(data, (str, os.PathLike)):
        return os.fspath(data)
    kind = type(data)
    label = f"<{kind.__module__.split('.')[0]}.{kind.__qualname__}>"
    if kind.__module__.startswith("pandas") and kind.__name__ == "DataFrame":
        # pandas' own export would add a non-default index as a column.
        import pyarrow

        data = pyarrow.Table.from_pandas(data, preserve_index=False)
    elif not hasattr(data, "__arrow_c_stream__"):
        data = _batches_reader(data, label)
    return (label, data.__arrow_c_stream__())


def _batches_reader(data: Any, label: str) -> Any:
    """An iterable of record batches as a pyarrow RecordBatchReader."""
    if not isinstance(data, Iterable) or isinstance(data, (bytes, bytearray)):
        raise TypeError(
            f"cannot read {label}: pass a path, a pyarrow Table, RecordBatchReader or "
            "iterable of RecordBatches, a pandas or polars DataFrame, or an object "
            "with __arrow_c_stream__"
        )
    import pyarrow

    batches = iter(data)
    try:
        first = next(batches)
    except StopIteration:
        raise DriftmendError(f"`{label}` has no rows (an empty iterable)") from None
    if not isinstance(first, pyarrow.RecordBatch):
        first = pyarrow.record_batch(first)

    def rest():
        yield first
        for batch in batches:
            yield batch if isinstance(batch, pyarrow.RecordBatch) else pyarrow.record_batch(batch)

    return pyarrow.RecordBatchReader.from_batches(first.schema, rest())
