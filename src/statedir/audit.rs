//! The audit log: an append-only JSONL file (`audit.jsonl`) whose records are
//! chained by SHA-256 hashes, so an edited, removed or reordered record shows
//! up in [`verify`].
//!
//! # Format
//!
//! One JSON object per line, each ending in `\n`. [`AuditLog::append`] adds
//! three fields to the caller's record:
//!
//! - `seq`: 1, 2, 3, ... in file order;
//! - `prev_hash`: the previous record's `hash`; 64 zeros for the first;
//! - `hash`: lowercase hex SHA-256 of the record's JSON *without* `hash`,
//!   exactly as written: compact, no whitespace, keys sorted (serde_json
//!   without its `preserve_order` feature keeps object keys in a `BTreeMap`).
//!
//! `hash` is written as the *last* member of the line, so the hashed text is
//! the line with its trailing `,"hash":"<64 hex>"` removed:
//!
//! ```text
//! {"column":"amount","event":"breach","prev_hash":"00…00","seq":1,"hash":"3f…a9"}
//! ```
//!
//! Why the bytes and not a re-serialisation of the parsed record: serde_json
//! (without `float_roundtrip`) does not parse every float back to the same
//! bits, so re-serialising a record holding a drift score can print a
//! different number than the one written, and an honest log would fail to
//! verify. Hashing the bytes as written makes verification independent of
//! serde_json's features, and any tool can check a line: drop the last 75
//! bytes, add `}`, and SHA-256 the result.
//!
//! The chain shows edits, removals and reorderings inside the log. Removing
//! records from its *end* leaves a valid, shorter chain, and so does
//! rewriting the last record with a recomputed hash: to catch those, keep
//! [`AuditLog::head`] somewhere else (e.g. in `state.json`) and pass it to
//! [`check_head`].
//!
//! An append is all or nothing: a write that fails or falls short (a full
//! disk) or an fsync that fails is cut back off before the error is
//! returned, so one failed run does not leave a torn line that stops every
//! later one.
//!
//! Appends are not serialised here: callers hold the
//! [`StateLock`](super::StateLock) while appending.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::StateError;
use crate::atomic_file;

/// `prev_hash` of the first record.
const ZERO_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// `,"hash":"` + 64 hex digits + `"}` ends every line.
const HASH_MEMBER_PREFIX: &[u8] = b",\"hash\":\"";
const HASH_MEMBER_LEN: usize = HASH_MEMBER_PREFIX.len() + 64 + 2;

/// An audit log open for appending. It remembers the last `seq` and `hash`,
/// and re-reads the file before an append if it changed size since (another
/// handle appended), so several handles on one file keep one chain as long as
/// their appends do not overlap.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    seq: u64,
    hash: String,
    /// File size after the last record this handle knows of.
    len: u64,
}

impl AuditLog {
    /// Opens the log at `path` (which need not exist yet) and finds its last
    /// record. A last line without a trailing newline (a write cut short by a
    /// crash) is reported as [`StateError::Corrupt`], never appended to.
    pub fn open(path: &Path) -> Result<AuditLog, StateError> {
        let mut log = AuditLog {
            path: path.to_path_buf(),
            seq: 0,
            hash: ZERO_HASH.to_string(),
            len: 0,
        };
        match File::open(path) {
            Ok(file) => log.rescan(&file)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StateError::io(path, "open", e)),
        }
        Ok(log)
    }

    /// The log file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `(seq, hash)` of the last record, `(0, 64 zeros)` for an empty log.
    /// Stored elsewhere, it reveals records later cut from the end.
    pub fn head(&self) -> (u64, &str) {
        (self.seq, &self.hash)
    }

    /// Appends `record` (a JSON object) with `seq`, `prev_hash` and `hash`
    /// set (any fields of those names in `record` are replaced), and returns
    /// it as written. The line goes out in one `write` on an `O_APPEND` file,
    /// then is fsynced (and the directory too when the file is new).
    ///
    /// Either the record is appended and durable, or the file is as it was:
    /// when the write falls short or fails (a full disk), or an fsync fails,
    /// the file is cut back to its length before the append and the error
    /// returned, so the next append or open works.
    pub fn append(&mut self, record: Value) -> Result<Value, StateError> {
        self.append_with(record, &mut SystemIo)
    }

    fn append_with(&mut self, record: Value, io: &mut impl AppendIo) -> Result<Value, StateError> {
        let mut fields = match record {
            Value::Object(fields) => fields,
            other => {
                return Err(StateError::NotAnObject {
                    path: self.path.clone(),
                    found: json_kind(&other),
                })
            }
        };
        let path = self.path.clone();
        let mut file = super::private_file(OpenOptions::new().read(true).append(true))
            .create(true)
            .open(&path)
            .map_err(|e| StateError::io(&path, "open", e))?;
        let len = file
            .metadata()
            .map_err(|e| StateError::io(&path, "read", e))?
            .len();
        if len != self.len {
            self.rescan(&file)?;
        }

        let seq = self.seq.checked_add(1).ok_or_else(|| {
            StateError::corrupt(&path, "its last `seq` is too large to continue from")
        })?;
        fields.remove("hash");
        fields.insert("seq".into(), Value::from(seq));
        fields.insert("prev_hash".into(), Value::from(self.hash.clone()));
        let (line, hash) = sealed_line(&fields).map_err(|e| {
            StateError::io(&path, "serialise a record for", std::io::Error::other(e))
        })?;

        if let Err((action, e)) = write_durably(io, &mut file, &path, line.as_bytes(), len) {
            return Err(roll_back(io, &file, &path, len, action, e));
        }

        self.seq = seq;
        self.hash.clone_from(&hash);
        self.len = len + line.len() as u64;
        fields.insert("hash".into(), Value::from(hash));
        Ok(Value::Object(fields))
    }

    /// Reads `file` from its current position (the start) to find the last
    /// record.
    fn rescan(&mut self, file: &File) -> Result<(), StateError> {
        let mut lines = Lines::new(file);
        let mut last = Vec::new();
        let mut last_no = 0;
        while let Some(line) = lines.next_line(&self.path)? {
            if !line.complete {
                return Err(incomplete(&self.path, line.number));
            }
            last.clear();
            last.extend_from_slice(line.bytes);
            last_no = line.number;
        }
        let (seq, hash) = if last_no == 0 {
            (0, ZERO_HASH.to_string())
        } else {
            let at = |what: &str| StateError::corrupt(&self.path, format!("line {last_no} {what}"));
            let fields = parse_object(&last).map_err(|e| at(&format!("is {e}")))?;
            let seq = fields
                .get("seq")
                .and_then(Value::as_u64)
                .ok_or_else(|| at("has no whole-number `seq`"))?;
            let hash = fields
                .get("hash")
                .and_then(Value::as_str)
                .filter(|h| is_hex_hash(h.as_bytes()))
                .ok_or_else(|| at("has no `hash` of 64 lowercase hex digits"))?;
            (seq, hash.to_string())
        };
        self.seq = seq;
        self.hash = hash;
        self.len = lines.bytes_read;
        Ok(())
    }
}

/// Every record in the log, in order; empty if the file does not exist.
/// Does not check the chain (see [`verify`]).
pub fn read(path: &Path) -> Result<Vec<Value>, StateError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StateError::io(path, "open", e)),
    };
    let mut lines = Lines::new(&file);
    let mut records = Vec::new();
    while let Some(line) = lines.next_line(path)? {
        if !line.complete {
            return Err(incomplete(path, line.number));
        }
        let fields = parse_object(line.bytes)
            .map_err(|e| StateError::corrupt(path, format!("line {} is {e}", line.number)))?;
        records.push(Value::Object(fields));
    }
    Ok(records)
}

/// Checks that the log still holds the record remembered as its head, the
/// `(seq, hash)` of [`AuditLog::head`] kept somewhere else (`state.json`):
/// line `seq` must be record `seq`, carry `hash`, and hash to it as written.
/// Records appended since are fine.
///
/// The chain alone cannot show records cut from the end, nor a last record
/// rewritten with a recomputed hash; this does ([`StateError::AuditCut`],
/// [`StateError::AuditRewritten`]). `(0, 64 zeros)`, the head of an empty
/// log, holds for any log. Reads the log up to line `seq`; does not check
/// the chain before it (see [`verify`]).
pub fn check_head(path: &Path, seq: u64, hash: &str) -> Result<(), StateError> {
    let rewritten = |found: String| StateError::AuditRewritten {
        path: path.to_path_buf(),
        seq,
        expected: hash.to_string(),
        found,
    };
    if seq == 0 {
        return if hash == ZERO_HASH {
            Ok(())
        } else {
            Err(rewritten(
                "an empty log's head has hash 000000000000".into(),
            ))
        };
    }
    let file = match File::open(path) {
        Ok(file) => Some(file),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(StateError::io(path, "open", e)),
    };
    let mut records = 0;
    if let Some(file) = file {
        let mut lines = Lines::new(&file);
        while let Some(line) = lines.next_line(path)? {
            records = line.number as u64;
            if records == seq {
                return match head_problem(seq, hash, line.bytes, line.complete) {
                    None => Ok(()),
                    Some(found) => Err(rewritten(found)),
                };
            }
        }
    }
    Err(StateError::AuditCut {
        path: path.to_path_buf(),
        records,
        seq,
        expected: hash.to_string(),
    })
}

/// What is wrong with line `seq` as the record `(seq, hash)`, if anything.
fn head_problem(seq: u64, hash: &str, bytes: &[u8], complete: bool) -> Option<String> {
    if !complete {
        return Some(format!("line {seq} is {INCOMPLETE}"));
    }
    let Some((body, stored)) = split_hash(bytes) else {
        return Some(format!(
            "line {seq} does not end with its `hash` (rewritten by another tool?)"
        ));
    };
    let found_seq = parse_object(bytes)
        .ok()
        .and_then(|fields| fields.get("seq").and_then(Value::as_u64));
    if found_seq != Some(seq) {
        return Some(match found_seq {
            Some(n) => format!("line {seq} holds record {n} (records were renumbered?)"),
            None => format!("line {seq} has no whole-number `seq`"),
        });
    }
    // `split_hash` checked it is 64 ASCII hex digits.
    let stored = String::from_utf8_lossy(stored);
    if stored != hash {
        return Some(format!(
            "record {seq} has hash {} (rewritten since?)",
            super::short_hash(&stored)
        ));
    }
    let actual = body_hash(body);
    if actual != hash {
        return Some(format!(
            "record {seq} hashes to {}, not to the hash it carries (edited since?)",
            super::short_hash(&actual)
        ));
    }
    None
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Lines in the file (one record each, when sound).
    pub records: usize,
    /// The first line found wrong (1-based) and what is wrong with it, to
    /// be shown as `line {line}: {what}`.
    pub first_problem: Option<(usize, String)>,
}

impl Verification {
    pub fn is_ok(&self) -> bool {
        self.first_problem.is_none()
    }
}

/// Checks every line of the log: its hash against its content, its
/// `prev_hash` against the line before, and `seq` continuity. A missing file
/// is an empty, sound log. Problems in the file are reported in the result;
/// only failing to read it is an error.
pub fn verify(path: &Path) -> Result<Verification, StateError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Verification {
                records: 0,
                first_problem: None,
            })
        }
        Err(e) => return Err(StateError::io(path, "open", e)),
    };
    let mut lines = Lines::new(&file);
    let mut records = 0;
    let mut first_problem = None;
    let mut prev: (u64, String) = (0, ZERO_HASH.to_string());
    while let Some(line) = lines.next_line(path)? {
        records = line.number;
        if first_problem.is_none() {
            match check_line(line.number, line.bytes, line.complete, &prev) {
                Ok(this) => prev = this,
                Err(problem) => first_problem = Some((line.number, problem)),
            }
        }
    }
    Ok(Verification {
        records,
        first_problem,
    })
}

/// Checks one line against the one before (`prev` = its seq and hash) and
/// returns this line's seq and hash, or what is wrong with it.
fn check_line(
    number: usize,
    bytes: &[u8],
    complete: bool,
    prev: &(u64, String),
) -> Result<(u64, String), String> {
    if !complete {
        return Err(INCOMPLETE.into());
    }
    let fields = parse_object(bytes)?;
    let seq = fields
        .get("seq")
        .and_then(Value::as_u64)
        .ok_or("no whole-number `seq`")?;
    let (body, hash) =
        split_hash(bytes).ok_or("does not end with its `hash` (rewritten by another tool?)")?;
    if body_hash(body).as_bytes() != hash {
        return Err("hash does not match its content (edited?)".into());
    }
    let prev_hash = fields.get("prev_hash").and_then(Value::as_str);
    if prev_hash != Some(prev.1.as_str()) {
        return Err(if number == 1 {
            "prev_hash is not all zeros (the start of the log was removed?)".into()
        } else {
            format!(
                "prev_hash does not match line {} (a record was removed or reordered?)",
                number - 1
            )
        });
    }
    let expected = prev.0.wrapping_add(1);
    if seq != expected {
        return Err(format!(
            "seq is {seq}, should be {expected} (records were renumbered?)"
        ));
    }
    // `hash` is 64 ASCII hex digits, checked by `split_hash`.
    Ok((seq, String::from_utf8_lossy(hash).into_owned()))
}

/// The line (with its newline) for a record without `hash`, and its hash.
fn sealed_line(fields: &Map<String, Value>) -> serde_json::Result<(String, String)> {
    let hashed = serde_json::to_string(fields)?;
    let hash = sha256_hex(hashed.as_bytes());
    // `hashed` is `{...}`; swap its closing brace for the hash member (an
    // empty object would leave a stray comma, but records always hold `seq`).
    let mut line = hashed;
    line.pop();
    line.push_str(",\"hash\":\"");
    line.push_str(&hash);
    line.push_str("\"}\n");
    Ok((line, hash))
}

/// Splits a line (without its newline) into the part before the trailing
/// `,"hash":"…"}` member and the hash's 64 hex digits.
fn split_hash(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let start = line.len().checked_sub(HASH_MEMBER_LEN)?;
    let (body, member) = line.split_at(start);
    let hash = member
        .strip_prefix(HASH_MEMBER_PREFIX)?
        .strip_suffix(b"\"}")?;
    is_hex_hash(hash).then_some((body, hash))
}

/// The hash of a line whose part before `,"hash":...` is `body`.
fn body_hash(body: &[u8]) -> String {
    let mut hashed = Vec::with_capacity(body.len() + 1);
    hashed.extend_from_slice(body);
    hashed.push(b'}');
    sha256_hex(&hashed)
}

fn is_hex_hash(s: &[u8]) -> bool {
    s.len() == 64 && s.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn sha256_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in digest.iter() {
        hex.push(char::from(DIGITS[usize::from(b >> 4)]));
        hex.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    hex
}

/// The record on a line, or what it is instead (`empty`, `not valid JSON
/// (...)`, ...).
fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, String> {
    if bytes.is_empty() {
        return Err("empty".into());
    }
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(other) => Err(format!("{}, not a JSON object", json_kind(&other))),
        Err(e) => Err(format!("not valid JSON ({e})")),
    }
}

const INCOMPLETE: &str = "incomplete, with no trailing newline (a write was interrupted?)";

fn incomplete(path: &Path, number: usize) -> StateError {
    StateError::corrupt(path, format!("line {number} is {INCOMPLETE}"))
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The system calls an append makes once its line is ready, behind a trait
/// so tests can make them fail part-way (a short write, a full disk, a
/// failed fsync) and see which were made.
trait AppendIo {
    fn write(&mut self, file: &mut File, bytes: &[u8]) -> std::io::Result<usize> {
        file.write(bytes)
    }
    fn sync_data(&mut self, file: &File) -> std::io::Result<()> {
        file.sync_data()
    }
    fn sync_dir(&mut self, dir: &Path) -> std::io::Result<()> {
        atomic_file::sync_dir(dir)
    }
    fn set_len(&mut self, file: &File, len: u64) -> std::io::Result<()> {
        file.set_len(len)
    }
}

/// The real thing.
struct SystemIo;

impl AppendIo for SystemIo {}

/// Writes `line` at the end of `file` (of length `len` before it) and makes
/// it durable: the data, and the directory entry of a file that may be new.
/// On failure, what failed (a verb phrase for [`StateError::Io`]) and why.
fn write_durably(
    io: &mut impl AppendIo,
    file: &mut File,
    path: &Path,
    line: &[u8],
    len: u64,
) -> Result<(), (&'static str, std::io::Error)> {
    write_once(io, file, line).map_err(|e| ("append to", e))?;
    io.sync_data(file).map_err(|e| ("sync", e))?;
    if len == 0 {
        io.sync_dir(atomic_file::parent_dir(path))
            .map_err(|e| ("sync the directory of", e))?;
    }
    Ok(())
}

/// Cuts `file` back to `len`, its length before a failed append, so no torn
/// or unacknowledged line stays behind, and returns the append's error. If
/// the cut fails too, the error says the log is left damaged.
fn roll_back(
    io: &mut impl AppendIo,
    file: &File,
    path: &Path,
    len: u64,
    action: &'static str,
    failed: std::io::Error,
) -> StateError {
    match io.set_len(file, len).and_then(|()| io.sync_data(file)) {
        Ok(()) => StateError::io(path, action, failed),
        Err(cut) => StateError::io(
            path,
            action,
            std::io::Error::new(
                failed.kind(),
                format!(
                    "{failed}; cutting the file back to {len} bytes failed too ({cut}), so its last line may be incomplete"
                ),
            ),
        ),
    }
}

/// One `write` call: a short write would leave a torn line, so it is an
/// error (the caller cuts it off), not something to continue.
fn write_once(io: &mut impl AppendIo, file: &mut File, bytes: &[u8]) -> std::io::Result<()> {
    loop {
        match io.write(file, bytes) {
            Ok(n) if n == bytes.len() => return Ok(()),
            Ok(n) => {
                return Err(std::io::Error::other(format!(
                    "short write ({n} of {} bytes)",
                    bytes.len()
                )))
            }
            // Nothing was written: trying again cannot tear the line.
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Streams a file's lines, telling whether each ended with `\n`.
struct Lines<R> {
    reader: BufReader<R>,
    buf: Vec<u8>,
    number: usize,
    bytes_read: u64,
}

struct Line<'a> {
    number: usize,
    /// Without the newline.
    bytes: &'a [u8],
    complete: bool,
}

impl<R: Read> Lines<R> {
    fn new(reader: R) -> Self {
        Lines {
            reader: BufReader::new(reader),
            buf: Vec::new(),
            number: 0,
            bytes_read: 0,
        }
    }

    fn next_line(&mut self, path: &Path) -> Result<Option<Line<'_>>, StateError> {
        self.buf.clear();
        let n = self
            .reader
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| StateError::io(path, "read", e))?;
        if n == 0 {
            return Ok(None);
        }
        self.number += 1;
        self.bytes_read += n as u64;
        let complete = self.buf.last() == Some(&b'\n');
        let end = self.buf.len() - usize::from(complete);
        Ok(Some(Line {
            number: self.number,
            bytes: &self.buf[..end],
            complete,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statedir::lock;
    use serde_json::json;
    use std::time::Duration;

    /// A drift score that serde_json's default float parser reads back one
    /// bit off (found by a round-trip scan), so re-serialising it after a
    /// parse prints `0.9067979265841684`.
    const AWKWARD_SCORE: f64 = 0.906_797_926_584_168_5;

    fn log_with_three(dir: &Path) -> PathBuf {
        let path = dir.join("audit.jsonl");
        let mut log = AuditLog::open(&path).unwrap();
        for (i, column) in ["amount", "country", "age"].into_iter().enumerate() {
            log.append(
                json!({"event": "breach", "column": column, "score": AWKWARD_SCORE, "run": i}),
            )
            .unwrap();
        }
        path
    }

    fn lines_of(path: &Path) -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn write_lines(path: &Path, lines: &[String]) {
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
    }

    fn problem(path: &Path) -> (usize, String) {
        verify(path).unwrap().first_problem.unwrap()
    }

    #[test]
    fn appended_records_chain_and_verify() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut log = AuditLog::open(&path).unwrap();
        assert_eq!(log.head(), (0, ZERO_HASH));
        let mut prev = ZERO_HASH.to_string();
        for seq in 1..=3u64 {
            let written = log.append(json!({"event": "run", "n": seq})).unwrap();
            assert_eq!(written["seq"], json!(seq));
            assert_eq!(written["prev_hash"], json!(prev));
            let hash = written["hash"].as_str().unwrap().to_string();
            assert!(is_hex_hash(hash.as_bytes()), "{hash}");
            assert_eq!(log.head(), (seq, hash.as_str()));
            prev = hash;
        }
        assert_eq!(
            verify(&path).unwrap(),
            Verification {
                records: 3,
                first_problem: None
            }
        );
        let records = read(&path).unwrap();
        assert_eq!(records.len(), 3);
        assert_eq!(records[2]["hash"], json!(prev));
        assert_eq!(records[1]["n"], json!(2));
    }

    #[test]
    fn hash_is_sha256_of_the_sorted_compact_record_without_hash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut log = AuditLog::open(&path).unwrap();
        // Keys given out of order, nested, and non-ASCII.
        let written = log
            .append(json!({"z": 1, "a": {"y": "é", "b": [1, 2]}, "hash": "ignored", "seq": 99}))
            .unwrap();
        let line = &lines_of(&path)[0];
        // Keys sorted (serde_json without `preserve_order`), `hash` last.
        let expected_body =
            format!(r#"{{"a":{{"b":[1,2],"y":"é"}},"prev_hash":"{ZERO_HASH}","seq":1,"z":1}}"#);
        assert_eq!(
            line,
            &format!(
                "{},\"hash\":\"{}\"}}",
                &expected_body[..expected_body.len() - 1],
                written["hash"].as_str().unwrap()
            )
        );
        // Produced independently with Python:
        // hashlib.sha256(json.dumps(rec, sort_keys=True, separators=(",", ":"),
        //     ensure_ascii=False).encode()).hexdigest()
        assert_eq!(
            written["hash"],
            json!("f72d60fe8e9f2123d5cccdaf03c96dd848c0af665b509195302107c98fe3aaa4")
        );
    }

    #[test]
    fn floats_that_do_not_round_trip_still_verify() {
        let dir = tempfile::tempdir().unwrap();
        let path = log_with_three(dir.path());
        assert!(lines_of(&path)[0].contains("0.9067979265841685"));
        assert!(verify(&path).unwrap().is_ok());
    }

    #[test]
    fn an_edited_record_is_reported_on_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = log_with_three(dir.path());
        let mut lines = lines_of(&path);
        lines[1] = lines[1].replace("country", "countrY");
        write_lines(&path, &lines);
        assert_eq!(
            problem(&path),
            (2, "hash does not match its content (edited?)".into())
        );
        assert_eq!(verify(&path).unwrap().records, 3);
    }

    #[test]
    fn a_removed_record_is_reported_on_the_next_ones_prev_hash() {
        let dir = tempfile::tempdir().unwrap();
        let path = log_with_three(dir.path());
        let mut lines = lines_of(&path);
        lines.remove(1);
        write_lines(&path, &lines);
        assert_eq!(
            problem(&path),
            (
                2,
                "prev_hash does not match line 1 (a record was removed or reordered?)".into()
            )
        );
    }

    #[test]
    fn a_removed_first_record_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = log_with_three(dir.path());
        let mut lines = lines_of(&path);
        lines.remove(0);
        write_lines(&path, &lines);
        let (line, what) = problem(&path);
        assert_eq!(line, 1);
        assert!(what.contains("prev_hash is not all zeros"), "{what}");
    }

    #[test]
    fn a_renumbered_record_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = log_with_three(dir.path());
        let mut lines = lines_of(&path);
        // Line 2 re-sealed with a new seq: its hash and link are right.
        let mut fields = parse_object(lines[1].as_bytes()).unwrap();
        fields.remove("hash");
        fields.insert("seq".into(), json!(7));
        lines[1] = sealed_line(&fields).unwrap().0.trim_end().to_string();
        write_lines(&path, &lines);
        assert_eq!(
            problem(&path),
            (2, "seq is 7, should be 2 (records were renumbered?)".into())
        );
    }

    #[test]
    fn a_rewritten_line_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = log_with_three(dir.path());
        let mut lines = lines_of(&path);
        // As `jq -cS` would: same record, `hash` no longer last.
        let value: Value = serde_json::from_str(&lines[2]).unwrap();
        lines[2] = serde_json::to_string(&value).unwrap();
        write_lines(&path, &lines);
        assert_eq!(
            problem(&path),
            (
                3,
                "does not end with its `hash` (rewritten by another tool?)".into()
            )
        );
    }

    #[test]
    fn garbage_and_blank_lines_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = log_with_three(dir.path());
        let mut lines = lines_of(&path);
        lines.insert(1, String::new());
        write_lines(&path, &lines);
        assert_eq!(problem(&path), (2, "empty".into()));
        lines[1] = "{not json".into();
        write_lines(&path, &lines);
        let (line, what) = problem(&path);
        assert_eq!(line, 2);
        assert!(
            what.starts_with("not valid JSON (key must be a string at line 1 column 2"),
            "{what}"
        );
        assert_eq!(verify(&path).unwrap().records, 4);
    }

    #[test]
    fn a_torn_last_line_stops_open_and_read_and_fails_verify() {
        let dir = tempfile::tempdir().unwrap();
        let path = log_with_three(dir.path());
        let text = std::fs::read_to_string(&path).unwrap();
        // A crash in the middle of writing a fourth record.
        std::fs::write(&path, format!("{text}{{\"event\":\"bre")).unwrap();

        let err = AuditLog::open(&path).unwrap_err();
        assert!(matches!(err, StateError::Corrupt { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(
            msg.contains("audit.jsonl` is damaged: line 4 is incomplete"),
            "{msg}"
        );
        assert!(read(&path)
            .unwrap_err()
            .to_string()
            .contains("line 4 is incomplete"));
        assert_eq!(
            problem(&path),
            (
                4,
                "incomplete, with no trailing newline (a write was interrupted?)".into()
            )
        );
        // A complete last line that only lacks its newline is torn too.
        std::fs::write(&path, text.trim_end()).unwrap();
        assert!(AuditLog::open(&path)
            .unwrap_err()
            .to_string()
            .contains("line 3 is incomplete"));
    }

    #[test]
    fn an_open_handle_refuses_to_append_after_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut log = AuditLog::open(&path).unwrap();
        log.append(json!({"n": 1})).unwrap();
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{\"n\":").unwrap();
        assert!(matches!(
            log.append(json!({"n": 2})),
            Err(StateError::Corrupt { .. })
        ));
    }

    /// Real file operations, except the ones a test makes fail, and a
    /// record of the calls made.
    #[derive(Default)]
    struct Faulty {
        /// Write only the first half of the line, then return this (`None`:
        /// report the short count, as `write(2)` does on a full disk).
        short_write: Option<Option<std::io::ErrorKind>>,
        fail_sync: bool,
        fail_set_len: bool,
        calls: Vec<&'static str>,
    }

    impl AppendIo for Faulty {
        fn write(&mut self, file: &mut File, bytes: &[u8]) -> std::io::Result<usize> {
            self.calls.push("write");
            match self.short_write {
                None => file.write(bytes),
                Some(then) => {
                    let n = file.write(&bytes[..bytes.len() / 2])?;
                    match then {
                        None => Ok(n),
                        Some(kind) => Err(std::io::Error::new(kind, "No space left on device")),
                    }
                }
            }
        }
        fn sync_data(&mut self, file: &File) -> std::io::Result<()> {
            self.calls.push("sync_data");
            if self.fail_sync {
                return Err(std::io::Error::other("Input/output error"));
            }
            file.sync_data()
        }
        fn sync_dir(&mut self, dir: &Path) -> std::io::Result<()> {
            self.calls.push("sync_dir");
            atomic_file::sync_dir(dir)
        }
        fn set_len(&mut self, file: &File, len: u64) -> std::io::Result<()> {
            self.calls.push("set_len");
            if self.fail_set_len {
                return Err(std::io::Error::other("Read-only file system"));
            }
            file.set_len(len)
        }
    }

    fn file_len(path: &Path) -> u64 {
        std::fs::metadata(path).unwrap().len()
    }

    #[test]
    fn appends_sync_the_data_and_a_new_files_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut log = AuditLog::open(&path).unwrap();
        let mut io = Faulty::default();
        log.append_with(json!({"n": 1}), &mut io).unwrap();
        assert_eq!(io.calls, ["write", "sync_data", "sync_dir"]);
        let mut io = Faulty::default();
        log.append_with(json!({"n": 2}), &mut io).unwrap();
        assert_eq!(io.calls, ["write", "sync_data"]);
    }

    #[test]
    fn a_short_write_is_cut_off_and_the_next_append_chains() {
        for then in [None, Some(std::io::ErrorKind::StorageFull)] {
            let dir = tempfile::tempdir().unwrap();
            let path = log_with_three(dir.path());
            let before = std::fs::read(&path).unwrap();
            let mut log = AuditLog::open(&path).unwrap();
            let head = (log.head().0, log.head().1.to_string());

            let mut io = Faulty {
                short_write: Some(then),
                ..Faulty::default()
            };
            let err = log.append_with(json!({"n": 4}), &mut io).unwrap_err();
            assert!(
                matches!(
                    err,
                    StateError::Io {
                        action: "append to",
                        ..
                    }
                ),
                "{err:?}"
            );
            assert_eq!(io.calls, ["write", "set_len", "sync_data"]);
            let cause = std::error::Error::source(&err).unwrap().to_string();
            match then {
                None => assert!(cause.starts_with("short write ("), "{cause}"),
                Some(_) => assert_eq!(cause, "No space left on device"),
            }
            // The log is as it was, for this handle and for a new one.
            assert_eq!(std::fs::read(&path).unwrap(), before);
            assert_eq!((log.head().0, log.head().1.to_string()), head);
            assert_eq!(AuditLog::open(&path).unwrap().head().0, 3);

            let next = log.append(json!({"n": 4})).unwrap();
            assert_eq!(next["seq"], json!(4));
            assert_eq!(next["prev_hash"], json!(head.1));
            let result = verify(&path).unwrap();
            assert_eq!((result.records, result.first_problem), (4, None));
        }
    }

    #[test]
    fn a_failed_sync_takes_the_line_back_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = log_with_three(dir.path());
        let len = file_len(&path);
        let mut log = AuditLog::open(&path).unwrap();
        let mut io = Faulty {
            fail_sync: true,
            ..Faulty::default()
        };
        let err = log.append_with(json!({"n": 4}), &mut io).unwrap_err();
        assert_eq!(err.to_string(), format!("cannot sync `{}`", path.display()));
        assert_eq!(file_len(&path), len);
        assert_eq!(log.append(json!({"n": 4})).unwrap()["seq"], json!(4));
        assert!(verify(&path).unwrap().is_ok());
    }

    #[test]
    fn a_failed_cut_says_the_log_may_be_left_torn() {
        let dir = tempfile::tempdir().unwrap();
        let path = log_with_three(dir.path());
        let len = file_len(&path);
        let mut log = AuditLog::open(&path).unwrap();
        let mut io = Faulty {
            short_write: Some(None),
            fail_set_len: true,
            ..Faulty::default()
        };
        let err = log.append_with(json!({"n": 4}), &mut io).unwrap_err();
        let cause = std::error::Error::source(&err).unwrap().to_string();
        assert!(
            cause.ends_with(&format!(
                "; cutting the file back to {len} bytes failed too (Read-only file system), so its last line may be incomplete"
            )),
            "{cause}"
        );
        // Torn indeed: refused, never appended to.
        assert!(matches!(
            log.append(json!({"n": 4})),
            Err(StateError::Corrupt { .. })
        ));
    }

    /// `(seq, hash)` of the log's last record.
    fn head_of(path: &Path) -> (u64, String) {
        let log = AuditLog::open(path).unwrap();
        (log.head().0, log.head().1.to_string())
    }

    #[test]
    fn the_remembered_head_holds_as_the_log_grows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        check_head(&path, 0, ZERO_HASH).unwrap();
        let path = log_with_three(dir.path());
        let (seq, hash) = head_of(&path);
        check_head(&path, seq, &hash).unwrap();
        check_head(&path, 0, ZERO_HASH).unwrap();
        AuditLog::open(&path)
            .unwrap()
            .append(json!({"n": 4}))
            .unwrap();
        check_head(&path, seq, &hash).unwrap();
    }

    #[test]
    fn a_last_record_rewritten_with_a_recomputed_hash_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let path = log_with_three(dir.path());
        let (seq, hash) = head_of(&path);
        // Re-sealed after an edit: the chain verifies and the seq is the
        // same, which is all that was compared before.
        let mut lines = lines_of(&path);
        let mut fields = parse_object(lines[2].as_bytes()).unwrap();
        fields.remove("hash");
        fields.insert("column".into(), json!("nothing to see"));
        let (line, new_hash) = sealed_line(&fields).unwrap();
        lines[2] = line.trim_end().to_string();
        write_lines(&path, &lines);
        assert!(verify(&path).unwrap().is_ok());
        assert_eq!(head_of(&path).0, seq);

        let err = check_head(&path, seq, &hash).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "`{}` does not hold the record the state saw last (record 3, hash {}): record 3 has hash {} (rewritten since?)",
                path.display(),
                &hash[..12],
                &new_hash[..12]
            )
        );
        match err {
            StateError::AuditRewritten {
                seq: 3, expected, ..
            } => assert_eq!(expected, hash),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn records_cut_from_the_end_are_caught() {
        let dir = tempfile::tempdir().unwrap();
        let path = log_with_three(dir.path());
        let (seq, hash) = head_of(&path);
        let lines = lines_of(&path);
        write_lines(&path, &lines[..1]);
        let err = check_head(&path, seq, &hash).unwrap_err();
        assert!(
            matches!(
                err,
                StateError::AuditCut {
                    records: 1,
                    seq: 3,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "`{}` ends at record 1, but the state saw record 3 (hash {}): records were removed from its end",
                path.display(),
                &hash[..12]
            )
        );
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(
            check_head(&path, seq, &hash),
            Err(StateError::AuditCut { records: 0, .. })
        ));
    }

    #[test]
    fn other_changes_to_the_remembered_record_are_caught() {
        let dir = tempfile::tempdir().unwrap();
        let path = log_with_three(dir.path());
        let (seq, hash) = head_of(&path);
        let original = lines_of(&path);
        let found = |lines: &[String]| {
            write_lines(&path, lines);
            match check_head(&path, seq, &hash) {
                Err(StateError::AuditRewritten { found, .. }) => found,
                other => panic!("{other:?}"),
            }
        };

        // Edited, its `hash` left alone.
        let mut lines = original.clone();
        lines[2] = lines[2].replace("age", "agE");
        let edited = found(&lines);
        assert!(
            edited.starts_with("record 3 hashes to ") && edited.ends_with("(edited since?)"),
            "{edited}"
        );
        // Re-serialised by another tool.
        let mut lines = original.clone();
        let value: Value = serde_json::from_str(&lines[2]).unwrap();
        lines[2] = serde_json::to_string(&value).unwrap();
        assert_eq!(
            found(&lines),
            "line 3 does not end with its `hash` (rewritten by another tool?)"
        );
        // Another record in its place, or none of ours.
        let mut lines = original.clone();
        lines[2] = original[1].clone();
        assert_eq!(
            found(&lines),
            "line 3 holds record 2 (records were renumbered?)"
        );
        // A wrong remembered hash for an empty log.
        assert_eq!(
            check_head(&path, 0, &hash).unwrap_err().to_string(),
            format!(
                "`{}` does not hold the record the state saw last (record 0, hash {}): an empty log's head has hash 000000000000",
                path.display(),
                &hash[..12]
            )
        );
        // A hash that is not even hex, as a hand-edited state might hold.
        write_lines(&path, &original);
        let err = check_head(&path, seq, "é").unwrap_err().to_string();
        let head = format!(
            "`{}` does not hold the record the state saw last (record {seq}, hash é): record {seq} has hash ",
            path.display()
        );
        assert!(
            err.starts_with(&head) && err.ends_with(" (rewritten since?)"),
            "{err}"
        );
        // Torn where the record should be.
        let text = original[..2].join("\n") + "\n" + &original[2][..10];
        std::fs::write(&path, text).unwrap();
        assert!(matches!(
            check_head(&path, seq, &hash),
            Err(StateError::AuditRewritten { found, .. }) if found.starts_with("line 3 is incomplete")
        ));
    }

    #[test]
    fn reopening_continues_the_chain() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut first = AuditLog::open(&path).unwrap();
        first.append(json!({"run": 1})).unwrap();
        let last = first.append(json!({"run": 1})).unwrap();
        drop(first);

        let mut again = AuditLog::open(&path).unwrap();
        assert_eq!(again.head(), (2, last["hash"].as_str().unwrap()));
        let next = again.append(json!({"run": 2})).unwrap();
        assert_eq!(next["seq"], json!(3));
        assert_eq!(next["prev_hash"], last["hash"]);
        assert_eq!(verify(&path).unwrap().records, 3);
        assert!(verify(&path).unwrap().is_ok());
    }

    #[test]
    fn non_objects_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut log = AuditLog::open(&path).unwrap();
        let err = log.append(json!(["x"])).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("an audit record must be a JSON object, not an array"),
            "{err}"
        );
        assert!(!path.exists());
    }

    #[test]
    fn missing_log_reads_empty_and_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        assert_eq!(read(&path).unwrap(), Vec::<Value>::new());
        assert_eq!(
            verify(&path).unwrap(),
            Verification {
                records: 0,
                first_problem: None
            }
        );
    }

    #[test]
    fn two_threads_with_their_own_handles_under_the_lock_keep_one_chain() {
        let dir = tempfile::tempdir().unwrap();
        let state_dir = dir.path().to_path_buf();
        let path = state_dir.join("audit.jsonl");
        let writers: Vec<_> = (0..2)
            .map(|thread| {
                let (state_dir, path) = (state_dir.clone(), path.clone());
                std::thread::spawn(move || -> Result<(), StateError> {
                    // One handle for the whole thread: it must notice the
                    // other thread's appends.
                    let mut log = AuditLog::open(&path)?;
                    for i in 0..100 {
                        let _lock = lock::acquire(&state_dir, Duration::from_secs(30))?;
                        log.append(json!({"thread": thread, "i": i}))?;
                    }
                    Ok(())
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap().unwrap();
        }
        let result = verify(&path).unwrap();
        assert_eq!(result.first_problem, None);
        assert_eq!(result.records, 200);
        let records = read(&path).unwrap();
        for thread in 0..2 {
            let mine: Vec<&Value> = records
                .iter()
                .filter(|r| r["thread"] == json!(thread))
                .map(|r| &r["i"])
                .collect();
            assert_eq!(
                mine,
                (0..100)
                    .map(|i| json!(i))
                    .collect::<Vec<_>>()
                    .iter()
                    .collect::<Vec<_>>()
            );
        }
    }
}
