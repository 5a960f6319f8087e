//! What a policy remembers between scheduled runs: consecutive-breach
//! counters, action history for cooldowns, rate limits and circuit
//! breakers, rollback depth, pending approvals and recent run summaries.
//! Plain serde data; `crate::statedir` reads and writes it atomically.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::expr::Value;

/// Version of the state file format this build writes and reads.
pub const STATE_VERSION: u32 = 1;

/// How many run summaries are kept (for history charts and diagnosis).
pub const KEPT_RUNS: usize = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyState {
    pub version: u32,
    /// The policy's `name`, to catch two policies sharing a state dir.
    pub policy: String,
    #[serde(default)]
    pub rules: BTreeMap<String, RuleState>,
    #[serde(default)]
    pub actions: BTreeMap<String, ActionState>,
    /// Times of action runs inside the `max_actions` window (all actions).
    #[serde(default, with = "times")]
    pub window: Vec<DateTime<Utc>>,
    #[serde(default)]
    pub pending: Vec<PendingApproval>,
    /// Most recent last; at most `KEPT_RUNS`.
    #[serde(default)]
    pub runs: Vec<RunSummary>,
    /// Next approval number (ids are `<policy>-<n>`).
    #[serde(default = "one")]
    pub next_approval: u64,
    /// The audit log's last record when the state was saved: a log that
    /// is shorter later was cut, which its hash chain alone can't show.
    #[serde(default)]
    pub audit_head: Option<AuditHead>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub seq: u64,
    pub hash: String,
}

fn one() -> u64 {
    1
}

impl PolicyState {
    pub fn new(policy: &str) -> PolicyState {
        PolicyState {
            version: STATE_VERSION,
            policy: policy.to_string(),
            rules: BTreeMap::new(),
            actions: BTreeMap::new(),
            window: Vec::new(),
            pending: Vec::new(),
            runs: Vec::new(),
            next_approval: 1,
            audit_head: None,
        }
    }

    /// Remembers a run's summary, keeping the last [`KEPT_RUNS`].
    pub fn record_run(&mut self, summary: RunSummary) {
        self.runs.push(summary);
        if self.runs.len() > KEPT_RUNS {
            let extra = self.runs.len() - KEPT_RUNS;
            self.runs.drain(..extra);
        }
    }

    /// Queues `p` for approval under the next id (`<policy>-<n>`), unless
    /// its action already waits: a rule that keeps firing while a human
    /// decides must not pile up the queue. Returns the id it waits under.
    pub fn enqueue(&mut self, mut p: PendingApproval) -> String {
        if let Some(waiting) = self.pending.iter().find(|w| w.action == p.action) {
            return waiting.id.clone();
        }
        p.id = format!("{}-{}", self.policy, self.next_approval);
        self.next_approval += 1;
        let id = p.id.clone();
        self.pending.push(p);
        id
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleState {
    /// Consecutive runs in which `when` held.
    pub consecutive: u32,
    #[serde(default, with = "optional_time")]
    pub last_fired: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActionState {
    /// Last time the action was started (any outcome): cooldowns count from it.
    #[serde(default, with = "optional_time")]
    pub last_run: Option<DateTime<Utc>>,
    pub last_status: Option<String>,
    pub consecutive_failures: u32,
    /// Set while the circuit breaker is open (or half-open after it).
    #[serde(default, with = "optional_time")]
    pub breaker_opened_at: Option<DateTime<Utc>>,
    /// Rollbacks run since the last healthy run.
    pub rollback_depth: u32,
    /// PagerDuty incidents this action opened (`dedup_key`s), resolved by
    /// the next healthy run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_incidents: Vec<String>,
    /// Set, and saved, just before the action starts; cleared when its
    /// outcome is recorded. Found set when a run begins, it means a run was
    /// killed while the action ran: its outcome is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_flight: Option<InFlight>,
}

/// An action that was started and has no recorded outcome yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InFlight {
    #[serde(with = "time")]
    pub since: DateTime<Utc>,
    /// The run (or approval's run) that started it.
    pub run_id: String,
    pub idempotency_key: String,
}

/// An action waiting for `driftmend approve`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingApproval {
    pub id: String,
    pub rule: String,
    pub action: String,
    pub run_id: String,
    #[serde(with = "time")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "time")]
    pub expires_at: DateTime<Utc>,
    /// Quality errors of the run that decided it (the quality gate is
    /// re-checked on approval).
    pub quality_errors: usize,
    /// The non-secret template values of the deciding run (`rule.name`,
    /// `run.id`, `summary`, metric paths), so the action renders the same on
    /// approval; secrets are read again then, never stored.
    pub context: BTreeMap<String, Value>,
    /// The request as it would run, secrets redacted.
    pub request: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub id: String,
    #[serde(with = "time")]
    pub at: DateTime<Utc>,
    pub incident: String,
    pub drift_share: f64,
    pub drifted_columns: usize,
    pub quality_errors: usize,
    pub dry_run: bool,
}

/// Times are stored as RFC 3339 text (UTC, seconds), readable in the file.
mod time {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).map_err(serde::de::Error::custom)
    }

    pub fn parse(text: &str) -> Result<DateTime<Utc>, String> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| format!("`{text}` is not an RFC 3339 time: {e}"))
    }
}

mod optional_time {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => super::time::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| super::time::parse(&text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

mod times {
    use chrono::{DateTime, Utc};
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(ts: &[DateTime<Utc>], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(ts.len()))?;
        for t in ts {
            seq.serialize_element(&t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<DateTime<Utc>>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|text| super::time::parse(text).map_err(serde::de::Error::custom))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json() {
        let mut st = PolicyState::new("p");
        let t = DateTime::parse_from_rfc3339("2026-11-22T03:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        st.window.push(t);
        st.rules.insert(
            "r".into(),
            RuleState {
                consecutive: 2,
                last_fired: Some(t),
            },
        );
        st.actions.insert(
            "a".into(),
            ActionState {
                last_run: Some(t),
                ..Default::default()
            },
        );
        let text = serde_json::to_string(&st).unwrap();
        assert!(text.contains("\"2026-11-22T03:00:00Z\""), "{text}");
        let back: PolicyState = serde_json::from_str(&text).unwrap();
        assert_eq!(back, st);
        let minimal: PolicyState = serde_json::from_str(r#"{"version":1,"policy":"p"}"#).unwrap();
        assert_eq!(minimal, PolicyState::new("p"));
    }
}
