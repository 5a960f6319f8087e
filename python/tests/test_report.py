"""`driftmend.report()`: the CLI's report from paths and from data in memory."""

import subprocess
import threading
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import driftmend
from conftest import DRIFTED, REFERENCE, ROOT, cli_json, comparable, native_binary


def test_paths_give_the_clis_json_report():
    got = driftmend.report(str(REFERENCE), DRIFTED)
    want = cli_json("-r", str(REFERENCE), "-c", str(DRIFTED))
    assert got["schema_version"] == want["schema_version"] == 1
    assert got["reference"]["path"] == str(REFERENCE)
    got.pop("generated_at"), want.pop("generated_at")
    assert got == want


def test_options_are_the_clis_flags_in_snake_case():
    options = dict(
        columns=["age", "income", "country", "is_fraud", "fraud_score"],
        num_method="psi",
        cat_method="jensenshannon",
        method={"age": "wasserstein"},
        threshold=[0.2, {"income": 0.05}],
        target="is_fraud",
        prediction="fraud_score",
        drift_share=0.3,
        correction="bh",
    )
    got = driftmend.report(REFERENCE, DRIFTED, **options)
    want = cli_json(
        "-r", str(REFERENCE), "-c", str(DRIFTED),
        "--columns", "age,income,country,is_fraud,fraud_score",
        "--num-method", "psi", "--cat-method", "jensenshannon",
        "--method", "age=wasserstein", "--threshold", "0.2", "--threshold", "income=0.05",
        "--target", "is_fraud", "--prediction", "fraud_score",
        "--drift-share", "0.3", "--correction", "bh",
    )
    assert comparable(got) == comparable(want)
    methods = {c["name"]: (c["method"], c["threshold"]) for c in got["columns"]}
    assert methods["age"] == ("wasserstein", 0.2) and methods["income"] == ("psi", 0.05), methods


def read(path):
    return pq.read_table(path)


@pytest.mark.parametrize(
    "convert",
    [
        pytest.param(lambda t: t, id="table"),
        pytest.param(lambda t: pa.RecordBatchReader.from_batches(t.schema, t.to_batches(max_chunksize=97)), id="reader"),
        pytest.param(lambda t: t.to_batches(max_chunksize=300), id="list-of-batches"),
        pytest.param(lambda t: (b for b in t.to_batches(max_chunksize=1000)), id="generator"),
    ],
)
def test_arrow_data_gives_the_report_of_the_same_file(convert):
    want = driftmend.report(REFERENCE, DRIFTED)
    got = driftmend.report(convert(read(REFERENCE)), convert(read(DRIFTED)))
    assert comparable(got) == comparable(want)
    assert got["reference"]["path"].startswith("<") and got["reference"]["files"] == []


def test_pandas_and_polars_frames_give_the_report_of_their_parquet_files(tmp_path):
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    ref, cur = read(REFERENCE).to_pandas(), read(DRIFTED).to_pandas()
    # A non-default index must not become a column.
    cur.index = cur.index + 1000
    ref.to_parquet(tmp_path / "ref.parquet", index=False)
    cur.to_parquet(tmp_path / "cur.parquet", index=False)
    want = comparable(driftmend.report(tmp_path / "ref.parquet", tmp_path / "cur.parquet"))
    got = driftmend.report(ref, cur)
    assert got["reference"]["path"] == "<pandas.DataFrame>"
    assert comparable(got) == want

    ref_pl, cur_pl = pl.from_pandas(ref), pl.from_pandas(cur)
    ref_pl.write_parquet(tmp_path / "ref_pl.parquet")
    cur_pl.write_parquet(tmp_path / "cur_pl.parquet")
    want = comparable(driftmend.report(tmp_path / "ref_pl.parquet", tmp_path / "cur_pl.parquet"))
    got = driftmend.report(ref_pl, cur_pl)
    assert got["current"]["path"] == "<polars.DataFrame>"
    assert comparable(got) == want


def test_a_missing_file_is_a_driftmend_error_with_the_clis_message():
    with pytest.raises(driftmend.DriftmendError) as raised:
        driftmend.report("no/such.parquet", DRIFTED)
    assert str(raised.value) == (
        "cannot load the reference dataset (`reference`)\n"
        "  caused by: `no/such.parquet` does not exist\n"
        "hint: check the path; quote globs (`'data/*.parquet'`) so the shell does not expand them"
    )
    # The CLI says the same, naming its flag.
    done = subprocess.run(
        [str(native_binary()), "report", "-r", "no/such.parquet", "-c", str(DRIFTED)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "error: " + str(raised.value).replace("`reference`", "`--reference`")


def test_option_errors_carry_the_clis_messages():
    with pytest.raises(driftmend.DriftmendError) as raised:
        driftmend.report(REFERENCE, DRIFTED, num_method="chisquare")
    done = subprocess.run(
        [str(native_binary()), "report", "-r", str(REFERENCE), "-c", str(DRIFTED), "--num-method", "chisquare"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "error: " + str(raised.value)

    with pytest.raises(driftmend.DriftmendError, match="invalid value 'sometimes' for '--correction"):
        driftmend.report(REFERENCE, DRIFTED, correction="sometimes")
    with pytest.raises(driftmend.DriftmendError, match="unknown column"):
        driftmend.report(REFERENCE, DRIFTED, columns=["agee"])


def test_unknown_and_misused_keywords_are_type_errors():
    with pytest.raises(TypeError, match="unexpected keyword argument 'num_methods'; did you mean 'num_method'"):
        driftmend.report(REFERENCE, DRIFTED, num_methods="psi")
    with pytest.raises(TypeError, match="'output'"):
        driftmend.report(REFERENCE, DRIFTED, output="x.json")
    with pytest.raises(TypeError, match="'drift_share' takes one value"):
        driftmend.report(REFERENCE, DRIFTED, drift_share=[0.1, 0.2])
    with pytest.raises(TypeError, match="'quiet' is True or False"):
        driftmend.report(REFERENCE, DRIFTED, quiet="yes")
    with pytest.raises(TypeError, match="cannot read <builtins.int>"):
        driftmend.report(42, DRIFTED)


def test_bad_data_in_memory_is_a_driftmend_error():
    empty = pa.table({"x": pa.array([], pa.int64())})
    with pytest.raises(driftmend.DriftmendError, match=r"cannot load the current dataset \(`current`\)\n  caused by: `<pyarrow.Table>` has no rows"):
        driftmend.report(REFERENCE, empty)

    def failing():
        yield pa.record_batch({"age": [1, 2]})
        raise RuntimeError("the upstream query failed")

    with pytest.raises(driftmend.DriftmendError, match="the upstream query failed"):
        driftmend.report(REFERENCE, failing())


def test_side_outputs_are_written(tmp_path):
    got = driftmend.report(
        REFERENCE, DRIFTED,
        output_html=tmp_path / "r.html", output_json=tmp_path / "r.json", quiet=True,
    )
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    import json

    written = json.loads((tmp_path / "r.json").read_text())
    assert comparable(written) == comparable(got)


def test_the_gil_is_released_while_comparing():
    big_ref = pa.concat_tables([read(REFERENCE)] * 150)
    big_cur = pa.concat_tables([read(DRIFTED)] * 150)
    done = threading.Event()
    took = []

    def work():
        start = time.perf_counter()
        driftmend.report(big_ref, big_cur, num_method="anderson")
        took.append(time.perf_counter() - start)
        done.set()

    worker = threading.Thread(target=work)
    last, longest = time.perf_counter(), 0.0
    worker.start()
    while not done.is_set():
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
        time.sleep(0.001)
    worker.join()
    assert took[0] > 0.2, f"the report took only {took[0]:.3f}s: too quick to tell"
    # Holding the GIL would have stalled this loop for the whole call.
    assert longest < took[0] / 2, (longest, took[0])


def test_the_type_stub_lists_every_option():
    import ast
    from pathlib import Path

    stub = ast.parse((Path(driftmend.__file__).parent / "__init__.pyi").read_text())
    [function] = [node for node in stub.body if isinstance(node, ast.FunctionDef) and node.name == "report"]
    in_stub = [arg.arg for arg in function.args.kwonlyargs]
    options = [name for name, *_ in driftmend._driftmend.report_flags()]
    assert sorted(in_stub) == sorted(options)
