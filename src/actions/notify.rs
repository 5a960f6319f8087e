//! Telling people: Slack incoming webhooks (text + blocks), PagerDuty
//! Events v2 (trigger with a deterministic `dedup_key`, resolve once a run
//! is healthy again), and generic webhooks signed per Standard Webhooks.

use serde::Serialize;
use serde_json::{json, Value};

use super::http::{self, Repeat, Request, Response};
use super::service::{self, Invocation, Render, SingleRequest};
use super::Action;
use crate::policy::model::{
    ActionSpec, PagerdutySpec, Severity, SlackSpec, WebhookMethod, WebhookSpec,
};

pub const PAGERDUTY_API: &str = "https://events.pagerduty.com";

pub fn slack(
    spec: &ActionSpec,
    s: &SlackSpec,
    r: &mut Render,
    inv: &Invocation,
) -> Result<Box<dyn Action>, String> {
    let text = r.opt("text", &s.text)?;
    let webhook_url = r.text("webhook_url", &s.webhook_url)?;
    let request = slack_request(webhook_url, text, inv);
    Ok(Box::new(SingleRequest::new(
        spec, &s.http, r, "Slack", request, read_slack,
    )))
}

pub fn pagerduty(
    spec: &ActionSpec,
    s: &PagerdutySpec,
    r: &mut Render,
    inv: &Invocation,
) -> Result<Box<dyn Action>, String> {
    let p = Pagerduty::render(s, r)?;
    let key = p.dedup_key(inv);
    let request = p.request(inv, &key, "trigger");
    let facts = json!({ "dedup_key": key, "event_action": "trigger" });
    Ok(Box::new(SingleRequest {
        facts,
        ..SingleRequest::new(spec, &s.http, r, "PagerDuty", request, read_pagerduty)
    }))
}

pub fn webhook(
    spec: &ActionSpec,
    s: &WebhookSpec,
    r: &mut Render,
    inv: &Invocation,
) -> Result<Box<dyn Action>, String> {
    let (request, id) = webhook_request(s, r, inv)?;
    let facts = json!({ "webhook_id": id });
    Ok(Box::new(SingleRequest {
        facts,
        ..SingleRequest::new(spec, &s.http, r, "webhook", request, service::read_status)
    }))
}

/// The resolve event for an incident a trigger opened.
pub fn pagerduty_resolve(
    spec: &ActionSpec,
    s: &PagerdutySpec,
    r: &mut Render,
    dedup_key: &str,
) -> Result<Box<dyn Action>, String> {
    let p = Pagerduty::render(s, r)?;
    let request = p.request(&Invocation::default(), dedup_key, "resolve");
    let facts = json!({ "dedup_key": dedup_key, "event_action": "resolve" });
    Ok(Box::new(SingleRequest {
        facts,
        ..SingleRequest::new(spec, &s.http, r, "PagerDuty", request, read_pagerduty)
    }))
}

fn headline(inv: &Invocation) -> String {
    let incident = if inv.incident.is_empty() {
        "alert".to_string()
    } else {
        inv.incident.replace('_', " ")
    };
    format!("driftmend: {incident} in `{}`", inv.policy)
}

#[derive(Serialize)]
struct SlackMessage {
    /// The notification text (and the fallback where blocks don't show).
    text: String,
    blocks: Vec<Value>,
}

fn slack_request(webhook_url: String, text: Option<String>, inv: &Invocation) -> Request {
    let text = text.unwrap_or_else(|| format!("{}: {}", headline(inv), inv.summary));
    let mut context = vec![
        format!("rule `{}`", inv.rule),
        format!("action `{}`", inv.action),
    ];
    if !inv.run_id.is_empty() {
        context.push(format!("run `{}`", inv.run_id));
    }
    let body = SlackMessage {
        text: text.clone(),
        blocks: vec![
            json!({ "type": "header", "text": { "type": "plain_text", "text": http::clip(&headline(inv), 150) } }),
            json!({ "type": "section", "text": { "type": "mrkdwn", "text": http::clip(&text, 3000) } }),
            json!({ "type": "context", "elements": [{ "type": "mrkdwn", "text": context.join(" · ") }] }),
        ],
    };
    Request::post(webhook_url).json(serde_json::to_value(body).unwrap_or_default())
}

fn read_slack(resp: &Response) -> (String, Value) {
    (
        format!("posted to Slack ({})", resp.body.trim()),
        Value::Null,
    )
}

/// A PagerDuty action's keys, rendered.
struct Pagerduty {
    api_url: Option<String>,
    class: Option<String>,
    component: Option<String>,
    dedup_key: Option<String>,
    group: Option<String>,
    routing_key: String,
    severity: Severity,
    source: Option<String>,
    summary: Option<String>,
}

impl Pagerduty {
    fn render(s: &PagerdutySpec, r: &mut Render) -> Result<Pagerduty, String> {
        Ok(Pagerduty {
            api_url: r.opt("api_url", &s.api_url)?,
            class: r.opt("class", &s.class)?,
            component: r.opt("component", &s.component)?,
            dedup_key: r.opt("dedup_key", &s.dedup_key)?,
            group: r.opt("group", &s.group)?,
            routing_key: r.text("routing_key", &s.routing_key)?,
            severity: s.severity.unwrap_or(Severity::Warning),
            source: r.opt("source", &s.source)?,
            summary: r.opt("summary", &s.summary)?,
        })
    }

    /// One incident per policy, rule and action: later triggers of the same
    /// breach update it instead of paging again.
    fn dedup_key(&self, inv: &Invocation) -> String {
        self.dedup_key
            .clone()
            .unwrap_or_else(|| format!("driftmend/{}/{}/{}", inv.policy, inv.rule, inv.action))
    }

    fn request(&self, inv: &Invocation, dedup_key: &str, action: &'static str) -> Request {
        let payload = (action == "trigger").then(|| PagerdutyPayload {
            // PagerDuty cuts summaries at 1024 characters.
            summary: http::clip(
                &self
                    .summary
                    .clone()
                    .unwrap_or_else(|| format!("{}: {}", headline(inv), inv.summary)),
                1000,
            ),
            source: self
                .source
                .clone()
                .unwrap_or_else(|| format!("driftmend/{}", inv.policy)),
            severity: self.severity.name().to_string(),
            timestamp: (!inv.run_time.is_empty()).then(|| inv.run_time.clone()),
            component: self.component.clone(),
            group: self.group.clone(),
            class: self.class.clone(),
            custom_details: json!({
                "policy": inv.policy,
                "rule": inv.rule,
                "run_id": inv.run_id,
                "incident": inv.incident,
                "summary": inv.summary,
            }),
        });
        let event = PagerdutyEvent {
            routing_key: self.routing_key.clone(),
            event_action: action,
            dedup_key: dedup_key.to_string(),
            payload,
            client: Some("driftmend"),
        };
        let api = service::base(self.api_url.as_deref().unwrap_or(PAGERDUTY_API));
        Request::post(format!("{api}/v2/enqueue"))
            .json(serde_json::to_value(event).unwrap_or_default())
            // The dedup key makes a repeat land on the same incident.
            .repeat(Repeat::Safe)
    }
}

#[derive(Serialize)]
struct PagerdutyPayload {
    summary: String,
    source: String,
    severity: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    component: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<String>,
    custom_details: Value,
}

#[derive(Serialize)]
struct PagerdutyEvent {
    routing_key: String,
    event_action: &'static str,
    dedup_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload: Option<PagerdutyPayload>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client: Option<&'static str>,
}

fn read_pagerduty(resp: &Response) -> (String, Value) {
    let v = resp.json().unwrap_or(Value::Null);
    let msg = v
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("accepted");
    (format!("PagerDuty: {msg}"), Value::Null)
}

/// A Standard Webhooks request: `webhook-id` (also sent as
/// `Idempotency-Key`, same for a repeat of the decision), `webhook-timestamp`
/// and, with a `secret`, `webhook-signature: v1,<base64 HMAC-SHA256 of
/// "{id}.{timestamp}.{body}">`. A `whsec_` secret is base64 after the prefix.
fn webhook_request(
    s: &WebhookSpec,
    r: &mut Render,
    inv: &Invocation,
) -> Result<(Request, String), String> {
    let fields = r.map("body", &s.body)?;
    let headers = r.map("headers", &s.headers)?;
    let secret = r.opt("secret", &s.secret)?;
    let url = r.text("url", &s.url)?;
    let key: String = inv.idempotency_key.chars().take(24).collect();
    let id = format!("msg_{key}");
    let body = match fields {
        fields if !fields.is_empty() => Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        ),
        _ => json!({
            "type": "driftmend.action",
            "timestamp": inv.run_time,
            "data": {
                "policy": inv.policy,
                "run_id": inv.run_id,
                "rule": inv.rule,
                "action": inv.action,
                "incident": inv.incident,
                "summary": inv.summary,
            },
        }),
    };
    // When it is sent, not the run's (possibly backfilled) time: receivers
    // reject timestamps more than a few minutes off as replays, and an
    // approved action may go out hours after its run.
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let method = s.method.unwrap_or(WebhookMethod::Post).name();
    let mut req = Request::new(method, url)
        .header("webhook-id", &id)
        .header("webhook-timestamp", &timestamp)
        .header("Idempotency-Key", &id)
        .json(body)
        .repeat(Repeat::Safe);
    if let Some(secret) = secret {
        let key = webhook_key(&secret)?;
        let payload = req.body.as_ref().map(|b| b.bytes()).unwrap_or_default();
        req = req.header("webhook-signature", sign(&key, &id, &timestamp, &payload));
        r.secrets.add(&secret);
    }
    for (name, value) in headers {
        req = req.header(&name, value);
    }
    Ok((req, id))
}

fn webhook_key(secret: &str) -> Result<Vec<u8>, String> {
    use base64::Engine;
    match secret.strip_prefix("whsec_") {
        Some(b64) => base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| {
                "webhook `secret` starts with `whsec_` but the rest is not base64".to_string()
            }),
        None => Ok(secret.as_bytes().to_vec()),
    }
}

/// `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`.
pub fn sign(key: &[u8], id: &str, timestamp: &str, body: &[u8]) -> String {
    use base64::Engine;
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac =
        <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_webhooks_reference_signature() {
        // The example of the Standard Webhooks specification's reference
        // libraries (secret, id, timestamp and payload from their tests).
        let key = webhook_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = sign(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "1614265330",
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_whsec_secret_must_be_base64() {
        assert_eq!(
            webhook_key("whsec_not base64!").unwrap_err(),
            "webhook `secret` starts with `whsec_` but the rest is not base64"
        );
        assert_eq!(webhook_key("plain").unwrap(), b"plain");
    }
}
