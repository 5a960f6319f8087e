//! The `exec` action: runs an argv (never through a shell) in a cleared
//! environment, with a timeout that kills the whole process group, keeping
//! only bounded, secret-scrubbed tails of stdout and stderr.

use std::fmt;
use std::io::{ErrorKind, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{Action, Outcome, Status};
use crate::policy::template::Secrets;

/// Passed through from the parent (when set) besides `env_allow`: enough to
/// find programs, write caches and format text and dates; none of them
/// carries a credential.
const BASE_ENV: [&str; 4] = ["PATH", "HOME", "LANG", "TZ"];

/// How much of each stream an [`Outcome`] keeps: the end of a log is where
/// the error is, and the audit log must stay small.
pub const TAIL_BYTES: usize = 4096;

/// How long to wait for the output pipes to close once the child has ended.
/// A background process it left behind keeps them open for as long as it
/// lives; we report what we have rather than wait for it.
const OUTPUT_GRACE: Duration = Duration::from_secs(1);

/// The longest pause between two checks of the child: the latency added to
/// every run. Checks start at 1 ms so quick commands return quickly.
const MAX_POLL: Duration = Duration::from_millis(20);

/// Runs `argv` directly (no shell: arguments are never re-split or expanded).
///
/// The child gets an empty environment plus [`BASE_ENV`] and `env_allow`
/// from the parent (names that are set), then `set_env`, which wins. `stdin`
/// is `/dev/null`. A relative program path containing a `/`
/// (`./scripts/retrain.sh`) is resolved against `cwd`; a bare name is looked
/// up in the child's `PATH`.
///
/// The child leads its own process group, so a timeout kills everything it
/// started (unless something left the group with `setsid`). A side effect:
/// a Ctrl-C in the terminal reaches driftmend but not the child.
#[derive(Clone)]
pub struct ExecAction {
    /// Real values (may contain secrets).
    pub argv: Vec<String>,
    /// `argv` with secrets replaced by `***`.
    pub argv_display: Vec<String>,
    /// Names passed through from the parent environment.
    pub env_allow: Vec<String>,
    /// `(name, real value, display value)`.
    pub set_env: Vec<(String, String, String)>,
    pub cwd: PathBuf,
    pub timeout: Duration,
    /// Values scrubbed from captured output, messages and `describe()`.
    pub secrets: Secrets,
}

impl Action for ExecAction {
    fn describe(&self) -> Value {
        let secrets = &self.secrets;
        // The display values should already be redacted; scrubbing them again
        // keeps a secret out of the audit log even if a template forgot to
        // mark one.
        let argv: Vec<String> = self.argv_display.iter().map(|a| secrets.scrub(a)).collect();
        let set_env: serde_json::Map<String, Value> = self
            .set_env
            .iter()
            .map(|(name, _, display)| (name.clone(), Value::String(secrets.scrub(display))))
            .collect();
        json!({
            "type": "exec",
            "argv": argv,
            "cwd": secrets.scrub(&self.cwd.display().to_string()),
            "timeout": crate::policy::duration::format(self.timeout),
            "env": self.passed_names(),
            "set_env": set_env,
        })
    }

    fn execute(&self) -> Outcome {
        let started = Instant::now();
        // Enough before the tail to recognise a secret its first byte cuts.
        let keep = TAIL_BYTES + self.secrets.longest_match().saturating_sub(1);
        let run = match self.spawn() {
            Ok(child) => self.supervise(child, started, keep),
            Err(message) => Run::not_started(message),
        };
        Outcome {
            status: run.status,
            message: self.secrets.scrub(&run.message),
            detail: json!({
                "exit_code": run.exit.and_then(|s| s.code()),
                "signal": run.exit.and_then(|s| s.signal()),
                "stdout_tail": tail(&run.stdout, &self.secrets),
                "stderr_tail": tail(&run.stderr, &self.secrets),
                "timed_out": run.timed_out,
            }),
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        }
    }
}

/// Shows what `describe()` shows: a derived `Debug` would print the real
/// argv and environment, secrets included, into logs and panic messages.
impl fmt::Debug for ExecAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ExecAction").field(&self.describe()).finish()
    }
}

/// What a run produced, before scrubbing.
struct Run {
    status: Status,
    message: String,
    exit: Option<ExitStatus>,
    timed_out: bool,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Run {
    fn not_started(message: String) -> Run {
        Run {
            status: Status::Failed,
            message,
            exit: None,
            timed_out: false,
            stdout: Vec::new(),
            stderr: Vec::new(),
        }
    }
}

/// How waiting for the child ended.
enum Waited {
    Exited(ExitStatus),
    /// We killed it; the status is the kill's, when the child could be reaped.
    TimedOut(Option<ExitStatus>),
    /// It ran, but we cannot tell how it ended.
    Lost(String),
}

impl ExecAction {
    /// The program as shown in messages: never the real value, which may be
    /// a secret.
    fn program_display(&self) -> &str {
        self.argv_display.first().map_or("***", String::as_str)
    }

    /// [`BASE_ENV`] then `env_allow`, without repeats.
    fn passed_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = BASE_ENV.to_vec();
        for name in &self.env_allow {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
        names
    }

    /// std leaves it platform-specific whether a relative program path is
    /// resolved against the parent's directory or the child's; a policy
    /// author means the action's `cwd`, so we resolve it ourselves.
    fn program_path(&self, program: &str) -> PathBuf {
        let path = Path::new(program);
        if path.is_relative() && program.contains('/') {
            let joined = self.cwd.join(path);
            std::path::absolute(&joined).unwrap_or(joined)
        } else {
            path.to_path_buf()
        }
    }

    /// Starts the child, or says why it could not be started.
    fn spawn(&self) -> Result<Child, String> {
        let Some(program) = self.argv.first() else {
            return Err("cannot run an empty command".to_string());
        };
        let shown = self.program_display();
        let names = self.passed_names().into_iter();
        if let Some(bad) = names
            .chain(self.set_env.iter().map(|(name, _, _)| name.as_str()))
            .find(|name| name.is_empty() || name.contains(['=', '\0']))
        {
            return Err(format!(
                "cannot run `{shown}`: invalid environment variable name `{bad}`"
            ));
        }
        // Checked here because the spawn error for a missing directory is
        // the same ENOENT as for a missing program, and would blame the
        // program.
        match std::fs::metadata(&self.cwd) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(format!(
                    "cannot run `{shown}`: working directory `{}` is not a directory",
                    self.cwd.display()
                ))
            }
            Err(e) => {
                return Err(format!(
                    "cannot run `{shown}`: working directory `{}`: {e}",
                    self.cwd.display()
                ))
            }
        }

        let mut command = Command::new(self.program_path(program));
        // argv[0] as the policy wrote it, for the program's own messages (a
        // `#!` script still sees the resolved path as `$0`: the kernel
        // passes that).
        command
            .arg0(program)
            .args(&self.argv[1..])
            .current_dir(&self.cwd)
            .env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        for name in self.passed_names() {
            if let Some(value) = std::env::var_os(name) {
                command.env(name, value);
            }
        }
        for (name, value, _) in &self.set_env {
            command.env(name, value);
        }
        command
            .spawn()
            .map_err(|e| format!("cannot run `{shown}`: {e}"))
    }

    /// Drains the child's output while waiting for it (a child blocked on a
    /// full pipe would otherwise never exit), then collects both tails.
    fn supervise(&self, mut child: Child, started: Instant, keep: usize) -> Run {
        let stdout = Arc::new(Mutex::new(Tail::new(keep)));
        let stderr = Arc::new(Mutex::new(Tail::new(keep)));
        let (done_tx, done_rx) = mpsc::channel();
        let readers = [
            spawn_reader(child.stdout.take(), Arc::clone(&stdout), done_tx.clone()),
            spawn_reader(child.stderr.take(), Arc::clone(&stderr), done_tx),
        ];
        let waited = match readers.into_iter().find_map(Result::err) {
            Some(e) => {
                kill_group(&mut child);
                reap(&mut child);
                Waited::Lost(format!(
                    "cannot read the output of `{}`: {e}; killed",
                    self.program_display()
                ))
            }
            None => self.wait(&mut child, started),
        };

        // Each reader reports once at end of stream; the channel disconnects
        // early when a reader never started.
        let grace_end = Instant::now() + OUTPUT_GRACE;
        for _ in 0..2 {
            let left = grace_end.saturating_duration_since(Instant::now());
            if done_rx.recv_timeout(left).is_err() {
                break;
            }
        }
        let snapshot = |tail: &Mutex<Tail>| {
            tail.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .bytes()
                .to_vec()
        };
        let (stdout, stderr) = (snapshot(&stdout), snapshot(&stderr));

        let (status, message, exit, timed_out) = match waited {
            Waited::Exited(exit) => {
                let (status, message) = describe_exit(exit);
                (status, message, Some(exit), false)
            }
            // Unknown, not Failed: a command that ran for the whole timeout
            // may have done part of its work, or all of it and then hung
            // (model registered, stuck in cleanup), or started remote work
            // that goes on without it (submitted a training job and was
            // polling it). Killing the local processes undoes none of that.
            // Failed would tell the next run that repeating is safe; Unknown
            // makes it look first. A non-zero exit or a signal we did not
            // send is the command's own account of how it ended, so that is
            // Failed.
            Waited::TimedOut(exit) => (
                Status::Unknown,
                format!(
                    "timed out after {}; killed",
                    crate::policy::duration::format(self.timeout)
                ),
                exit,
                true,
            ),
            Waited::Lost(message) => (Status::Unknown, message, None, false),
        };
        Run {
            status,
            message,
            exit,
            timed_out,
            stdout,
            stderr,
        }
    }

    /// Polls the child until it exits or the timeout passes (then kills its
    /// group). Polling keeps the `Child` here, so the group is only ever
    /// signalled while its leader is unreaped and its id cannot have been
    /// reused.
    fn wait(&self, child: &mut Child, started: Instant) -> Waited {
        // `None`: a timeout too large to add to a clock reading, i.e. none.
        let deadline = started.checked_add(self.timeout);
        let mut pause = Duration::from_millis(1);
        loop {
            match child.try_wait() {
                Ok(Some(exit)) => return Waited::Exited(exit),
                Ok(None) => {}
                // Someone else reaped it (SIGCHLD ignored?): its id may be
                // reused already, so it is not safe to signal the group.
                Err(e) => {
                    return Waited::Lost(format!("lost track of `{}`: {e}", self.program_display()))
                }
            }
            let now = Instant::now();
            if let Some(deadline) = deadline {
                if now >= deadline {
                    kill_group(child);
                    return Waited::TimedOut(reap(child));
                }
                pause = pause.min(deadline - now);
            }
            thread::sleep(pause);
            pause = (pause * 2).min(MAX_POLL);
        }
    }
}

fn describe_exit(exit: ExitStatus) -> (Status, String) {
    match (exit.code(), exit.signal()) {
        (Some(0), _) => (Status::Succeeded, "exited with status 0".to_string()),
        (Some(code), _) => (Status::Failed, format!("exited with status {code}")),
        (None, Some(signal)) => (Status::Failed, format!("killed by signal {signal}")),
        (None, None) => (Status::Failed, format!("ended with {exit}")),
    }
}

/// Copies a pipe into `tail` on its own thread until end of stream, then
/// reports on `done`.
fn spawn_reader(
    pipe: Option<impl Read + Send + 'static>,
    tail: Arc<Mutex<Tail>>,
    done: mpsc::Sender<()>,
) -> std::io::Result<()> {
    let Some(mut pipe) = pipe else {
        let _ = done.send(());
        return Ok(());
    };
    thread::Builder::new()
        .name("exec-output".to_string())
        .spawn(move || {
            let mut chunk = [0u8; 8192];
            loop {
                match pipe.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => tail
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(&chunk[..n]),
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            let _ = done.send(());
        })
        .map(drop)
}

/// SIGKILLs the child's process group (its id is the child's pid, see
/// `process_group(0)`), then the child itself in case the group signal
/// failed.
fn kill_group(child: &mut Child) {
    if let Ok(pgid) = libc::pid_t::try_from(child.id()) {
        // `kill(0, ..)` would signal our own group.
        if pgid > 0 {
            // SAFETY: kill(2) takes plain integers and touches no memory of
            // ours; a negative pid addresses the process group.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
    }
    let _ = child.kill();
}

/// Reaps a killed child. SIGKILL cannot be caught, but a process stuck in
/// uninterruptible sleep (a hung NFS read) dies only when that returns; we
/// give up after a grace rather than hang with it (it stays a zombie until
/// driftmend exits).
fn reap(child: &mut Child) -> Option<ExitStatus> {
    let give_up = Instant::now() + OUTPUT_GRACE;
    loop {
        match child.try_wait() {
            Ok(Some(exit)) => return Some(exit),
            Ok(None) if Instant::now() < give_up => thread::sleep(Duration::from_millis(5)),
            _ => return None,
        }
    }
}

/// The last `keep` bytes of a stream. Compacted only when it holds twice
/// that, so each byte is moved O(1) times and memory stays under
/// `2 * keep` plus one read, however much the child writes.
struct Tail {
    buf: Vec<u8>,
    keep: usize,
}

impl Tail {
    fn new(keep: usize) -> Tail {
        Tail {
            buf: Vec::new(),
            keep,
        }
    }

    fn push(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
        if self.buf.len() > 2 * self.keep {
            let cut = self.buf.len() - self.keep;
            self.buf.drain(..cut);
        }
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[self.buf.len().saturating_sub(self.keep)..]
    }
}

/// The last [`TAIL_BYTES`] of a stream, scrubbed (a secret cut by the
/// start included), as lossy UTF-8.
fn tail(bytes: &[u8], secrets: &Secrets) -> String {
    let mut from = bytes.len().saturating_sub(TAIL_BYTES);
    // Starting inside a multi-byte character would show as U+FFFD.
    let limit = bytes.len().min(from + 3);
    while from > 0 && from < limit && bytes[from] & 0xC0 == 0x80 {
        from += 1;
    }
    String::from_utf8_lossy(&secrets.scrub_bytes(bytes, from)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/bin/sh -c script`: the test's choice of program, not the action's.
    fn sh(script: &str) -> ExecAction {
        let argv: Vec<String> = ["/bin/sh", "-c", script].map(String::from).to_vec();
        ExecAction {
            argv_display: argv.clone(),
            argv,
            env_allow: Vec::new(),
            set_env: Vec::new(),
            cwd: PathBuf::from("/"),
            timeout: Duration::from_secs(20),
            secrets: Secrets::default(),
        }
    }

    fn secrets(values: &[&str]) -> Secrets {
        values.iter().collect()
    }

    fn text(outcome: &Outcome, key: &str) -> String {
        outcome.detail[key].as_str().unwrap().to_string()
    }

    /// Dead, or a zombie: a killed orphan lingers as one where PID 1 does not
    /// reap (as in many containers).
    fn is_dead(pid: u32) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(stat) => stat
                .rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        }
    }

    fn dies_within(pid: u32, limit: Duration) -> bool {
        let until = Instant::now() + limit;
        while !is_dead(pid) {
            if Instant::now() > until {
                return false;
            }
            thread::sleep(Duration::from_millis(10));
        }
        true
    }

    #[test]
    fn success_keeps_both_streams() {
        let outcome = sh("echo hello; echo oops >&2").execute();
        assert_eq!(outcome.status, Status::Succeeded);
        assert_eq!(outcome.message, "exited with status 0");
        assert_eq!(
            outcome.detail,
            json!({
                "exit_code": 0,
                "signal": null,
                "stdout_tail": "hello\n",
                "stderr_tail": "oops\n",
                "timed_out": false,
            })
        );
        assert!(outcome.duration_ms < 5_000);
    }

    #[test]
    fn non_zero_exit_fails() {
        let outcome = sh("echo 'disk full' >&2; exit 3").execute();
        assert_eq!(outcome.status, Status::Failed);
        assert_eq!(outcome.message, "exited with status 3");
        assert_eq!(outcome.detail["exit_code"], 3);
        assert_eq!(outcome.detail["signal"], Value::Null);
        assert_eq!(text(&outcome, "stderr_tail"), "disk full\n");
    }

    #[test]
    fn death_by_signal_fails() {
        let outcome = sh("kill -9 $$").execute();
        assert_eq!(outcome.status, Status::Failed);
        assert_eq!(outcome.message, "killed by signal 9");
        assert_eq!(outcome.detail["signal"], 9);
        assert_eq!(outcome.detail["exit_code"], Value::Null);
        assert_eq!(outcome.detail["timed_out"], false);
    }

    #[test]
    fn missing_program_fails_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let argv = vec!["./scripts/retrain.sh".to_string()];
        let action = ExecAction {
            argv_display: argv.clone(),
            argv,
            cwd: dir.path().to_path_buf(),
            ..sh("")
        };
        let outcome = action.execute();
        assert_eq!(outcome.status, Status::Failed);
        assert_eq!(
            outcome.message,
            "cannot run `./scripts/retrain.sh`: No such file or directory (os error 2)"
        );
        assert_eq!(
            outcome.detail,
            json!({
                "exit_code": null,
                "signal": null,
                "stdout_tail": "",
                "stderr_tail": "",
                "timed_out": false,
            })
        );
    }

    #[test]
    fn program_that_is_not_executable_fails() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("plain.sh"), "echo hi\n").unwrap();
        let argv = vec!["./plain.sh".to_string()];
        let action = ExecAction {
            argv_display: argv.clone(),
            argv,
            cwd: dir.path().to_path_buf(),
            ..sh("")
        };
        let outcome = action.execute();
        assert_eq!(outcome.status, Status::Failed);
        assert_eq!(
            outcome.message,
            "cannot run `./plain.sh`: Permission denied (os error 13)"
        );
    }

    #[test]
    fn relative_program_is_resolved_against_cwd() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("scripts/ok.sh");
        std::fs::create_dir(dir.path().join("scripts")).unwrap();
        std::fs::write(&script, "#!/bin/sh\necho \"in $(pwd -P)\"\n").unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let argv = vec!["./scripts/ok.sh".to_string()];
        let action = ExecAction {
            argv_display: argv.clone(),
            argv,
            cwd: dir.path().to_path_buf(),
            ..sh("")
        };
        let outcome = action.execute();
        assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
        let real_dir = dir.path().canonicalize().unwrap();
        assert_eq!(
            text(&outcome, "stdout_tail"),
            format!("in {}\n", real_dir.display())
        );
    }

    #[test]
    fn missing_working_directory_is_blamed_not_the_program() {
        let action = ExecAction {
            cwd: PathBuf::from("/nonexistent-driftmend-dir"),
            ..sh("true")
        };
        let outcome = action.execute();
        assert_eq!(outcome.status, Status::Failed);
        assert_eq!(
            outcome.message,
            "cannot run `/bin/sh`: working directory `/nonexistent-driftmend-dir`: \
             No such file or directory (os error 2)"
        );
    }

    #[test]
    fn timeout_kills_the_child_and_is_unknown() {
        let action = ExecAction {
            timeout: Duration::from_secs(1),
            ..sh("sleep 30")
        };
        let started = Instant::now();
        let outcome = action.execute();
        assert!(
            started.elapsed() < Duration::from_millis(2_000),
            "{outcome:?}"
        );
        assert_eq!(outcome.status, Status::Unknown);
        assert_eq!(outcome.message, "timed out after 1s; killed");
        assert_eq!(outcome.detail["timed_out"], true);
        assert_eq!(outcome.detail["signal"], 9);
        assert_eq!(outcome.detail["exit_code"], Value::Null);
    }

    #[test]
    fn timeout_kills_grandchildren_too() {
        let action = ExecAction {
            timeout: Duration::from_millis(300),
            ..sh("sleep 30 & echo $!; sleep 30")
        };
        let started = Instant::now();
        let outcome = action.execute();
        assert!(
            started.elapsed() < Duration::from_millis(1_300),
            "{outcome:?}"
        );
        assert_eq!(outcome.status, Status::Unknown);
        let pid: u32 = text(&outcome, "stdout_tail").trim().parse().unwrap();
        assert!(
            dies_within(pid, Duration::from_secs(1)),
            "grandchild {pid} survived"
        );
    }

    #[test]
    fn a_background_process_left_behind_does_not_hang_the_run() {
        // The child exits at once; the grandchild keeps the pipes open.
        let started = Instant::now();
        let outcome = sh("sleep 30 & echo $!").execute();
        assert!(started.elapsed() < Duration::from_secs(3), "{outcome:?}");
        assert_eq!(outcome.status, Status::Succeeded);
        let pid: libc::pid_t = text(&outcome, "stdout_tail").trim().parse().unwrap();
        // Left running by design (only a timeout kills the group); clean up.
        // SAFETY: kill(2) touches no memory of ours.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }

    #[test]
    fn environment_is_an_allow_list() {
        // Unique names: tests run in parallel in one process.
        std::env::set_var("DRIFTMEND_EXEC_TEST_ALLOWED", "yes");
        std::env::set_var("DRIFTMEND_EXEC_TEST_WITHHELD", "no");
        std::env::set_var("DRIFTMEND_EXEC_TEST_OVERRIDDEN", "parent");
        let argv: Vec<String> = [
            "sh",
            "-c",
            "echo \"allowed=${DRIFTMEND_EXEC_TEST_ALLOWED-unset} \
             withheld=${DRIFTMEND_EXEC_TEST_WITHHELD-unset} \
             overridden=$DRIFTMEND_EXEC_TEST_OVERRIDDEN set=$SET_ME path=${PATH:+present}\"",
        ]
        .map(String::from)
        .to_vec();
        let action = ExecAction {
            argv_display: argv.clone(),
            argv,
            env_allow: vec![
                "DRIFTMEND_EXEC_TEST_ALLOWED".to_string(),
                "DRIFTMEND_EXEC_TEST_OVERRIDDEN".to_string(),
                "DRIFTMEND_EXEC_TEST_NOT_SET_ANYWHERE".to_string(),
            ],
            set_env: vec![
                ("SET_ME".into(), "value".into(), "value".into()),
                (
                    "DRIFTMEND_EXEC_TEST_OVERRIDDEN".into(),
                    "child".into(),
                    "child".into(),
                ),
            ],
            ..sh("")
        };
        let outcome = action.execute();
        assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
        assert_eq!(
            text(&outcome, "stdout_tail"),
            "allowed=yes withheld=unset overridden=child set=value path=present\n"
        );
    }

    #[test]
    fn invalid_environment_names_fail_without_running() {
        let action = ExecAction {
            env_allow: vec!["A=B".to_string()],
            ..sh("echo ran")
        };
        let outcome = action.execute();
        assert_eq!(outcome.status, Status::Failed);
        assert_eq!(
            outcome.message,
            "cannot run `/bin/sh`: invalid environment variable name `A=B`"
        );
        let action = ExecAction {
            set_env: vec![(String::new(), "x".into(), "x".into())],
            ..sh("echo ran")
        };
        assert_eq!(action.execute().status, Status::Failed);
    }

    #[test]
    fn tail_keeps_the_last_4_kib_of_a_megabyte_while_draining_both_streams() {
        // stderr first: reading the streams one after the other would
        // deadlock on the full stderr pipe.
        let outcome = sh("seq 1 200000 >&2; seq 1 200000").execute();
        assert_eq!(outcome.status, Status::Succeeded, "{}", outcome.message);
        let full: String = (1..=200_000).map(|i| format!("{i}\n")).collect();
        assert!(full.len() > 1_000_000);
        let expected = &full[full.len() - TAIL_BYTES..];
        assert_eq!(text(&outcome, "stdout_tail"), expected);
        assert_eq!(text(&outcome, "stderr_tail"), expected);
    }

    #[test]
    fn tail_memory_stays_bounded() {
        let mut tail = Tail::new(TAIL_BYTES);
        let chunk = [b'x'; 8192];
        for _ in 0..200 {
            tail.push(&chunk[..3000]);
            tail.push(&chunk);
            assert!(tail.buf.len() <= 2 * TAIL_BYTES);
        }
        tail.push(b"end");
        assert_eq!(tail.bytes().len(), TAIL_BYTES);
        assert!(tail.bytes().ends_with(b"xend"));
    }

    #[test]
    fn secrets_are_scrubbed_from_output_and_describe() {
        let secret = "s3cr3t-token";
        let action = ExecAction {
            argv: [
                "sh",
                "-c",
                &format!("echo $TOKEN; echo {secret} >&2; echo abc"),
            ]
            .map(String::from)
            .to_vec(),
            argv_display: ["sh", "-c", "echo $TOKEN; echo *** >&2; echo abc"]
                .map(String::from)
                .to_vec(),
            set_env: vec![("TOKEN".into(), secret.into(), "***".into())],
            // Too short to scrub: left alone.
            secrets: secrets(&[secret, "abc"]),
            ..sh("")
        };
        let outcome = action.execute();
        assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
        assert_eq!(text(&outcome, "stdout_tail"), "***\nabc\n");
        assert_eq!(text(&outcome, "stderr_tail"), "***\n");
        let described = action.describe().to_string();
        assert!(!described.contains(secret), "{described}");
        assert!(!format!("{action:?}").contains(secret));
        assert_eq!(action.describe()["set_env"], json!({"TOKEN": "***"}));
    }

    #[test]
    fn describe_masks_a_secret_a_template_forgot() {
        let action = ExecAction {
            argv_display: vec!["deploy".into(), "--token=hunter22".into()],
            secrets: secrets(&["hunter22"]),
            ..sh("")
        };
        assert_eq!(action.describe()["argv"], json!(["deploy", "--token=***"]));
    }

    #[test]
    fn a_secret_cut_by_the_start_of_the_tail_is_still_masked() {
        let secret = "s3cr3t-token";
        let action = ExecAction {
            set_env: vec![("S".into(), secret.into(), "***".into())],
            secrets: secrets(&[secret]),
            // 12-byte secret + 4091 bytes: the tail starts 7 bytes into it.
            ..sh("head -c 10000 /dev/zero | tr '\\0' x; printf %s \"$S\"; \
                  head -c 4091 /dev/zero | tr '\\0' y")
        };
        let outcome = action.execute();
        assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
        assert_eq!(
            text(&outcome, "stdout_tail"),
            format!("***{}", "y".repeat(4091))
        );
    }

    #[test]
    fn tail_does_not_start_inside_a_character() {
        let mut bytes = "é".repeat(3000).into_bytes();
        bytes.push(b'a');
        let tail = tail(&bytes, &Secrets::default());
        assert!(!tail.contains('\u{FFFD}'));
        assert_eq!(tail, format!("{}a", "é".repeat(2047)));
    }

    #[test]
    fn describe_is_the_redacted_request() {
        let action = ExecAction {
            argv: vec!["./scripts/retrain.sh".into(), "--key=real".into()],
            argv_display: vec!["./scripts/retrain.sh".into(), "--key=***".into()],
            env_allow: vec!["AWS_PROFILE".into(), "PATH".into()],
            set_env: vec![("MLFLOW_TOKEN".into(), "real".into(), "***".into())],
            cwd: PathBuf::from("/srv/model"),
            timeout: Duration::from_secs(600),
            secrets: secrets(&["real"]),
        };
        assert_eq!(
            action.describe(),
            json!({
                "type": "exec",
                "argv": ["./scripts/retrain.sh", "--key=***"],
                "cwd": "/srv/model",
                "timeout": "10m",
                "env": ["PATH", "HOME", "LANG", "TZ", "AWS_PROFILE"],
                "set_env": {"MLFLOW_TOKEN": "***"},
            })
        );
    }

    #[test]
    fn odd_inputs_end_in_an_outcome_not_a_panic() {
        let empty = ExecAction {
            argv: Vec::new(),
            argv_display: Vec::new(),
            ..sh("")
        };
        let outcome = empty.execute();
        assert_eq!(outcome.status, Status::Failed);
        assert_eq!(outcome.message, "cannot run an empty command");

        let nul = ExecAction {
            argv: vec!["/bin/sh".into(), "-c".into(), "echo \0".into()],
            ..sh("")
        };
        assert_eq!(nul.execute().status, Status::Failed);

        let nul_value = ExecAction {
            set_env: vec![("X".into(), "a\0b".into(), "***".into())],
            ..sh("true")
        };
        assert_eq!(nul_value.execute().status, Status::Failed);

        // No real deadline: the clock cannot represent one.
        let forever = ExecAction {
            timeout: Duration::MAX,
            ..sh("true")
        };
        assert_eq!(forever.execute().status, Status::Succeeded);

        let instantly = ExecAction {
            timeout: Duration::ZERO,
            ..sh("sleep 30")
        };
        let outcome = instantly.execute();
        assert_eq!(outcome.status, Status::Unknown);
        assert_eq!(outcome.message, "timed out after 0s; killed");

        // Display argv shorter than argv: the real program is not shown.
        let undisplayed = ExecAction {
            argv: vec!["/nonexistent/secret-path".into()],
            argv_display: Vec::new(),
            ..sh("")
        };
        assert_eq!(
            undisplayed.execute().message,
            "cannot run `***`: No such file or directory (os error 2)"
        );
    }
}
