//! The one HTTP layer every service action goes through: rustls, connect
//! and total timeouts, https except on loopback, bounded retries with
//! exponential backoff and jitter that honour `Retry-After` and GitHub's
//! rate-limit headers, and "sent but unanswered" kept apart from "never
//! sent", so a trigger without an idempotency handle is not fired twice.
//!
//! Requests are plain data ([`Request`]) so `--dry-run` and the audit log
//! can show them exactly, secrets redacted; [`Http::send`] is the only IO.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::policy::template::Secrets;

/// Headers whose whole value is a credential, shown as `***` (keeping an
/// auth scheme such as `Bearer`).
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "private-token",
    "job-token",
    "x-api-key",
    "x-vault-token",
    "cookie",
    "jenkins-crumb",
];

/// How much of a response body an outcome keeps.
const BODY_KEEP: usize = 2048;

pub const USER_AGENT: &str = concat!("driftmend/", env!("CARGO_PKG_VERSION"));

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Json(Value),
    /// `application/x-www-form-urlencoded`.
    Form(Vec<(String, String)>),
    /// Raw text with its content type.
    Text {
        content_type: String,
        text: String,
    },
}

impl Body {
    fn content_type(&self) -> &str {
        match self {
            Body::Json(_) => "application/json",
            Body::Form(_) => "application/x-www-form-urlencoded",
            Body::Text { content_type, .. } => content_type,
        }
    }

    /// The exact bytes sent.
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            Body::Json(v) => serde_json::to_vec(v).unwrap_or_default(),
            Body::Form(pairs) => form_encode(pairs).into_bytes(),
            Body::Text { text, .. } => text.as_bytes().to_vec(),
        }
    }
}

/// Whether a request may be sent again after it went out unanswered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Reads, and writes that land the same however often they are sent
    /// (setting an alias, a trigger carrying an idempotency handle).
    Safe,
    /// A trigger the service can't recognise as a repeat: once sent, it is
    /// never re-sent; an unanswered send is "outcome unknown".
    Once,
}

/// One HTTP request, fully rendered (secrets included).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Body>,
    pub repeat: Repeat,
}

impl Request {
    pub fn new(method: &'static str, url: impl Into<String>) -> Request {
        Request {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: None,
            repeat: if method == "GET" {
                Repeat::Safe
            } else {
                Repeat::Once
            },
        }
    }

    pub fn get(url: impl Into<String>) -> Request {
        Request::new("GET", url)
    }

    pub fn post(url: impl Into<String>) -> Request {
        Request::new("POST", url)
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Request {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn json(mut self, body: Value) -> Request {
        self.body = Some(Body::Json(body));
        self
    }

    pub fn form(mut self, pairs: Vec<(String, String)>) -> Request {
        self.body = Some(Body::Form(pairs));
        self
    }

    pub fn repeat(mut self, repeat: Repeat) -> Request {
        self.repeat = repeat;
        self
    }

    pub fn auth(self, auth: &Auth) -> Request {
        match auth {
            Auth::None => self,
            Auth::Bearer(token) => self.header("Authorization", format!("Bearer {token}")),
            Auth::Basic { user, password } => {
                self.header("Authorization", basic_auth(user, password))
            }
        }
    }

    /// What `--dry-run` and the audit log show: method, URL, headers and
    /// body, every secret replaced by `***`.
    pub fn describe(&self, secrets: &Secrets) -> Value {
        let headers: serde_json::Map<String, Value> = self
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.clone(),
                    Value::String(redact_header(name, value, secrets)),
                )
            })
            .collect();
        let body = match &self.body {
            None => Value::Null,
            Some(Body::Json(v)) => scrub_json(v, secrets),
            Some(Body::Form(pairs)) => Value::String(secrets.scrub(&form_encode(pairs))),
            Some(Body::Text { text, .. }) => Value::String(secrets.scrub(text)),
        };
        let mut out = json!({
            "method": self.method,
            "url": secrets.scrub(&self.url),
            "headers": headers,
        });
        if let Some(ct) = self.body.as_ref().map(Body::content_type) {
            out["content_type"] = Value::String(ct.to_string());
        }
        if !body.is_null() {
            out["body"] = body;
        }
        out
    }
}

/// Credentials for a service.
#[derive(Debug, Clone, PartialEq)]
pub enum Auth {
    None,
    Bearer(String),
    Basic { user: String, password: String },
}

pub fn basic_auth(user: &str, password: &str) -> String {
    use base64::Engine;
    let raw = format!("{user}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

fn redact_header(name: &str, value: &str, secrets: &Secrets) -> String {
    if SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        return match value.split_once(' ') {
            Some((scheme, _)) if ["Bearer", "Basic", "token"].contains(&scheme) => {
                format!("{scheme} ***")
            }
            _ => "***".to_string(),
        };
    }
    secrets.scrub(value)
}

/// Every string in `v` scrubbed.
pub fn scrub_json(v: &Value, secrets: &Secrets) -> Value {
    match v {
        Value::String(s) => Value::String(secrets.scrub(s)),
        Value::Array(items) => Value::Array(items.iter().map(|i| scrub_json(i, secrets)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (secrets.scrub(k), scrub_json(v, secrets)))
                .collect(),
        ),
        other => other.clone(),
    }
}

pub fn form_encode(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`).
const NOT_UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// RFC 3986 unreserved characters stay; everything else is `%XX`.
pub fn percent_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, NOT_UNRESERVED).to_string()
}

/// A URL path segment (a repository name, a model name) made safe.
pub fn segment(text: &str) -> String {
    percent_encode(text)
}

/// A response, body kept as text (bounded).
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why a request produced no usable response.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// Never reached the service (refused, DNS, TLS, connect timeout):
    /// nothing happened there.
    NotSent(String),
    /// Sent, then no answer in time: it may or may not have taken effect.
    NoAnswer(String),
    /// The service answered with an error status (after any retries).
    Status(Response),
    /// Refused before sending (bad URL, plain http to a remote host).
    Invalid(String),
}

/// The result of [`Http::send`], with how many attempts it took.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub result: Result<Response, Failure>,
    pub attempts: u32,
}

/// Retry bounds. Attempts stop at `max_attempts` or when the next wait
/// would pass the deadline (the action's `timeout`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// Connection settings shared by the actions of one service.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpOptions {
    pub connect_timeout: Duration,
    /// Per attempt, and for the whole exchange with its retries.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub allow_insecure_http: bool,
}

impl HttpOptions {
    pub fn new(timeout: Duration, allow_insecure_http: bool) -> HttpOptions {
        HttpOptions {
            connect_timeout: Duration::from_secs(10).min(timeout),
            timeout,
            retry: RetryPolicy::default(),
            allow_insecure_http,
        }
    }
}

/// Whether a status is worth another attempt. GitHub answers its rate
/// limits with 403: the primary one with `x-ratelimit-remaining: 0`, the
/// secondary ones with `retry-after`.
pub fn retryable(status: u16, headers: &[(String, String)]) -> bool {
    matches!(status, 408 | 429 | 500..=599)
        || (status == 403 && (github_limited(headers) || header(headers, "retry-after").is_some()))
}

/// A gateway that passed the request on and then lost the answer (502, 504):
/// the service may have acted on it, so a request that must not run twice
/// is not sent again.
pub fn maybe_delivered(status: u16) -> bool {
    matches!(status, 502 | 504)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// GitHub's primary rate limit: `x-ratelimit-remaining: 0`.
fn github_limited(headers: &[(String, String)]) -> bool {
    header(headers, "x-ratelimit-remaining") == Some("0")
}

/// The wait the service asked for: `Retry-After` (seconds or an HTTP date),
/// else GitHub's `x-ratelimit-reset` (epoch seconds) when the limit is used
/// up.
pub fn server_wait(headers: &[(String, String)], now: DateTime<Utc>) -> Option<Duration> {
    if let Some(value) = header(headers, "retry-after") {
        if let Ok(secs) = value.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(at) = DateTime::parse_from_rfc2822(value) {
            let wait = at.with_timezone(&Utc) - now;
            return Some(wait.to_std().unwrap_or(Duration::ZERO));
        }
    }
    if github_limited(headers) {
        if let Some(reset) =
            header(headers, "x-ratelimit-reset").and_then(|v| v.parse::<i64>().ok())
        {
            let wait = reset - now.timestamp();
            return Some(Duration::from_secs(wait.max(0) as u64 + 1));
        }
    }
    None
}

/// Exponential backoff with "equal jitter": half the step fixed, half
/// random (`unit` in [0, 1)), so retries of many runs spread out.
pub fn backoff(policy: &RetryPolicy, attempt: u32, unit: f64) -> Duration {
    let step = policy
        .base_delay
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
        .min(policy.max_delay);
    step.mul_f64(0.5 + 0.5 * unit.clamp(0.0, 1.0))
}

/// Refuses plain http to anything but loopback unless allowed.
pub fn check_url(url: &str, allow_insecure_http: bool) -> Result<reqwest::Url, String> {
    let parsed =
        reqwest::Url::parse(url).map_err(|e| format!("`{url}` is not a valid URL: {e}"))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if allow_insecure_http || is_loopback(&parsed) => Ok(parsed),
        "http" => Err(format!(
            "`{url}` uses plain http to a remote host; use https, or set `allow_insecure_http: true` on the action"
        )),
        other => Err(format!("`{url}`: unsupported scheme `{other}` (use https)")),
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or("");
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A client plus the runtime it runs on. One per action run: every request
/// it sends, retries included, shares one deadline (`options.timeout` from
/// its creation).
pub struct Http {
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
    options: HttpOptions,
    deadline: Instant,
}

impl Http {
    pub fn new(options: HttpOptions) -> Result<Http, String> {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            // Never follow redirects: a POST would become a GET (an SSO
            // login page answering 200 is not "triggered"), and headers such
            // as PRIVATE-TOKEN would follow to another host. A 3xx is a
            // failure naming where it pointed.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the HTTP runtime: {e}"))?;
        Ok(Http {
            client,
            runtime,
            deadline: Instant::now() + options.timeout,
            options,
        })
    }

    /// Sends `req`, retrying what may be retried, within the options'
    /// attempt and time bounds.
    pub fn send(&self, req: &Request) -> Exchange {
        let url = match check_url(&req.url, self.options.allow_insecure_http) {
            Ok(url) => url,
            Err(e) => {
                return Exchange {
                    result: Err(Failure::Invalid(e)),
                    attempts: 0,
                }
            }
        };
        let mut attempt = 0;
        loop {
            let remaining = self.deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                let spent = format!(
                    "the action's timeout ({}s) was used up before this request",
                    self.options.timeout.as_secs()
                );
                return Exchange {
                    result: Err(Failure::NotSent(spent)),
                    attempts: attempt,
                };
            }
            attempt += 1;
            // One attempt gets at most a third of the whole (at least 1 s),
            // so a hung connection leaves time to retry or look around.
            let per_attempt = remaining.min(
                self.options
                    .timeout
                    .div_f64(3.0)
                    .max(Duration::from_secs(1)),
            );
            let result = self
                .runtime
                .block_on(self.once(req, url.clone(), per_attempt));
            let wait_hint = match &result {
                Ok(resp) if req.repeat == Repeat::Once && maybe_delivered(resp.status) => {
                    return done(result, attempt)
                }
                Ok(resp) if retryable(resp.status, &resp.headers) => {
                    server_wait(&resp.headers, Utc::now())
                }
                Ok(_) => return done(result, attempt),
                Err(Failure::NotSent(_)) => None,
                Err(Failure::NoAnswer(_)) if req.repeat == Repeat::Safe => None,
                Err(_) => return done(result, attempt),
            };
            if attempt >= self.options.retry.max_attempts {
                return done(result, attempt);
            }
            let wait = wait_hint.unwrap_or_else(|| backoff(&self.options.retry, attempt, jitter()));
            // A wait that runs past the deadline is not worth starting.
            if Instant::now() + wait >= self.deadline {
                return done(result, attempt);
            }
            std::thread::sleep(wait);
        }
    }

    async fn once(
        &self,
        req: &Request,
        url: reqwest::Url,
        timeout: Duration,
    ) -> Result<Response, Failure> {
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|e| Failure::Invalid(format!("bad method `{}`: {e}", req.method)))?;
        let mut builder = self.client.request(method, url).timeout(timeout);
        for (name, value) in &req.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Some(body) = &req.body {
            builder = builder
                .header("Content-Type", body.content_type())
                .body(body.bytes());
        }
        let resp = builder.send().await.map_err(classify)?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = match resp.bytes().await {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => return Err(classify(e)),
        };
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

fn done(result: Result<Response, Failure>, attempts: u32) -> Exchange {
    let result = match result {
        Ok(resp) if !resp.ok() => Err(Failure::Status(resp)),
        other => other,
    };
    Exchange { result, attempts }
}

/// A connect failure never reached the service; anything later may have.
fn classify(e: reqwest::Error) -> Failure {
    let (connect, builder, timeout) = (e.is_connect(), e.is_builder(), e.is_timeout());
    // Without the URL: its query may carry a token.
    let text = error_chain(&e.without_url());
    if connect || builder {
        Failure::NotSent(text)
    } else if timeout {
        Failure::NoAnswer(format!("no answer in time ({text})"))
    } else {
        Failure::NoAnswer(text)
    }
}

/// The error with its causes, each once.
fn error_chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

/// A random number in [0, 1) for jitter (not for anything secret).
fn jitter() -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut x = u64::from(nanos) ^ 0x9E37_79B9_7F4A_7C15 ^ u64::from(std::process::id());
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// A JSON error value as one line: strings as they are, lists joined with
/// `; `, GitLab's `{"base": ["..."]}` as `base: ...`, FastAPI's (Airflow 3)
/// `[{"loc": [..], "msg": ".."}]` as `loc.path: msg`.
fn message_text(v: &Value) -> Option<String> {
    let text = match v {
        Value::Null => return None,
        Value::String(s) => s.trim().to_string(),
        Value::Array(items) => items
            .iter()
            .filter_map(message_text)
            .collect::<Vec<_>>()
            .join("; "),
        Value::Object(map) => {
            if let Some(msg) = map.get("msg").and_then(message_text) {
                let loc: Vec<String> = map
                    .get("loc")
                    .and_then(Value::as_array)
                    .map(|l| {
                        l.iter()
                            .map(|p| {
                                p.as_str()
                                    .map(str::to_string)
                                    .unwrap_or_else(|| p.to_string())
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                if loc.is_empty() {
                    msg
                } else {
                    format!("{}: {msg}", loc.join("."))
                }
            } else if let Some(msg) = map.get("message").and_then(message_text) {
                msg
            } else {
                map.iter()
                    .filter_map(|(k, v)| message_text(v).map(|t| format!("{k}: {t}")))
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        }
        other => other.to_string(),
    };
    (!text.is_empty()).then_some(text)
}

/// The service's own words from an error body: MLflow `error_code` +
/// `message`, GitHub/GitLab `message`, Airflow `detail`/`title`, Argo
/// `message`, PagerDuty `errors`, else the start of the text.
pub fn service_message(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        let field = |k: &str| v.get(k).and_then(message_text);
        let mut parts: Vec<String> = Vec::new();
        if let Some(code) = field("error_code") {
            parts.push(code);
        }
        for k in [
            "message",
            "detail",
            "title",
            "error",
            "error_description",
            "errors",
        ] {
            if let Some(text) = field(k) {
                if !parts.contains(&text) {
                    parts.push(text);
                }
                if parts.len() >= 2 {
                    break;
                }
            }
        }
        if !parts.is_empty() {
            return clip(&parts.join(": "), 300);
        }
    }
    let text = strip_tags(body);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    clip(&text, 300)
}

fn strip_tags(body: &str) -> String {
    if !body.trim_start().starts_with('<') {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    let mut in_tag = false;
    for ch in body.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(ch),
            _ => {}
        }
    }
    out
}

/// At most `max` characters, the last one `…` when cut (services count
/// characters against their limits, Slack's 150 and 3000 among them).
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// One line for a failed exchange: `service` status and the service's own
/// message, scrubbed.
pub fn failure_text(service: &str, failure: &Failure, secrets: &Secrets) -> String {
    let text = match failure {
        Failure::NotSent(e) => format!("{service} unreachable: {e}"),
        Failure::NoAnswer(e) => format!("{service} did not answer: {e}"),
        Failure::Invalid(e) => e.clone(),
        Failure::Status(resp) if (300..400).contains(&resp.status) => format!(
            "{service} answered {} (redirects are not followed; point the action at {})",
            status_text(resp.status),
            resp.header("location")
                .map(|l| format!("the final URL, `{l}`"))
                .unwrap_or_else(|| "the final URL".to_string())
        ),
        Failure::Status(resp) => {
            // Scrubbed before the message is picked out and cut short: the
            // cut, or squeezing spaces, could leave part of a secret that
            // no longer matches.
            let msg = service_message(&secrets.scrub(&resp.body));
            if msg.is_empty() {
                format!("{service} answered {}", status_text(resp.status))
            } else {
                format!("{service} answered {}: {msg}", status_text(resp.status))
            }
        }
    };
    secrets.scrub(&text)
}

pub fn status_text(status: u16) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    format!("{status} {reason}").trim_end().to_string()
}

/// The facts of an exchange for an outcome's `detail`, scrubbed.
pub fn exchange_detail(ex: &Exchange, secrets: &Secrets) -> Value {
    let mut d = json!({ "attempts": ex.attempts });
    match &ex.result {
        Ok(resp) | Err(Failure::Status(resp)) => {
            d["status"] = json!(resp.status);
            if !resp.body.is_empty() {
                d["response"] = Value::String(clip(&secrets.scrub(&resp.body), BODY_KEEP));
            }
        }
        Err(Failure::NotSent(e)) | Err(Failure::NoAnswer(e)) | Err(Failure::Invalid(e)) => {
            d["error"] = Value::String(secrets.scrub(e));
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn service_messages_read_each_services_error_shape() {
        let cases = [
            // MLflow
            (
                r#"{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Registered Model with name=x not found"}"#,
                "RESOURCE_DOES_NOT_EXIST: Registered Model with name=x not found",
            ),
            // GitHub
            (
                r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}"#,
                "Bad credentials",
            ),
            // GitLab: a string, or errors by field
            (r#"{"message":"404 Project Not Found"}"#, "404 Project Not Found"),
            (
                r#"{"message":{"base":["Reference not found"],"ref":["is bad","is old"]}}"#,
                "base: Reference not found; ref: is bad; is old",
            ),
            // Airflow 3 (FastAPI): a string, or validation errors
            (
                r#"{"detail":"DAG with dag_id: 'x' not found"}"#,
                "DAG with dag_id: 'x' not found",
            ),
            (
                r#"{"detail":[{"type":"missing","loc":["body","logical_date"],"msg":"Field required"}]}"#,
                "body.logical_date: Field required",
            ),
            // Airflow 2 (connexion): title + detail
            (
                r#"{"title":"DAG not found","detail":"DAG with dag_id: 'x' not found","status":404}"#,
                "DAG with dag_id: 'x' not found: DAG not found",
            ),
            // PagerDuty
            (
                r#"{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect"]}"#,
                "Event object is invalid: Length of 'routing_key' is incorrect",
            ),
            (r#"{"errors":["a","b"]}"#, "a; b"),
            // Jenkins: an HTML page
            (
                "<html><head><title>Error 403</title></head><body><h2>HTTP ERROR 403 No valid crumb</h2></body></html>",
                "Error 403 HTTP ERROR 403 No valid crumb",
            ),
            ("plain   text\nanswer", "plain text answer"),
            ("", ""),
        ];
        for (body, want) in cases {
            assert_eq!(service_message(body), want, "{body}");
        }
        assert_eq!(service_message(&"x".repeat(1000)).chars().count(), 300);
    }

    #[test]
    fn retries_on_transient_statuses_and_github_rate_limits_only() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(retryable(s, &[]), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 422] {
            assert!(!retryable(s, &[]), "{s}");
        }
        let limited = headers(&[("X-RateLimit-Remaining", "0")]);
        assert!(retryable(403, &limited));
        // GitHub's secondary rate limits: 403 with Retry-After.
        assert!(retryable(403, &headers(&[("Retry-After", "60")])));
        assert!(maybe_delivered(502) && maybe_delivered(504));
        assert!(!maybe_delivered(500) && !maybe_delivered(503));
    }

    #[test]
    fn waits_as_the_server_asks() {
        let now = DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            server_wait(&headers(&[("Retry-After", "7")]), now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            server_wait(
                &headers(&[("retry-after", "Sun, 22 Nov 2026 10:00:30 GMT")]),
                now
            ),
            Some(Duration::from_secs(30))
        );
        // A date in the past: no wait.
        assert_eq!(
            server_wait(
                &headers(&[("Retry-After", "Sun, 22 Nov 2026 09:00:00 GMT")]),
                now
            ),
            Some(Duration::ZERO)
        );
        let reset = (now.timestamp() + 42).to_string();
        assert_eq!(
            server_wait(
                &headers(&[
                    ("x-ratelimit-remaining", "0"),
                    ("x-ratelimit-reset", &reset)
                ]),
                now
            ),
            Some(Duration::from_secs(43))
        );
        // Reset without the limit being used up: not a reason to wait.
        assert_eq!(
            server_wait(
                &headers(&[
                    ("x-ratelimit-remaining", "10"),
                    ("x-ratelimit-reset", &reset)
                ]),
                now
            ),
            None
        );
    }

    #[test]
    fn backoff_doubles_with_equal_jitter_up_to_the_cap() {
        let p = RetryPolicy::default();
        let ms = |attempt, unit| backoff(&p, attempt, unit).as_millis();
        assert_eq!((ms(1, 0.0), ms(1, 1.0)), (250, 500));
        assert_eq!((ms(2, 0.0), ms(2, 1.0)), (500, 1000));
        assert_eq!((ms(3, 0.5), ms(3, 1.0)), (1500, 2000));
        assert_eq!(ms(40, 1.0), 30_000, "capped at max_delay");
        assert_eq!(ms(40, 0.0), 15_000);
    }

    #[test]
    fn plain_http_only_to_loopback_unless_allowed() {
        assert!(check_url("https://api.github.com/x", false).is_ok());
        for local in [
            "http://127.0.0.1:5000",
            "http://localhost:8080/x",
            "http://[::1]:9091",
        ] {
            assert!(check_url(local, false).is_ok(), "{local}");
        }
        let e = check_url("http://mlflow.internal:5000", false).unwrap_err();
        assert!(e.contains("allow_insecure_http"), "{e}");
        assert!(check_url("http://mlflow.internal:5000", true).is_ok());
        assert!(check_url("ftp://x", true)
            .unwrap_err()
            .contains("unsupported scheme"));
        assert!(check_url("not a url", false)
            .unwrap_err()
            .contains("not a valid URL"));
    }

    #[test]
    fn described_requests_hide_credentials() {
        let mut secrets = Secrets::default();
        secrets.add("s3cret-token");
        let req = Request::post("https://example.com/hook?key=s3cret-token")
            .auth(&Auth::Bearer("s3cret-token".into()))
            .header("PRIVATE-TOKEN", "glpat-x")
            .header("X-Note", "uses s3cret-token")
            .json(json!({"token": "s3cret-token", "n": 1}));
        let d = req.describe(&secrets);
        let text = d.to_string();
        assert!(
            !text.contains("s3cret-token") && !text.contains("glpat-x"),
            "{text}"
        );
        assert_eq!(d["headers"]["Authorization"], "Bearer ***");
        assert_eq!(d["headers"]["PRIVATE-TOKEN"], "***");
        assert_eq!(d["body"]["n"], 1);
        assert_eq!(d["content_type"], "application/json");
        let basic = Request::get("https://x").auth(&Auth::Basic {
            user: "u".into(),
            password: "p".into(),
        });
        assert_eq!(
            basic.describe(&secrets)["headers"]["Authorization"],
            "Basic ***"
        );
    }

    #[test]
    fn percent_encoding_keeps_only_unreserved_characters() {
        let all: String = (0u8..128).map(char::from).collect::<String>() + "é€😀";
        let expected: String = all
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        assert_eq!(percent_encode(&all), expected);
        assert_eq!(segment("fraud model/v2"), "fraud%20model%2Fv2");
    }

    #[test]
    fn form_encoding_is_rfc3986() {
        let pairs = vec![
            ("variables[A B]".to_string(), "x/y&z=é".to_string()),
            ("ref".to_string(), "main".to_string()),
        ];
        assert_eq!(
            form_encode(&pairs),
            "variables%5BA%20B%5D=x%2Fy%26z%3D%C3%A9&ref=main"
        );
    }
}
