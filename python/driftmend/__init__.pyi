import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, Union

from ._driftmend import DriftmendError as DriftmendError

__version__: str

class ArrowStreamExportable(Protocol):
    """Anything with the Arrow PyCapsule stream interface (pyarrow, polars, pandas >= 2.2, ...)."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...

# A path (file, glob or directory), data with `__arrow_c_stream__`, a pandas
# DataFrame, or an iterable of pyarrow RecordBatches.
Data = Union[str, os.PathLike[str], ArrowStreamExportable, Iterable[Any]]

Value = Union[str, int, float, os.PathLike[str]]

def report(
    reference: Data,
    current: Data,
    *,
    delimiter: str | None = ...,
    null_values: Sequence[str] | None = ...,
    columns: Sequence[str] | None = ...,
    exclude: Sequence[str] | None = ...,
    categorical: Sequence[str] | None = ...,
    numerical: Sequence[str] | None = ...,
    target: str | None = ...,
    prediction: str | None = ...,
    num_method: str | None = ...,
    cat_method: str | None = ...,
    target_method: str | None = ...,
    prediction_method: str | None = ...,
    method: Mapping[str, str] | Sequence[str] | None = ...,
    threshold: float | Mapping[str, float] | Sequence[Value | Mapping[str, float]] | None = ...,
    bins: str | None = ...,
    min_effect: float | None = ...,
    correction: str | None = ...,
    seed: int | None = ...,
    permutations: int | None = ...,
    mmd_sample: int | None = ...,
    drift_share: float | None = ...,
    positive_label: Value | None = ...,
    prediction_threshold: float | None = ...,
    missing_increase: float | None = ...,
    out_of_range: float | None = ...,
    preset: str | None = ...,
    calibrate: int | None = ...,
    chunk_by: str | None = ...,
    period: str | None = ...,
    chunk_size: int | None = ...,
    chunks: int | None = ...,
    incomplete: str | None = ...,
    calibration: str | None = ...,
    multivariate: bool | None = ...,
    pca_variance: float | None = ...,
    storage_option: Sequence[str] | None = ...,
    output_json: str | os.PathLike[str] | None = ...,
    output_html: str | os.PathLike[str] | None = ...,
    output_markdown: str | os.PathLike[str] | None = ...,
    output_junit: str | os.PathLike[str] | None = ...,
    prometheus_textfile: str | os.PathLike[str] | None = ...,
    pushgateway: str | None = ...,
    model: str | None = ...,
    quiet: bool | None = ...,
) -> dict[str, Any]:
    """Compare ``current`` with ``reference``; return the JSON report as a dict."""
    ...
