#!/usr/bin/env python3
"""Writes the bad-input corpus that `tests/cli/bad_inputs.rs` feeds to the
real binary: broken or hostile data files, policies, state files and audit
logs, one small file each (none over 64 KiB).

    python3 tests/bad_inputs/generate.py

It needs pyarrow for the Parquet cases and installs it into a venv under
`target/bad-inputs-venv` (re-running itself there) when it is missing.
Output is deterministic for one pyarrow version; the files are committed,
so the test suite never runs this.

Layout (the directory says how the test drives a file):

    data/     `report --reference FILE` and `report --current FILE`; exit 2
    policy/   `policy validate --no-data FILE` and `run --dry-run`; exit 2
    state/    `<state_dir>/state.json` for `run` and `pending`; exit 2
    audit/    `<state_dir>/audit.jsonl` for `audit verify`; exit 1
              (with `audit/<name>.state.json` as the state file if present)
"""

import gzip
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VENV = os.path.join(ROOT, "target", "bad-inputs-venv")
MAX_BYTES = 64 * 1024


def ensure_pyarrow():
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        python = os.path.join(VENV, "bin", "python")
        if os.path.abspath(sys.executable) == os.path.abspath(python):
            sys.exit("error: pyarrow did not install into " + VENV)
        if not os.path.exists(python):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
            subprocess.check_call([python, "-m", "pip", "install", "-q", "pyarrow"])
        os.execv(python, [python] + sys.argv)


def write(kind, name, data):
    path = os.path.join(HERE, kind, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    assert len(data) <= MAX_BYTES, (name, len(data))
    with open(path, "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- data files

CSV_HEADER = "id,age,income,country\n"
CSV_ROWS = "".join(f"{i},{20 + i % 50},{1000.5 + i},{'NL' if i % 2 else 'US'}\n" for i in range(1, 41))
GOOD_CSV = CSV_HEADER + CSV_ROWS


def parquet_bytes(table, **kw):
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(table, buf, **kw)
    return buf.getvalue()


def data_files(rng):
    import datetime

    import pyarrow as pa

    csv = {
        "empty.csv": b"",
        "header_only.csv": CSV_HEADER,
        "header_only_no_newline.csv": CSV_HEADER.rstrip("\n"),
        "only_newlines.csv": "\n\n\n\n",
        "only_spaces.csv": "   \n  \n",
        "ragged_extra_fields.csv": CSV_HEADER + "1,30,100.0,NL\n2,31,200.0,US,extra,fields\n",
        "ragged_everywhere.csv": CSV_HEADER
        + "".join(",".join(["1"] * rng.randint(5, 9)) + "\n" for _ in range(20)),
        "invalid_utf8_header.csv": b"id,\xff\xfeage,income\n1,2,3\n",
        "invalid_utf8_values.csv": CSV_HEADER.encode() + b"1,30,100.0,\xc3\x28\n2,31,\xa0\xa1,NL\n",
        "nul_bytes.csv": CSV_HEADER.encode() + b"1,3\x000,100.0,NL\n2\x00,31,200.0,US\n",
        "nul_only.csv": b"\x00" * 1024,
        "unterminated_quote.csv": CSV_HEADER + '1,30,"100.0,NL\n2,31,200.0,US\n',
        "quote_at_end.csv": CSV_HEADER + "1,30,100.0,NL\n2,31,200.0,\"",
        "binary_garbage.csv": bytes(rng.getrandbits(8) for _ in range(4096)),
        "parquet_named_csv.csv": parquet_bytes(pa.table({"a": [1, 2, 3]})),
        "elf_named_csv.csv": b"\x7fELF\x02\x01\x01" + bytes(rng.getrandbits(8) for _ in range(1000)),
        "utf16_with_bom.csv": ("\ufeff" + GOOD_CSV).encode("utf-16-le"),
        "duplicate_header.csv": "id,age,age\n1,2,3\n4,5,6\n",
        "huge_field_unterminated.csv": CSV_HEADER + '1,30,"' + "x" * 60000 + "\n",
        "no_rows_after_blank.csv": CSV_HEADER + "\n\n",
        "truncated.csv.gz": gzip.compress(GOOD_CSV.encode(), mtime=0)[:200],
        "gzip_bad_crc.csv.gz": corrupt_gzip_crc(gzip.compress(GOOD_CSV.encode(), mtime=0)),
        "gzip_empty.csv.gz": gzip.compress(b"", mtime=0),
        "gzip_of_garbage.csv.gz": gzip.compress(bytes(rng.getrandbits(8) for _ in range(2048)), mtime=0),
        "UPPERCASE_GARBAGE.CSV": bytes(rng.getrandbits(8) for _ in range(512)),
    }
    for name, data in csv.items():
        write("data", name, data)

    n = 40
    good = pa.table(
        {
            "id": pa.array(range(n), pa.int64()),
            "age": pa.array([20 + i % 50 for i in range(n)], pa.int64()),
            "income": pa.array([1000.5 + i for i in range(n)], pa.float64()),
            "country": pa.array(["NL" if i % 2 else "US" for i in range(n)]),
        }
    )
    good_bytes = parquet_bytes(good, compression="snappy")
    footer_len = int.from_bytes(good_bytes[-8:-4], "little")
    parquet = {
        "empty.parquet": b"",
        "magic_only.parquet": b"PAR1",
        "two_magics.parquet": b"PAR1PAR1",
        "magics_zero_footer.parquet": b"PAR1" + (0).to_bytes(4, "little") + b"PAR1",
        "footer_len_huge.parquet": good_bytes[:-8] + (0xFFFFFFF0).to_bytes(4, "little") + b"PAR1",
        "footer_len_past_start.parquet": good_bytes[:-8] + (len(good_bytes)).to_bytes(4, "little") + b"PAR1",
        "footer_len_zero.parquet": good_bytes[:-8] + (0).to_bytes(4, "little") + b"PAR1",
        "wrong_magic_end.parquet": good_bytes[:-4] + b"PAR0",
        "no_magic_end.parquet": good_bytes[:-4],
        "truncated_10pct.parquet": good_bytes[: len(good_bytes) // 10],
        "truncated_half.parquet": good_bytes[: len(good_bytes) // 2],
        "truncated_minus_1.parquet": good_bytes[:-1],
        "truncated_minus_8.parquet": good_bytes[:-8],
        "truncated_in_footer.parquet": good_bytes[: len(good_bytes) - 8 - footer_len // 2],
        "footer_garbage.parquet": good_bytes[: len(good_bytes) - 8 - footer_len]
        + bytes(rng.getrandbits(8) for _ in range(footer_len))
        + good_bytes[-8:],
        "footer_zeroed.parquet": good_bytes[: len(good_bytes) - 8 - footer_len] + b"\x00" * footer_len + good_bytes[-8:],
        "column_chunks_garbage.parquet": b"PAR1"
        + bytes(rng.getrandbits(8) for _ in range(len(good_bytes) - 12 - footer_len))
        + good_bytes[len(good_bytes) - 8 - footer_len :],
        "csv_named_parquet.parquet": GOOD_CSV,
        "random_garbage.parquet": bytes(rng.getrandbits(8) for _ in range(4096)),
        "random_with_magics.parquet": b"PAR1" + bytes(rng.getrandbits(8) for _ in range(4096)) + b"PAR1",
        "garbage.pq": bytes(rng.getrandbits(8) for _ in range(300)),
        "UPPERCASE_GARBAGE.PARQUET": bytes(rng.getrandbits(8) for _ in range(300)),
        "no_rows.parquet": parquet_bytes(good.slice(0, 0)),
        "no_columns.parquet": parquet_bytes(pa.table({})),
        "only_nested_time.parquet": parquet_bytes(
            pa.table({"t": pa.array([[datetime.time(1, 2)], None], pa.list_(pa.time64("us")))}).slice(0, 0)
        ),
    }
    # Corrupted column data: flip bytes inside the (snappy-compressed)
    # column chunks, leaving the footer intact. (Parquet has no checksum
    # here: only flips that break decoding are bad inputs; a flip that just
    # changes a value is not detectable, so those offsets are left out.)
    data_end = len(good_bytes) - 8 - footer_len
    for i, at in enumerate([6, data_end // 3, data_end - 10]):
        damaged = bytearray(good_bytes)
        for k in range(8):
            damaged[at + k] ^= 0xFF
        parquet[f"column_bytes_flipped_{i}.parquet"] = bytes(damaged)
    for i in range(6):
        damaged = bytearray(good_bytes)
        at = data_end + rng.randrange(footer_len)
        damaged[at] ^= 1 << rng.randrange(8)
        damaged[at + 1] = 0xFF
        if i != 1:  # this flip lands in a statistic: still a valid file
            parquet[f"footer_bit_flipped_{i}.parquet"] = bytes(damaged)
    for name, data in parquet.items():
        write("data", name, data)

    # Files the parquet fuzz target found polars panicking on (see
    # fuzz/regressions/parquet/): the CLI must turn each into exit 2.
    for name in [
        "thrift-statistics-is-max-value-exact-not-bool",
        "dictionary-validity-past-the-end",
        "column-chunk-range-past-the-end",
    ]:
        with open(os.path.join(ROOT, "fuzz", "regressions", "parquet", name + ".parquet"), "rb") as f:
            write("data", "fuzz_" + name.replace("-", "_") + ".parquet", f.read())

    # And the CSV file the csv fuzz target found polars panicking on.
    with open(os.path.join(ROOT, "fuzz", "regressions", "csv", "unterminated-quote-at-end-slice-index.csv"), "rb") as f:
        write("data", "fuzz_unterminated_quote_at_end_slice_index.csv", f.read())

    # A directory with a data extension: holds no data file.
    write("data", "dir_named.parquet/notes.txt", "a directory named like a Parquet file\n")
    # A directory of partitions: one good, one truncated.
    write("data", "partitions_one_bad/part-0.parquet", good_bytes)
    write("data", "partitions_one_bad/part-1.parquet", good_bytes[: len(good_bytes) // 2])
    # Partitions whose schemas do not match.
    write("data", "partitions_mismatched/part-0.csv", GOOD_CSV)
    write("data", "partitions_mismatched/part-1.csv", "id,other\n1,2\n")
    # Parquet and CSV in one directory.
    write("data", "partitions_mixed/part-0.csv", GOOD_CSV)
    write("data", "partitions_mixed/part-1.parquet", good_bytes)


def corrupt_gzip_crc(data):
    data = bytearray(data)
    data[-8] ^= 0xFF
    return bytes(data)


# ------------------------------------------------------------------ policies

GOOD_POLICY_HEAD = """version: 1
name: bad-inputs
data:
  reference: reference.csv
  current: current.csv
guardrails:
  mode: observe
"""
GOOD_RULES = """rules:
  - name: drift
    when: "dataset.drift_detected"
    actions: [notify]
"""
GOOD_ACTIONS = """actions:
  notify:
    type: exec
    command: ["./notify.sh", "{{ summary }}"]
"""


def policy(when='"dataset.drift_detected"', command='["./notify.sh", "{{ summary }}"]', guardrails="  mode: observe\n", extra=""):
    return (
        "version: 1\nname: bad-inputs\ndata:\n  reference: reference.csv\n  current: current.csv\n"
        + "guardrails:\n"
        + guardrails
        + "rules:\n  - name: drift\n    when: "
        + when
        + "\n    actions: [notify]\n"
        + "actions:\n  notify:\n    type: exec\n    command: "
        + command
        + "\n"
        + extra
    )


def policies():
    p = {
        # Not YAML, or not one mapping.
        "empty.yaml": "",
        "only_comment.yaml": "# nothing here\n",
        "only_spaces.yaml": "   \n\n   \n",
        "tab_indent.yaml": "version: 1\nname: x\nguardrails:\n\tmode: auto\n",
        "unclosed_flow_seq.yaml": "version: 1\nname: [a, b\n",
        "unclosed_flow_map.yaml": "version: 1\ndata: {reference: a.csv\n",
        "unclosed_double_quote.yaml": 'version: 1\nname: "bad-inputs\n',
        "unclosed_single_quote.yaml": "version: 1\nname: 'bad-inputs\n",
        "bad_indentation.yaml": "version: 1\nname: x\n  data: y\n rules: []\n",
        "colon_colon.yaml": "version: 1\nname: : x\n",
        "top_level_list.yaml": "- version: 1\n- name: x\n",
        "top_level_scalar.yaml": "just a string\n",
        "top_level_null.yaml": "~\n",
        "top_level_number.yaml": "42\n",
        "two_documents.yaml": GOOD_POLICY_HEAD + GOOD_RULES + GOOD_ACTIONS + "---\n" + GOOD_POLICY_HEAD,
        "duplicate_top_key.yaml": GOOD_POLICY_HEAD + "name: again\n" + GOOD_RULES + GOOD_ACTIONS,
        "duplicate_nested_key.yaml": policy(guardrails="  mode: observe\n  mode: auto\n"),
        "invalid_utf8.yaml": (GOOD_POLICY_HEAD + GOOD_RULES + GOOD_ACTIONS).encode().replace(b"bad-inputs", b"bad-\xff\xfe"),
        "nul_byte.yaml": (GOOD_POLICY_HEAD + GOOD_RULES + GOOD_ACTIONS).replace("observe", "obs\x00erve"),
        "utf16.yaml": ("\ufeff" + GOOD_POLICY_HEAD + GOOD_RULES + GOOD_ACTIONS).encode("utf-16-le"),
        "binary_garbage.yaml": bytes(random.Random(7).getrandbits(8) for _ in range(2048)),
        # Hostile structure.
        "deep_flow_nesting.yaml": "version: 1\nname: x\nextra: " + "[" * 5000 + "]" * 5000 + "\n",
        "deep_block_nesting.yaml": "version: 1\nname: x\nextra:\n"
        + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(200))
        + "  " * 201
        + "v\n",
        "deep_unclosed_nesting.yaml": "x: " + "{a: " * 15000,
        "billion_laughs.yaml": "version: 1\nname: x\n"
        + "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)),
        "alias_as_value.yaml": "version: 1\nname: &n bad-inputs\nstate_dir: *n\n" + GOOD_RULES + GOOD_ACTIONS,
        "merge_key.yaml": "defaults: &d {mode: auto}\nversion: 1\nname: x\nguardrails:\n  <<: *d\n",
        "undefined_alias.yaml": "version: 1\nname: *nowhere\n",
        "python_tag.yaml": "version: 1\nname: !!python/object/apply:os.system [\"echo hi\"]\n",
        "binary_tag.yaml": "version: 1\nname: !!binary aGVsbG8=\n",
        "complex_key.yaml": "? [a, b]\n: value\nversion: 1\n",
        "huge_scalar.yaml": "version: 1\nname: " + "n" * 60000 + "\n",
        "many_rules.yaml": GOOD_POLICY_HEAD
        + "rules:\n"
        + "".join(f"  - {{name: r{i}, when: \"x.y{i} > 1\", actions: [missing{i}]}}\n" for i in range(800)),
        # Wrong versions and types.
        "missing_version.yaml": (GOOD_POLICY_HEAD + GOOD_RULES + GOOD_ACTIONS).replace("version: 1\n", ""),
        "version_2.yaml": (GOOD_POLICY_HEAD + GOOD_RULES + GOOD_ACTIONS).replace("version: 1", "version: 2"),
        "version_string.yaml": (GOOD_POLICY_HEAD + GOOD_RULES + GOOD_ACTIONS).replace("version: 1", 'version: "one"'),
        "version_float.yaml": (GOOD_POLICY_HEAD + GOOD_RULES + GOOD_ACTIONS).replace("version: 1", "version: 1.5"),
        "version_huge.yaml": (GOOD_POLICY_HEAD + GOOD_RULES + GOOD_ACTIONS).replace("version: 1", "version: 99999999999999999999999"),
        "name_list.yaml": (GOOD_POLICY_HEAD + GOOD_RULES + GOOD_ACTIONS).replace("name: bad-inputs", "name: [a, b]"),
        "missing_name.yaml": (GOOD_POLICY_HEAD + GOOD_RULES + GOOD_ACTIONS).replace("name: bad-inputs\n", ""),
        "data_scalar.yaml": "version: 1\nname: x\ndata: here\n" + GOOD_RULES + GOOD_ACTIONS,
        "rules_mapping.yaml": GOOD_POLICY_HEAD + "rules:\n  drift: {when: x, actions: [notify]}\n" + GOOD_ACTIONS,
        "actions_list.yaml": GOOD_POLICY_HEAD + GOOD_RULES + "actions:\n  - notify\n",
        "rule_scalar.yaml": GOOD_POLICY_HEAD + "rules:\n  - drift\n" + GOOD_ACTIONS,
        "for_string.yaml": GOOD_POLICY_HEAD + GOOD_RULES.replace("    actions:", "    for: two\n    actions:") + GOOD_ACTIONS,
        "for_negative.yaml": GOOD_POLICY_HEAD + GOOD_RULES.replace("    actions:", "    for: -1\n    actions:") + GOOD_ACTIONS,
        "for_zero.yaml": GOOD_POLICY_HEAD + GOOD_RULES.replace("    actions:", "    for: 0\n    actions:") + GOOD_ACTIONS,
        "mode_unknown.yaml": policy(guardrails="  mode: yolo\n"),
        "mode_number.yaml": policy(guardrails="  mode: 3\n"),
        "max_actions_negative.yaml": policy(guardrails="  mode: auto\n  max_actions: {count: -1, per: 1h}\n"),
        "max_actions_scalar.yaml": policy(guardrails="  mode: auto\n  max_actions: 3\n"),
        "circuit_breaker_string.yaml": policy(guardrails="  mode: auto\n  circuit_breaker: {failures: many, open_for: 1h}\n"),
        "quality_gate_string.yaml": policy(guardrails="  mode: auto\n  quality_gate: sometimes\n"),
        "command_scalar.yaml": policy(command='"./notify.sh --all"'),
        "command_empty.yaml": policy(command="[]"),
        "command_nested_list.yaml": policy(command='[["./notify.sh"]]'),
        "action_type_unknown.yaml": policy().replace("type: exec", "type: teleport"),
        "action_type_missing.yaml": policy().replace("    type: exec\n", ""),
        "action_unknown_field.yaml": policy(extra="    comand: [x]\n"),
        "rule_unknown_action.yaml": policy().replace("actions: [notify]", "actions: [retrain]"),
        "rule_empty_actions.yaml": policy().replace("actions: [notify]", "actions: []"),
        "escalate_unknown_action.yaml": policy(guardrails="  mode: auto\n  escalate: [page]\n"),
        "rule_missing_when.yaml": policy().replace('    when: "dataset.drift_detected"\n', ""),
        "rule_empty_name.yaml": policy().replace("name: drift", 'name: ""'),
        "duplicate_rule_names.yaml": GOOD_POLICY_HEAD
        + GOOD_RULES
        + '  - name: drift\n    when: "quality.errors > 0"\n    actions: [notify]\n'
        + GOOD_ACTIONS,
        "unknown_top_key.yaml": GOOD_POLICY_HEAD + "rulez: []\n" + GOOD_RULES + GOOD_ACTIONS,
        "unknown_guardrail_key.yaml": policy(guardrails="  mode: auto\n  cooldwn: 1h\n"),
        "unknown_rule_key.yaml": policy().replace("    actions: [notify]", "    actons: [notify]\n    actions: [notify]"),
        "unknown_report_key.yaml": GOOD_POLICY_HEAD + "report:\n  drift_shar: 0.5\n" + GOOD_RULES + GOOD_ACTIONS,
        "report_threshold_string.yaml": GOOD_POLICY_HEAD + "report:\n  drift_share: half\n" + GOOD_RULES + GOOD_ACTIONS,
        "report_unknown_method.yaml": GOOD_POLICY_HEAD + "report:\n  methods: {income: magic}\n" + GOOD_RULES + GOOD_ACTIONS,
        "state_dir_list.yaml": GOOD_POLICY_HEAD.replace("guardrails:", "state_dir: [a, b]\nguardrails:") + GOOD_RULES + GOOD_ACTIONS,
        "every_run_unknown.yaml": policy(extra="every_run: [nothing]\n"),
        # Durations.
        "duration_fraction.yaml": policy(guardrails="  mode: auto\n  cooldown: 1.5h\n"),
        "duration_negative.yaml": policy(guardrails="  mode: auto\n  cooldown: -1h\n"),
        "duration_wrong_order.yaml": policy(guardrails="  mode: auto\n  cooldown: 12h1d\n"),
        "duration_unit.yaml": policy(guardrails="  mode: auto\n  cooldown: 3y\n"),
        "duration_bare_number.yaml": policy(guardrails="  mode: auto\n  cooldown: 5\n"),
        "duration_empty.yaml": policy(guardrails='  mode: auto\n  cooldown: ""\n'),
        "duration_spaces.yaml": policy(guardrails="  mode: auto\n  cooldown: 1 h\n"),
        "duration_overflow.yaml": policy(guardrails="  mode: auto\n  cooldown: 99999999999999999999w\n"),
        "duration_repeated_unit.yaml": policy(guardrails="  mode: auto\n  approval_expiry: 1h1h\n"),
        "timeout_word.yaml": policy(extra="    timeout: forever\n"),
        # `when:` expressions.
        "when_dangling_operator.yaml": policy(when='"dataset.drift_share >"'),
        "when_chained_comparison.yaml": policy(when='"0 < dataset.drift_share < 1"'),
        "when_uppercase_keyword.yaml": policy(when='"dataset.drift_detected AND quality.errors == 0"'),
        "when_unclosed_paren.yaml": policy(when='"(dataset.drift_detected"'),
        "when_unclosed_string.yaml": policy(when="'column[\"a].score > 1'"),
        "when_single_equals.yaml": policy(when='"quality.errors = 0"'),
        "when_empty.yaml": policy(when='""'),
        "when_only_not.yaml": policy(when='"not"'),
        "when_double_dot.yaml": policy(when='"dataset..drift_share > 0"'),
        "when_bare_bracket.yaml": policy(when='"column[income].score > 0"'),
        "when_unknown_metric.yaml": policy(when='"dataset.drift_sharez > 0"'),
        "when_unknown_root.yaml": policy(when='"weather.rain > 0"'),
        "when_number_trailing_dot.yaml": policy(when='"dataset.drift_share > 1."'),
        "when_too_long.yaml": policy(when='"' + " or ".join(["dataset.drift_share > 0.1"] * 200) + '"'),
        "when_too_deep.yaml": policy(when='"' + "(" * 100 + "dataset.drift_detected" + ")" * 100 + '"'),
        "when_too_many_nots.yaml": policy(when='"' + "not " * 100 + 'dataset.drift_detected"'),
        "when_list.yaml": policy(when="[dataset.drift_detected]"),
        "when_number.yaml": policy(when="5"),
        "when_nul.yaml": policy(when='"dataset.drift_detected\\0"'),
        # Templates.
        "template_empty_hole.yaml": policy(command='["./notify.sh", "{{ }}"]'),
        "template_unclosed.yaml": policy(command='["./notify.sh", "{{ summary"]'),
        "template_unknown_path.yaml": policy(command='["./notify.sh", "{{ nothing.here }}"]'),
        "template_env_no_name.yaml": policy(command='["./notify.sh", "{{ env. }}"]'),
        "template_bad_date_offset.yaml": policy(command='["./notify.sh", "{{ date(-1x) }}"]'),
        "template_bad_date_format.yaml": policy(command='["./notify.sh", "{{ date(\\"%Q\\") }}"]'),
        "template_date_unclosed.yaml": policy(command='["./notify.sh", "{{ date(-1d }}"]'),
        "template_secret_file_no_arg.yaml": policy(command='["./notify.sh", "{{ secret_file() }}"]'),
        "template_unknown_function.yaml": policy(command='["./notify.sh", "{{ shell(\\"rm -rf /\\") }}"]'),
        "template_nested_holes.yaml": policy(command='["./notify.sh", "{{ {{ summary }} }}"]'),
        "template_in_data_path.yaml": (GOOD_POLICY_HEAD + GOOD_RULES + GOOD_ACTIONS).replace(
            "current: current.csv", 'current: "data/{{ date(+) }}/x.csv"'
        ),
        "template_metric_in_data_path.yaml": (GOOD_POLICY_HEAD + GOOD_RULES + GOOD_ACTIONS).replace(
            "current: current.csv", 'current: "data/{{ dataset.drift_share }}.csv"'
        ),
    }
    for name, data in p.items():
        write("policy", name, data)
    # A directory named like a policy file.
    write("policy", "directory.yaml/readme.txt", "a directory, not a policy\n")


# --------------------------------------------------------------- state files

STATE = {
    "version": 1,
    "policy": "bad-inputs",
    "rules": {"drift": {"consecutive": 1, "last_fired": "2026-01-01T00:00:00Z"}},
    "actions": {},
    "window": [],
    "pending": [],
    "runs": [],
    "next_approval": 1,
    "audit_head": None,
}


def state(**changes):
    s = dict(STATE)
    for k, v in changes.items():
        if v is DROP:
            del s[k]
        else:
            s[k] = v
    return json.dumps(s, indent=2) + "\n"


DROP = object()


def state_files():
    good = state()
    s = {
        "empty.json": "",
        "only_spaces.json": "  \n\t\n",
        "null.json": "null\n",
        "array.json": "[]\n",
        "string.json": '"state"\n',
        "number.json": "1\n",
        "not_json.json": "version = 1\n",
        "truncated.json": good[: len(good) // 2],
        "trailing_garbage.json": good + "}\n",
        "two_objects.json": good + good,
        "invalid_utf8.json": good.encode().replace(b"bad-inputs", b"bad-\xff"),
        "nul_bytes.json": good.replace('"policy"', '"pol\x00icy"'),
        "utf16.json": good.encode("utf-16"),
        "deep_nesting.json": '{"version": 1, "policy": "bad-inputs", "x": ' + "[" * 10000 + "]" * 10000 + "}",
        "missing_version.json": state(version=DROP),
        "version_newer.json": state(version=2),
        "version_string.json": state(version="1"),
        "version_negative.json": state(version=-1),
        "version_float.json": state(version=1.5),
        "version_huge.json": good.replace('"version": 1', '"version": 1e400'),
        "version_null.json": state(version=None),
        "missing_policy.json": state(policy=DROP),
        "policy_number.json": state(policy=7),
        "rules_list.json": state(rules=[]),
        "rule_state_string.json": state(rules={"drift": "fired"}),
        "window_bad_time.json": state(window=["yesterday"]),
        "window_not_list.json": state(window="2026-01-01T00:00:00Z"),
        "pending_wrong_shape.json": state(pending=[{"id": 5}]),
        "pending_object.json": state(pending={}),
        "runs_wrong_shape.json": state(runs=[1, 2, 3]),
        "next_approval_negative.json": state(next_approval=-5),
        "next_approval_string.json": state(next_approval="one"),
        "audit_head_wrong_shape.json": state(audit_head={"seq": "one", "hash": 5}),
        "duplicate_field.json": good.replace('"policy": "bad-inputs"', '"policy": "bad-inputs", "policy": "other"'),
        "huge_string.json": state(policy="p" * 60000),
    }
    for name, data in s.items():
        write("state", name, data)


# ---------------------------------------------------------------- audit logs

ZERO = "0" * 64


def sealed(fields):
    """A record's line as driftmend writes it: compact JSON with sorted keys,
    then `"hash"` (sha256 of the line without it) as the last member."""
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(body.encode()).hexdigest()
    return body[:-1] + ',"hash":"' + digest + '"}\n', digest


def chain(n, start_seq=1, prev=ZERO):
    lines, hashes = [], []
    for i in range(n):
        fields = {
            "at": f"2026-01-0{1 + i % 9}T00:00:00Z",
            "kind": "run",
            "policy": "bad-inputs",
            "summary": f"run {i}",
            "seq": start_seq + i,
            "prev_hash": prev,
        }
        line, prev = sealed(fields)
        lines.append(line)
        hashes.append(prev)
    return lines, hashes


def audit_files():
    lines, hashes = chain(4)
    good = "".join(lines)
    # The control: a sound log (the test checks it verifies, exit 0).
    write("audit_ok", "sound.jsonl", good)

    def edited(i, old, new):
        copy = list(lines)
        assert old in copy[i]
        copy[i] = copy[i].replace(old, new, 1)
        return "".join(copy)

    a = {
        "torn_last_line.jsonl": good[:-20],
        "torn_last_line_no_newline.jsonl": good[:-1],
        "torn_middle_line.jsonl": lines[0] + lines[1][:30] + "\n" + lines[2] + lines[3],
        "edited_value.jsonl": edited(1, "run 1", "run X"),
        "edited_hash.jsonl": edited(2, hashes[2][:8], "deadbeef"),
        "uppercase_hash.jsonl": edited(2, hashes[2], hashes[2].upper()),
        "hash_removed.jsonl": lines[0] + lines[1].replace(',"hash":"' + hashes[1] + '"', "") + lines[2],
        "hash_not_last.jsonl": lines[0]
        + '{"hash":"' + hashes[1] + '",' + lines[1][1:].replace(',"hash":"' + hashes[1] + '"', ""),
        "record_removed.jsonl": lines[0] + lines[2] + lines[3],
        "records_reordered.jsonl": lines[0] + lines[2] + lines[1] + lines[3],
        "record_duplicated.jsonl": lines[0] + lines[1] + lines[1] + lines[2],
        "first_record_removed.jsonl": "".join(lines[1:]),
        "renumbered.jsonl": "".join(chain(3, start_seq=5)[0]),
        "seq_string.jsonl": sealed({"seq": "1", "prev_hash": ZERO, "kind": "run"})[0],
        "seq_missing.jsonl": sealed({"prev_hash": ZERO, "kind": "run"})[0],
        "unhashed_record_appended.jsonl": good + '{"seq":5,"kind":"run","summary":"forged"}\n',
        "blank_line_middle.jsonl": lines[0] + "\n" + lines[1],
        "blank_line_only.jsonl": "\n",
        "crlf_line_endings.jsonl": good.replace("\n", "\r\n"),
        "array_line.jsonl": lines[0] + "[1,2,3]\n",
        "number_line.jsonl": "42\n",
        "null_line.jsonl": lines[0] + "null\n",
        "string_line.jsonl": '"a record"\n',
        "not_json_line.jsonl": lines[0] + "seq=2 kind=run\n",
        "invalid_utf8_line.jsonl": (lines[0] + lines[1]).encode().replace(b"run 1", b"run \xff"),
        "nul_bytes.jsonl": lines[0] + lines[1].replace("run 1", "run\x001"),
        "huge_line.jsonl": lines[0] + sealed({"seq": 2, "prev_hash": hashes[0], "kind": "run", "summary": "x" * 60000})[0].replace("x" * 10, "y" * 10, 1),
        "bom_at_start.jsonl": "\ufeff" + good,
        "binary_garbage.jsonl": bytes(random.Random(11).getrandbits(8) for _ in range(2048)) + b"\n",
        "trailing_spaces_after_record.jsonl": lines[0].rstrip("\n") + "   \n" + lines[1],
        "deep_nesting_line.jsonl": '{"seq":1,"x":' + "[" * 10000 + "]" * 10000 + "}\n",
    }
    for name, data in a.items():
        write("audit", name, data)
    # A sound chain cut at the end: only the state's `audit_head` shows it.
    write("audit", "cut_at_end.jsonl", "".join(lines[:2]))
    write(
        "audit",
        "cut_at_end.state.json",
        state(audit_head={"seq": 4, "hash": hashes[3]}),
    )


def main():
    ensure_pyarrow()
    for kind in ["data", "policy", "state", "audit", "audit_ok"]:
        shutil.rmtree(os.path.join(HERE, kind), ignore_errors=True)
    rng = random.Random(20260101)
    data_files(rng)
    policies()
    state_files()
    audit_files()
    count = sum(len(files) for kind in ["data", "policy", "state", "audit"] for _, _, files in os.walk(os.path.join(HERE, kind)))
    print(f"wrote {count} files under {os.path.relpath(HERE, ROOT)}")


if __name__ == "__main__":
    main()
