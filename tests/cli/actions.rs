//! The HTTP actions driven end to end through `driftmend run`: GitHub,
//! GitLab, Jenkins, Airflow, Argo, Slack, PagerDuty and webhooks against a
//! local mock server (wiremock) that records the exact requests; MLflow
//! against the real server `scripts/test` starts (`DRIFTMEND_TEST_MLFLOW_URI`).
//!
//! Each test checks what was sent (method, path, headers, body, signature),
//! the exit code, `state.json` and the audit log, and that no secret shows
//! up in the output, the state or the audit log.

use std::net::TcpListener;
use std::time::Duration;

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::service;

const GH_TOKEN: &str = "ghp_SECRETtoken1234567890";

/// A mock server with the runtime it lives on; tests are plain `#[test]`s
/// that run the binary as a child process.
struct Mocks {
    rt: tokio::runtime::Runtime,
    server: MockServer,
}

impl Mocks {
    fn start() -> Mocks {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = rt.block_on(MockServer::start());
        Mocks { rt, server }
    }

    fn uri(&self) -> String {
        self.server.uri()
    }

    fn mount(&self, mock: Mock) {
        self.rt.block_on(mock.mount(&self.server));
    }

    /// Answers `verb path` with `response`, every time.
    fn answer(&self, verb: &str, at: &str, response: ResponseTemplate) {
        self.mount(
            Mock::given(method(verb))
                .and(path(at))
                .respond_with(response),
        );
    }

    /// Answers `verb path` with `response` once; later requests fall
    /// through to the mocks mounted after it.
    fn answer_once(&self, verb: &str, at: &str, response: ResponseTemplate) {
        self.mount(
            Mock::given(method(verb))
                .and(path(at))
                .respond_with(response)
                .up_to_n_times(1),
        );
    }

    fn reset(&self) {
        self.rt.block_on(self.server.reset());
    }

    fn received(&self) -> Vec<wiremock::Request> {
        self.rt
            .block_on(self.server.received_requests())
            .unwrap_or_default()
    }
}

fn header<'a>(r: &'a wiremock::Request, name: &str) -> &'a str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no `{name}` header in {} {}", r.method, r.url))
}

fn body_json(r: &wiremock::Request) -> Value {
    serde_json::from_slice(&r.body)
        .unwrap_or_else(|e| panic!("{} {}: body is not JSON ({e})", r.method, r.url))
}

/// `s.run` with extra environment variables.
fn run_env(s: &Sandbox, hour: i64, extra: &[&str], env: &[(&str, &str)], want: i32) -> Output {
    let now = at(hour);
    let mut args = vec!["run", "--policy", "policy.yaml", "--now", &now];
    args.extend_from_slice(extra);
    let mut c = s.command(&args);
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().expect("run driftmend");
    assert_eq!(
        code(&o),
        want,
        "run at {}:\nstdout: {}\nstderr: {}",
        at(hour),
        stdout(&o),
        stderr(&o)
    );
    o
}

/// Asserts `secret` is nowhere: output, state, audit log.
fn assert_hidden(s: &Sandbox, outputs: &[&Output], secret: &str) {
    for o in outputs {
        assert!(!stdout(o).contains(secret), "secret in stdout");
        assert!(!stderr(o).contains(secret), "secret in stderr");
    }
    if s.state_path().exists() {
        let state = fs::read_to_string(s.state_path()).unwrap();
        assert!(!state.contains(secret), "secret in state.json");
    }
    let audit = fs::read_to_string(s.audit_path()).unwrap_or_default();
    assert!(!audit.contains(secret), "secret in the audit log");
}

/// The outcome of the one action record of `action` at `hour`.
fn outcome(s: &Sandbox, hour: i64, action: &str) -> Value {
    let records: Vec<Value> = s
        .audit_of("action", hour)
        .into_iter()
        .filter(|r| r["action"] == action)
        .collect();
    assert_eq!(records.len(), 1, "one `{action}` record: {records:?}");
    records[0]["outcome"].clone()
}

fn run_id(s: &Sandbox, hour: i64) -> String {
    let runs = s.audit_of("run", hour);
    runs[0]["run_id"].as_str().unwrap().to_string()
}

/// A GitHub `workflow_dispatch` policy against `api`.
fn github_policy(s: &Sandbox, api: &str, extra: &str) {
    s.policy(
        DRIFTED,
        &format!(
            "guardrails: {{mode: auto}}
rules:
  - name: drift
    when: \"dataset.drift_detected\"
    actions: [retrain]
actions:
  retrain:
    type: github_workflow
    api_url: {api}
    repo: acme/fraud-model
    workflow: retrain.yml
    ref: main
    token: \"{{{{ env.GH_TOKEN }}}}\"
    inputs: {{ reason: \"{{{{ rule.name }}}}\", run: \"{{{{ run.id }}}}\" }}
{extra}"
        ),
    );
}

const DISPATCH: &str = "/repos/acme/fraud-model/actions/workflows/retrain.yml/dispatches";

#[test]
fn github_workflow_dispatch_is_exact_and_retries_429_and_500() {
    let m = Mocks::start();
    m.answer_once(
        "POST",
        DISPATCH,
        ResponseTemplate::new(429)
            .insert_header("Retry-After", "3")
            .set_body_json(json!({"message": "You have exceeded a secondary rate limit"})),
    );
    m.answer_once("POST", DISPATCH, ResponseTemplate::new(500));
    m.answer("POST", DISPATCH, ResponseTemplate::new(204));
    let s = Sandbox::new();
    github_policy(&s, &m.uri(), "");
    let started = Instant::now();
    let o = run_env(&s, 0, &[], &[("GH_TOKEN", GH_TOKEN)], 1);
    // Backoff alone would have waited at most 1.5 s.
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "Retry-After: 3 was honoured"
    );

    let got = m.received();
    assert_eq!(got.len(), 3, "429, 500, then 204");
    let id = run_id(&s, 0);
    for r in &got {
        assert_eq!(r.method.as_str(), "POST");
        assert_eq!(r.url.path(), DISPATCH);
        assert_eq!(header(r, "authorization"), format!("Bearer {GH_TOKEN}"));
        assert_eq!(header(r, "accept"), "application/vnd.github+json");
        assert_eq!(header(r, "x-github-api-version"), "2022-11-28");
        assert_eq!(header(r, "content-type"), "application/json");
        assert!(header(r, "user-agent").starts_with("driftmend/"));
        // Not api.github.com: no `return_run_details` (GHES may reject it).
        assert_eq!(
            body_json(r),
            json!({"ref": "main", "inputs": {"reason": "drift", "run": id}})
        );
    }
    let out = outcome(&s, 0, "retrain");
    assert_eq!(out["status"], "succeeded", "{out}");
    assert_eq!(out["detail"]["attempts"], 3, "{out}");
    assert_eq!(out["detail"]["status"], 204, "{out}");
    assert!(stdout(&o).contains("ran: succeeded (workflow dispatched (204 No Content))"));
    let state = s.state();
    assert_eq!(state["actions"]["retrain"]["last_status"], "succeeded");
    assert_eq!(state["actions"]["retrain"]["consecutive_failures"], 0);
    assert_hidden(&s, &[&o], GH_TOKEN);
}

#[test]
fn github_answers_with_run_details_when_asked() {
    let m = Mocks::start();
    m.answer(
        "POST",
        DISPATCH,
        ResponseTemplate::new(200).set_body_json(json!({
            "workflow_run_id": 987654,
            "run_url": "https://api.github.com/repos/acme/fraud-model/actions/runs/987654",
            "html_url": "https://github.com/acme/fraud-model/actions/runs/987654"
        })),
    );
    let s = Sandbox::new();
    github_policy(&s, &m.uri(), "");
    let o = run_env(&s, 0, &[], &[("GH_TOKEN", GH_TOKEN)], 1);
    let out = outcome(&s, 0, "retrain");
    assert_eq!(out["detail"]["workflow_run_id"], 987654);
    assert!(
        stdout(&o).contains(
            "workflow run 987654 started https://github.com/acme/fraud-model/actions/runs/987654"
        ),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_timed_out_trigger_is_outcome_unknown_and_not_repeated_until_acked() {
    let m = Mocks::start();
    m.answer(
        "POST",
        DISPATCH,
        ResponseTemplate::new(204).set_delay(Duration::from_secs(4)),
    );
    let s = Sandbox::new();
    github_policy(&s, &m.uri(), "    timeout: 1s\n");
    let env = [("GH_TOKEN", GH_TOKEN)];

    // Sent, no answer within the timeout: not re-sent, recorded as unknown.
    let o = run_env(&s, 0, &[], &env, 3);
    assert!(
        stdout(&o).contains("ran: outcome unknown (GitHub did not answer"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        m.received().len(),
        1,
        "a trigger without an idempotency handle is sent once"
    );
    let out = outcome(&s, 0, "retrain");
    assert_eq!(out["status"], "unknown", "{out}");
    assert!(out["message"].as_str().unwrap().contains("not re-sent"));
    assert_eq!(s.state()["actions"]["retrain"]["last_status"], "unknown");

    // The next run does not fire it again: blocked until a person checks.
    let o = run_env(&s, 1, &[], &env, 1);
    assert!(
        stdout(&o).contains("driftmend ack retrain --succeeded"),
        "{}",
        stdout(&o)
    );
    let d = s.audit_of("decision", 1);
    assert_eq!(d[0]["verdict"], "blocked");
    assert_eq!(d[0]["guardrail"], "outcome_unknown");
    assert_eq!(m.received().len(), 1, "not sent again");

    // `ack --failed`: it did not happen; counts as a failure, unblocks.
    let o = s.driftmend(&[
        "ack",
        "retrain",
        "--failed",
        "--policy",
        "policy.yaml",
        "--reason",
        "no run in GitHub",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let acks: Vec<Value> = s
        .audit()
        .into_iter()
        .filter(|r| r["kind"] == "ack")
        .collect();
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0]["action"], "retrain");
    assert_eq!(acks[0]["result"], "failed");
    assert_eq!(acks[0]["reason"], "no run in GitHub");
    let st = &s.state()["actions"]["retrain"];
    assert_eq!(st["last_status"], "failed");
    assert_eq!(st["consecutive_failures"], 1);

    // Runs again, and GitHub answers this time.
    m.reset();
    m.answer("POST", DISPATCH, ResponseTemplate::new(204));
    run_env(&s, 2, &[], &env, 1);
    assert_eq!(outcome(&s, 2, "retrain")["status"], "succeeded");
    assert_eq!(m.received().len(), 1);
    assert_hidden(&s, &[&o], GH_TOKEN);

    // Nothing to acknowledge now.
    let o = s.driftmend(&["ack", "retrain", "--succeeded", "--policy", "policy.yaml"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("retrain"), "{}", stderr(&o));
}

#[test]
fn connection_refused_fails_after_bounded_retries() {
    // A port nobody listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let s = Sandbox::new();
    github_policy(
        &s,
        &format!("http://127.0.0.1:{port}"),
        "    max_attempts: 2\n",
    );
    let o = run_env(&s, 0, &[], &[("GH_TOKEN", GH_TOKEN)], 3);
    let out = outcome(&s, 0, "retrain");
    assert_eq!(out["status"], "failed", "nothing was sent: a plain failure");
    assert_eq!(out["detail"]["attempts"], 2, "{out}");
    let msg = out["message"].as_str().unwrap();
    assert!(msg.starts_with("GitHub unreachable"), "{msg}");
    assert!(
        stdout(&o).contains("ran: FAILED (GitHub unreachable"),
        "{}",
        stdout(&o)
    );
    let st = &s.state()["actions"]["retrain"];
    assert_eq!(st["last_status"], "failed");
    assert_eq!(st["consecutive_failures"], 1);
    assert_hidden(&s, &[&o], GH_TOKEN);
}

#[test]
fn client_errors_carry_the_services_message_and_are_not_retried() {
    let cases = [
        (401, "Bad credentials"),
        (403, "Resource not accessible by personal access token"),
        (404, "Not Found"),
        (422, "Unexpected inputs provided: [\"run\"]"),
    ];
    let m = Mocks::start();
    let s = Sandbox::new();
    github_policy(&s, &m.uri(), "");
    let mut outputs = Vec::new();
    for (hour, (status, message)) in cases.iter().enumerate() {
        let hour = hour as i64;
        m.reset();
        m.answer(
            "POST",
            DISPATCH,
            ResponseTemplate::new(*status).set_body_json(json!({
                "message": message,
                "documentation_url": "https://docs.github.com/rest"
            })),
        );
        let o = run_env(&s, hour, &[], &[("GH_TOKEN", GH_TOKEN)], 3);
        assert_eq!(m.received().len(), 1, "{status} is not retried");
        let out = outcome(&s, hour, "retrain");
        assert_eq!(out["status"], "failed");
        assert_eq!(out["detail"]["status"], *status);
        let msg = out["message"].as_str().unwrap();
        assert!(
            msg.starts_with(&format!("GitHub answered {status} ")) && msg.ends_with(message),
            "{msg}"
        );
        assert!(stdout(&o).contains(message), "{}", stdout(&o));
        outputs.push(o);
    }
    assert_eq!(s.state()["actions"]["retrain"]["consecutive_failures"], 4);
    let refs: Vec<&Output> = outputs.iter().collect();
    assert_hidden(&s, &refs, GH_TOKEN);
}

#[test]
fn dry_run_prints_method_url_redacted_headers_and_body_and_sends_nothing() {
    let m = Mocks::start();
    let s = Sandbox::new();
    github_policy(&s, &m.uri(), "");
    let o = run_env(&s, 0, &["--dry-run"], &[("GH_TOKEN", GH_TOKEN)], 1);
    let out = stdout(&o);
    assert!(
        out.contains(&format!("POST {}{DISPATCH}", m.uri())),
        "{out}"
    );
    assert!(out.contains("Authorization: Bearer ***"), "{out}");
    assert!(out.contains("X-GitHub-Api-Version: 2022-11-28"), "{out}");
    assert!(out.contains("Content-Type: application/json"), "{out}");
    assert!(
        out.contains("{\"inputs\":{\"reason\":\"drift\",\"run\":\""),
        "{out}"
    );
    assert!(m.received().is_empty(), "a dry run sends nothing");
    assert!(!s.state_path().exists(), "and saves no real state");
    // The shadow audit record carries the same request, redacted.
    let d = s.shadow_audit_of("decision", 0);
    let req = &d[0]["request"]["requests"][0];
    assert_eq!(req["method"], "POST");
    assert_eq!(req["headers"]["Authorization"], "Bearer ***");
    assert_eq!(req["body"]["ref"], "main");
    assert_hidden(&s, &[&o], GH_TOKEN);
}

/// A policy whose drift rule runs `actions` (YAML mapping text).
fn act_policy(s: &Sandbox, current: &str, rule_actions: &str, actions: &str) {
    s.policy(
        current,
        &format!(
            "guardrails: {{mode: auto}}
rules:
  - name: drift
    when: \"dataset.drift_detected\"
    actions: [{rule_actions}]
actions:
{actions}"
        ),
    );
}

#[test]
fn github_repository_dispatch_sends_event_type_and_payload() {
    let m = Mocks::start();
    m.answer(
        "POST",
        "/repos/acme/fraud-model/dispatches",
        ResponseTemplate::new(204),
    );
    let s = Sandbox::new();
    act_policy(
        &s,
        DRIFTED,
        "retrain",
        &format!(
            "  retrain:
    type: github_dispatch
    api_url: {}
    repo: acme/fraud-model
    event_type: retrain-fraud
    token: \"{{{{ env.GH_TOKEN }}}}\"
    client_payload: {{ incident: \"{{{{ incident.type }}}}\" }}
",
            m.uri()
        ),
    );
    run_env(&s, 0, &[], &[("GH_TOKEN", GH_TOKEN)], 1);
    let got = m.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        header(&got[0], "authorization"),
        format!("Bearer {GH_TOKEN}")
    );
    assert_eq!(
        body_json(&got[0]),
        json!({"event_type": "retrain-fraud", "client_payload": {"incident": "covariate_drift"}})
    );
    assert_eq!(outcome(&s, 0, "retrain")["status"], "succeeded");
}

#[test]
fn gitlab_pipeline_by_trigger_token_and_by_access_token() {
    let m = Mocks::start();
    m.answer(
        "POST",
        "/api/v4/projects/acme%2Ffraud/trigger/pipeline",
        ResponseTemplate::new(201).set_body_json(json!({
            "id": 4242, "status": "created",
            "web_url": "https://gitlab.example/acme/fraud/-/pipelines/4242"
        })),
    );
    m.answer(
        "POST",
        "/api/v4/projects/17/pipeline",
        ResponseTemplate::new(400).set_body_json(json!({
            "message": {"base": ["Reference not found"]}
        })),
    );
    let s = Sandbox::new();
    act_policy(
        &s,
        DRIFTED,
        "retrain, retrain_api",
        &format!(
            "  retrain:
    type: gitlab_pipeline
    api_url: {uri}/api/v4
    project: acme/fraud
    ref: main
    trigger_token: \"{{{{ env.GL_TRIGGER }}}}\"
    variables: {{ REASON: \"{{{{ rule.name }}}}\", SHARE: \"{{{{ dataset.drift_share }}}}\" }}
  retrain_api:
    type: gitlab_pipeline
    api_url: {uri}/api/v4
    project: \"17\"
    ref: nope
    token: \"{{{{ env.GL_TOKEN }}}}\"
    variables: {{ REASON: \"{{{{ rule.name }}}}\" }}
",
            uri = m.uri()
        ),
    );
    let env = [
        ("GL_TRIGGER", "glptt-TRIGGERsecret"),
        ("GL_TOKEN", "glpat-ACCESSsecret"),
    ];
    let o = run_env(&s, 0, &[], &env, 3);
    let got = m.received();
    assert_eq!(got.len(), 2);
    let trigger = &got[0];
    assert_eq!(
        header(trigger, "content-type"),
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        String::from_utf8_lossy(&trigger.body),
        "token=glptt-TRIGGERsecret&ref=main&variables%5BREASON%5D=drift&variables%5BSHARE%5D=0.7"
    );
    let out = outcome(&s, 0, "retrain");
    assert_eq!(out["status"], "succeeded");
    assert_eq!(out["detail"]["pipeline_id"], 4242);
    assert!(out["message"]
        .as_str()
        .unwrap()
        .contains("pipeline 4242 created"));

    let api = &got[1];
    assert_eq!(header(api, "private-token"), "glpat-ACCESSsecret");
    assert_eq!(
        body_json(api),
        json!({"ref": "nope", "variables": [{"key": "REASON", "value": "drift", "variable_type": "env_var"}]})
    );
    let out = outcome(&s, 0, "retrain_api");
    assert_eq!(out["status"], "failed");
    assert!(
        out["message"]
            .as_str()
            .unwrap()
            .contains("GitLab answered 400 Bad Request: base: Reference not found"),
        "{out}"
    );
    assert_hidden(&s, &[&o], "glptt-TRIGGERsecret");
    assert_hidden(&s, &[&o], "glpat-ACCESSsecret");
}

#[test]
fn jenkins_fetches_a_crumb_on_403_and_reports_the_queue_item() {
    let m = Mocks::start();
    let trigger = "/job/ml/job/retrain-fraud/buildWithParameters";
    m.mount(
        Mock::given(method("POST"))
            .and(path(trigger))
            .and(wiremock::matchers::header("Jenkins-Crumb", "c0ffee"))
            .respond_with(
                ResponseTemplate::new(201)
                    .insert_header("Location", "http://jenkins.example/queue/item/77/"),
            ),
    );
    m.answer("POST", trigger, ResponseTemplate::new(403).set_body_string(
                    "<html><body><h2>HTTP ERROR 403 No valid crumb was included in the request</h2></body></html>",
                ),);
    m.answer(
        "GET",
        "/crumbIssuer/api/json",
        ResponseTemplate::new(200)
            .insert_header("Set-Cookie", "JSESSIONID.abc=node01xyz; Path=/; HttpOnly")
            .set_body_json(json!({
                "_class": "hudson.security.csrf.DefaultCrumbIssuer",
                "crumb": "c0ffee",
                "crumbRequestField": "Jenkins-Crumb"
            })),
    );
    let s = Sandbox::new();
    act_policy(
        &s,
        DRIFTED,
        "retrain",
        &format!(
            "  retrain:
    type: jenkins
    url: {}
    job: ml/retrain-fraud
    user: driftmend-bot
    token: \"{{{{ env.JENKINS_TOKEN }}}}\"
    parameters: {{ REASON: \"{{{{ rule.name }}}}\" }}
",
            m.uri()
        ),
    );
    let o = run_env(&s, 0, &[], &[("JENKINS_TOKEN", "11aaJENKINSsecret")], 1);
    let got = m.received();
    let seen: Vec<String> = got
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    assert_eq!(
        seen,
        [
            format!("POST {trigger}"),
            "GET /crumbIssuer/api/json".to_string(),
            format!("POST {trigger}"),
        ]
    );
    use base64::Engine;
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("driftmend-bot:11aaJENKINSsecret")
    );
    for r in &got {
        assert_eq!(header(r, "authorization"), basic);
    }
    assert_eq!(header(&got[2], "cookie"), "JSESSIONID.abc=node01xyz");
    assert_eq!(String::from_utf8_lossy(&got[2].body), "REASON=drift");
    let out = outcome(&s, 0, "retrain");
    assert_eq!(out["status"], "succeeded");
    assert_eq!(
        out["detail"]["queue_url"],
        "http://jenkins.example/queue/item/77/"
    );
    assert_eq!(out["detail"]["crumb"], true);
    assert_hidden(&s, &[&o], "11aaJENKINSsecret");
    assert_hidden(&s, &[&o], basic.trim_start_matches("Basic "));
}

#[test]
fn airflow_logs_in_retries_a_5xx_and_takes_409_as_already_triggered() {
    let m = Mocks::start();
    m.answer(
        "POST",
        "/auth/token",
        ResponseTemplate::new(201)
            .set_body_json(json!({"access_token": "eyJ.JWTsecret.sig", "token_type": "bearer"})),
    );
    let runs = "/api/v2/dags/retrain_fraud/dagRuns";
    m.answer_once("POST", runs, ResponseTemplate::new(503));
    m.answer(
        "POST",
        runs,
        ResponseTemplate::new(409).set_body_json(json!({
            "detail": "DAG Run with dag_run_id already exists"
        })),
    );
    let s = Sandbox::new();
    act_policy(
        &s,
        DRIFTED,
        "retrain",
        &format!(
            "  retrain:
    type: airflow
    api_url: {}
    dag_id: retrain_fraud
    username: driftmend
    password: \"{{{{ env.AIRFLOW_PASSWORD }}}}\"
    conf: {{ reason: \"{{{{ rule.name }}}}\", incident: \"{{{{ incident.type }}}}\" }}
    note: \"{{{{ summary }}}}\"
",
            m.uri()
        ),
    );
    let o = run_env(&s, 0, &[], &[("AIRFLOW_PASSWORD", "af-PASSWORDsecret")], 1);
    let got = m.received();
    let paths: Vec<&str> = got.iter().map(|r| r.url.path()).collect();
    assert_eq!(paths, ["/auth/token", runs, runs]);
    assert_eq!(
        body_json(&got[0]),
        json!({"username": "driftmend", "password": "af-PASSWORDsecret"})
    );
    let id = run_id(&s, 0);
    let first = body_json(&got[1]);
    assert_eq!(first, body_json(&got[2]), "the repeat is the same request");
    let dag_run_id = first["dag_run_id"].as_str().unwrap();
    assert!(
        dag_run_id.starts_with(&format!("driftmend__{id}__")),
        "{dag_run_id}"
    );
    assert!(first["logical_date"].is_null() && first.get("logical_date").is_some());
    assert_eq!(
        first["conf"],
        json!({"reason": "drift", "incident": "covariate_drift"})
    );
    assert!(first["note"].as_str().unwrap().contains("drift"));
    for r in &got[1..] {
        assert_eq!(header(r, "authorization"), "Bearer eyJ.JWTsecret.sig");
    }
    let out = outcome(&s, 0, "retrain");
    assert_eq!(out["status"], "succeeded", "{out}");
    assert_eq!(out["detail"]["already_done"], true);
    assert_eq!(s.state()["actions"]["retrain"]["last_status"], "succeeded");
    assert_hidden(&s, &[&o], "af-PASSWORDsecret");
    assert_hidden(&s, &[&o], "JWTsecret");
}

#[test]
fn argo_submits_the_workflow_template_once_per_decision() {
    let m = Mocks::start();
    m.answer(
        "POST",
        "/api/v1/workflows/ml/submit",
        ResponseTemplate::new(200).set_body_json(json!({
            "metadata": {"name": "retrain-fraud-7c1f", "namespace": "ml"}
        })),
    );
    let s = Sandbox::new();
    act_policy(
        &s,
        DRIFTED,
        "retrain",
        &format!(
            "  retrain:
    type: argo_workflow
    api_url: {}
    namespace: ml
    template: retrain-fraud
    token: \"{{{{ env.ARGO_TOKEN }}}}\"
    parameters: {{ reason: \"{{{{ rule.name }}}}\" }}
",
            m.uri()
        ),
    );
    // As `argo auth token` prints it.
    let o = run_env(&s, 0, &[], &[("ARGO_TOKEN", "Bearer argo-SECRET")], 1);
    let got = m.received();
    assert_eq!(got.len(), 1);
    assert_eq!(header(&got[0], "authorization"), "Bearer argo-SECRET");
    let body = body_json(&got[0]);
    assert_eq!(body["namespace"], "ml");
    assert_eq!(body["resourceKind"], "WorkflowTemplate");
    assert_eq!(body["resourceName"], "retrain-fraud");
    assert_eq!(body["submitOptions"]["parameters"], json!(["reason=drift"]));
    let name = body["submitOptions"]["name"].as_str().unwrap();
    assert!(name.starts_with("retrain-fraud-"), "{name}");
    assert!(body["submitOptions"]["labels"]
        .as_str()
        .unwrap()
        .starts_with("driftmend.io/run-key="));
    let out = outcome(&s, 0, "retrain");
    assert_eq!(out["status"], "succeeded", "{out}");
    assert!(out["message"]
        .as_str()
        .unwrap()
        .contains("retrain-fraud-7c1f"));
    assert_hidden(&s, &[&o], "argo-SECRET");

    // The submit went through but its answer was lost (503): the retry,
    // same workflow name, answers 409, which means done.
    m.reset();
    m.answer_once(
        "POST",
        "/api/v1/workflows/ml/submit",
        ResponseTemplate::new(503),
    );
    m.answer(
        "POST",
        "/api/v1/workflows/ml/submit",
        ResponseTemplate::new(409).set_body_json(json!({
            "code": 6,
            "message": "workflows.argoproj.io \"retrain-fraud-x\" already exists"
        })),
    );
    run_env(&s, 1, &[], &[("ARGO_TOKEN", "argo-SECRET")], 1);
    let got = m.received();
    assert_eq!(got.len(), 2);
    assert_eq!(
        body_json(&got[0]),
        body_json(&got[1]),
        "the same submit, repeated"
    );
    let out = outcome(&s, 1, "retrain");
    assert_eq!(out["status"], "succeeded", "{out}");
    assert_eq!(out["detail"]["already_done"], true);
}

const WEBHOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[test]
fn slack_and_a_signed_webhook_carry_the_diagnosis() {
    let m = Mocks::start();
    m.answer(
        "POST",
        "/services/T000/B000/XXXX",
        ResponseTemplate::new(200).set_body_string("ok"),
    );
    m.answer("PUT", "/hooks/driftmend", ResponseTemplate::new(202));
    let s = Sandbox::new();
    act_policy(
        &s,
        DRIFTED,
        "notify, audit_hook",
        "  notify:
    type: slack
    webhook_url: \"{{ env.SLACK_WEBHOOK_URL }}\"
  audit_hook:
    type: webhook
    url: \"{{ env.HOOK_URL }}\"
    method: PUT
    secret: \"{{ env.HOOK_SECRET }}\"
    headers: { X-Team: ml-platform }
",
    );
    let slack_url = format!("{}/services/T000/B000/XXXX", m.uri());
    let env = [
        ("SLACK_WEBHOOK_URL", slack_url.as_str()),
        ("HOOK_URL", &format!("{}/hooks/driftmend", m.uri())),
        ("HOOK_SECRET", WEBHOOK_SECRET),
    ];
    let o = run_env(&s, 0, &[], &env, 1);
    let got = m.received();
    assert_eq!(got.len(), 2);

    let slack = body_json(&got[0]);
    let text = slack["text"].as_str().unwrap();
    assert!(
        text.starts_with("driftmend: covariate drift in `t`: "),
        "{text}"
    );
    assert_eq!(slack["blocks"][0]["type"], "header");
    assert_eq!(slack["blocks"][1]["text"]["text"], text);
    assert!(slack["blocks"][2]["elements"][0]["text"]
        .as_str()
        .unwrap()
        .contains("rule `drift`"));
    assert_eq!(outcome(&s, 0, "notify")["message"], "posted to Slack (ok)");

    // Standard Webhooks: verify the signature the way a receiver does.
    let hook = &got[1];
    assert_eq!(hook.method.as_str(), "PUT");
    assert_eq!(header(hook, "x-team"), "ml-platform");
    let id = header(hook, "webhook-id");
    let ts = header(hook, "webhook-timestamp");
    assert!(id.starts_with("msg_"), "{id}");
    assert_eq!(header(hook, "idempotency-key"), id);
    // The time of sending (not the run's `--now`): receivers reject
    // stale timestamps as replays.
    let sent: i64 = ts.parse().unwrap();
    assert!((sent - chrono::Utc::now().timestamp()).abs() < 300, "{ts}");
    use base64::Engine;
    use hmac::{KeyInit, Mac};
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = b64
        .decode(WEBHOOK_SECRET.trim_start_matches("whsec_"))
        .unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(&hook.body);
    let want = format!("v1,{}", b64.encode(mac.finalize().into_bytes()));
    assert_eq!(header(hook, "webhook-signature"), want);
    let body = body_json(hook);
    assert_eq!(body["type"], "driftmend.action");
    assert_eq!(body["data"]["rule"], "drift");
    assert_eq!(body["data"]["action"], "audit_hook");
    assert_eq!(body["data"]["incident"], "covariate_drift");
    assert_eq!(body["data"]["run_id"], run_id(&s, 0));
    assert_eq!(outcome(&s, 0, "audit_hook")["status"], "succeeded");

    // The Slack URL is the credential: never shown.
    assert_hidden(&s, &[&o], "T000/B000/XXXX");
    assert_hidden(&s, &[&o], WEBHOOK_SECRET.trim_start_matches("whsec_"));
}

/// `%XX` escapes in `text` with lowercase hex digits.
fn lowercase_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut left = 0;
    for c in text.chars() {
        if c == '%' {
            left = 2;
            out.push(c);
        } else if left > 0 {
            left -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn a_secret_echoed_percent_encoded_by_an_error_page_is_masked() {
    // Issue 16: a Slack webhook URL with a secret holding a space and
    // non-ASCII letters goes out percent-encoded, and the error page echoed
    // it that way; only the raw value was masked. Once as the whole URL,
    // once as the token part of it.
    let m = Mocks::start();
    m.mount(
        Mock::given(method("POST")).respond_with(|req: &wiremock::Request| {
            // As the client sent it: wiremock's own `url` says `localhost`.
            let host = req.headers["host"].to_str().unwrap();
            let sent = format!("http://{host}{}", req.url.path());
            ResponseTemplate::new(404).set_body_string(format!(
                "<html><body><h1>404 Not Found</h1><p>no hook at {sent}</p>\
                 <p>(lowercase hex: {})</p></body></html>",
                lowercase_escapes(&sent)
            ))
        }),
    );
    let s = Sandbox::new();
    act_policy(
        &s,
        DRIFTED,
        "notify, notify_token",
        "  notify:
    type: slack
    webhook_url: \"{{ env.SLACK_WEBHOOK_URL }}\"
  notify_token:
    type: slack
    webhook_url: \"http://127.0.0.1:{{ env.MOCK_PORT }}/services/{{ env.SLACK_TOKEN }}\"
",
    );
    let whole = format!("{}/services/T000/B000/Sécret Tøken", m.uri());
    let token = "T111/B111/Tøp Sécret+1";
    let port = m.uri().rsplit(':').next().unwrap().to_string();
    let env = [
        ("SLACK_WEBHOOK_URL", whole.as_str()),
        ("SLACK_TOKEN", token),
        ("MOCK_PORT", port.as_str()),
    ];
    let o = run_env(&s, 0, &[], &env, 3);
    let got = m.received();
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0].url.path(),
        "/services/T000/B000/S%C3%A9cret%20T%C3%B8ken"
    );
    assert_eq!(
        got[1].url.path(),
        "/services/T111/B111/T%C3%B8p%20S%C3%A9cret+1"
    );

    let message = |action| outcome(&s, 0, action)["message"].clone();
    assert_eq!(
        message("notify"),
        "Slack answered 404 Not Found: 404 Not Found no hook at *** (lowercase hex: ***)"
    );
    // The port comes from the environment too, so it is a secret as well.
    assert_eq!(
        message("notify_token"),
        "Slack answered 404 Not Found: 404 Not Found no hook at http://127.0.0.1:***/services/*** \
         (lowercase hex: http://127.0.0.1:***/services/***)"
    );
    assert!(
        stdout(&o).contains("no hook at *** (lowercase hex: ***)"),
        "{}",
        stdout(&o)
    );
    for needle in [
        "Sécret Tøken",
        "S%C3%A9cret%20T%C3%B8ken",
        "S%c3%a9cret%20T%c3%b8ken",
        "T000/B000",
        "Tøp Sécret",
        "T%C3%B8p%20S%C3%A9cret",
        "T%c3%b8p%20S%c3%a9cret",
        "T111/B111",
    ] {
        assert_hidden(&s, &[&o], needle);
    }
}

fn assert_no_incidents(s: &Sandbox) {
    let open = &s.state()["actions"]["page"]["open_incidents"];
    assert!(
        open.as_array().is_none_or(|a| a.is_empty()),
        "still open: {open}"
    );
}

fn pagerduty_action(api: &str) -> String {
    format!(
        "  page:
    type: pagerduty
    api_url: {api}
    routing_key: \"{{{{ env.PD_ROUTING_KEY }}}}\"
    severity: error
    component: fraud-model
"
    )
}

#[test]
fn pagerduty_triggers_with_a_dedup_key_and_resolves_when_healthy_again() {
    let m = Mocks::start();
    m.answer(
        "POST",
        "/v2/enqueue",
        ResponseTemplate::new(202).set_body_json(json!({
            "status": "success", "message": "Event processed", "dedup_key": "x"
        })),
    );
    let s = Sandbox::new();
    act_policy(&s, DRIFTED, "page", &pagerduty_action(&m.uri()));
    let env = [("PD_ROUTING_KEY", "R0UTINGkeySECRET000000000000000")];
    let o1 = run_env(&s, 0, &[], &env, 1);
    let got = m.received();
    assert_eq!(got.len(), 1);
    let trigger = body_json(&got[0]);
    assert_eq!(trigger["event_action"], "trigger");
    assert_eq!(trigger["routing_key"], env[0].1);
    assert_eq!(trigger["dedup_key"], "driftmend/t/drift/page");
    assert_eq!(trigger["payload"]["severity"], "error");
    assert_eq!(trigger["payload"]["component"], "fraud-model");
    assert_eq!(trigger["payload"]["source"], "driftmend/t");
    assert_eq!(trigger["payload"]["timestamp"], at(0));
    assert_eq!(
        trigger["payload"]["custom_details"]["incident"],
        "covariate_drift"
    );
    assert!(trigger["payload"]["summary"]
        .as_str()
        .unwrap()
        .starts_with("driftmend: covariate drift in `t`"));
    assert_eq!(
        s.state()["actions"]["page"]["open_incidents"],
        json!(["driftmend/t/drift/page"])
    );

    // Still drifting: same dedup key, so PagerDuty folds it into the open
    // incident.
    run_env(&s, 1, &[], &env, 1);
    assert_eq!(
        body_json(&m.received()[1])["dedup_key"],
        "driftmend/t/drift/page"
    );

    // Healthy again: the incident is resolved, once.
    act_policy(&s, STABLE, "page", &pagerduty_action(&m.uri()));
    let o2 = run_env(&s, 2, &[], &env, 0);
    let got = m.received();
    assert_eq!(got.len(), 3);
    let resolve = body_json(&got[2]);
    assert_eq!(
        resolve,
        json!({
            "routing_key": env[0].1,
            "event_action": "resolve",
            "dedup_key": "driftmend/t/drift/page",
            "client": "driftmend"
        })
    );
    assert!(stdout(&o2).contains("page"), "{}", stdout(&o2));
    let out = outcome(&s, 2, "page");
    assert_eq!(out["status"], "succeeded");
    assert_eq!(out["detail"]["event_action"], "resolve");
    assert_no_incidents(&s);
    run_env(&s, 3, &[], &env, 0);
    assert_eq!(m.received().len(), 3, "nothing left to resolve");
    assert_hidden(&s, &[&o1, &o2], env[0].1);

    // Paged on approval, hours later: still resolved by the next healthy run.
    m.reset();
    m.answer("POST", "/v2/enqueue", ResponseTemplate::new(202));
    let q = Sandbox::new();
    let approve_mode = |current: &str| {
        act_policy(&q, current, "page", &pagerduty_action(&m.uri()));
        let text = fs::read_to_string(q.path().join("policy.yaml")).unwrap();
        fs::write(
            q.path().join("policy.yaml"),
            text.replace("mode: auto", "mode: approve"),
        )
        .unwrap();
    };
    approve_mode(DRIFTED);
    run_env(&q, 0, &[], &env, 1);
    assert!(m.received().is_empty(), "queued, not sent");
    let id = q.state()["pending"][0]["id"].as_str().unwrap().to_string();
    let o = q
        .command(&["approve", &id, "--policy", "policy.yaml", "--now", &at(2)])
        .env("PD_ROUTING_KEY", env[0].1)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(body_json(&m.received()[0])["event_action"], "trigger");
    assert_eq!(
        q.state()["actions"]["page"]["open_incidents"],
        json!(["driftmend/t/drift/page"])
    );
    approve_mode(STABLE);
    run_env(&q, 3, &[], &env, 0);
    assert_eq!(body_json(&m.received()[1])["event_action"], "resolve");
}

// ---- MLflow: a real tracking server ------------------------------------------

/// A few REST calls to MLflow to set the scene and read results back.
struct Mlflow {
    uri: String,
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Mlflow {
    fn connect() -> Option<Mlflow> {
        let uri = service("DRIFTMEND_TEST_MLFLOW_URI")?;
        Some(Mlflow {
            uri,
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            http: reqwest::Client::new(),
        })
    }

    fn call(&self, verb: &str, endpoint: &str, body: Value) -> Value {
        let url = format!("{}/api/2.0/mlflow/{endpoint}", self.uri);
        let req = match verb {
            "GET" => self.http.get(&url).query(
                &body
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                    .collect::<Vec<_>>(),
            ),
            _ => self
                .http
                .post(&url)
                .header("content-type", "application/json")
                .body(body.to_string()),
        };
        self.rt.block_on(async {
            let resp = req.send().await.expect("MLflow answers");
            let status = resp.status();
            let text = resp.text().await.unwrap();
            assert!(status.is_success(), "{verb} {endpoint}: {status} {text}");
            serde_json::from_str(&text).unwrap()
        })
    }

    /// A unique registered model with one version per accuracy, each from
    /// its own run; returns the model name.
    fn model_with_versions(&self, accuracies: &[f64]) -> String {
        let name = unique("fraud");
        let exp = self.call(
            "POST",
            "experiments/create",
            json!({"name": unique("train")}),
        );
        let exp = exp["experiment_id"].as_str().unwrap().to_string();
        self.call("POST", "registered-models/create", json!({"name": name}));
        for acc in accuracies {
            let run = self.call("POST", "runs/create", json!({"experiment_id": exp}));
            let run_id = run["run"]["info"]["run_id"].as_str().unwrap().to_string();
            let artifacts = run["run"]["info"]["artifact_uri"].as_str().unwrap();
            self.call(
                "POST",
                "runs/log-metric",
                json!({"run_id": run_id, "key": "accuracy", "value": acc, "timestamp": 0, "step": 0}),
            );
            self.call(
                "POST",
                "model-versions/create",
                json!({"name": name, "source": format!("{artifacts}/model"), "run_id": run_id}),
            );
        }
        name
    }

    /// The version an alias points at, or `None`.
    fn alias(&self, model: &str, alias: &str) -> Option<String> {
        let url = format!("{}/api/2.0/mlflow/registered-models/alias", self.uri);
        let req = self
            .http
            .get(url)
            .query(&[("name", model), ("alias", alias)]);
        self.rt.block_on(async {
            let resp = req.send().await.unwrap();
            if !resp.status().is_success() {
                return None;
            }
            let v: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
            v["model_version"]["version"].as_str().map(str::to_string)
        })
    }

    fn tag(&self, model: &str, version: &str, key: &str) -> Option<String> {
        let v = self.call(
            "GET",
            "model-versions/get",
            json!({"name": model, "version": version}),
        );
        v["model_version"]["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["key"] == key)
            .and_then(|t| t["value"].as_str().map(str::to_string))
    }
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

fn promote(uri: &str, args: &[&str]) -> Output {
    let mut c = Command::new(BIN);
    c.arg("promote")
        .args(args)
        .env("MLFLOW_TRACKING_URI", uri)
        .env("NO_COLOR", "1");
    c.output().unwrap()
}

#[test]
fn promote_checks_run_metrics_before_moving_the_champion() {
    let Some(ml) = Mlflow::connect() else { return };
    let model = ml.model_with_versions(&[0.80, 0.90, 0.86, 0.70]);
    let m = model.as_str();

    let o = promote(&ml.uri, &["--model", m, "--candidate", "1", "--no-check"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(ml.alias(m, "champion").as_deref(), Some("1"));
    assert_eq!(
        ml.tag(m, "1", "driftmend.approved").as_deref(),
        Some("true")
    );

    // 0.90 >= 0.85: promoted, and version 1 kept as previous_champion.
    let o = promote(
        &ml.uri,
        &[
            "--model",
            m,
            "--candidate",
            "2",
            "--metric",
            "accuracy",
            "--min",
            "0.85",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("accuracy = 0.9 >= 0.85"),
        "{}",
        stdout(&o)
    );
    assert_eq!(ml.alias(m, "champion").as_deref(), Some("2"));
    assert_eq!(ml.alias(m, "previous_champion").as_deref(), Some("1"));

    // 0.86 does not beat the champion's 0.90: refused, nothing moves.
    let o = promote(
        &ml.uri,
        &[
            "--model",
            m,
            "--candidate",
            "3",
            "--metric",
            "accuracy",
            "--better-than",
            "champion",
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("refused: "), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("0.86") && stderr(&o).contains("0.9"),
        "{}",
        stderr(&o)
    );
    assert_eq!(ml.alias(m, "champion").as_deref(), Some("2"));
    assert_eq!(ml.tag(m, "3", "driftmend.approved"), None);

    // Below a floor: refused.
    let o = promote(
        &ml.uri,
        &[
            "--model",
            m,
            "--candidate",
            "4",
            "--metric",
            "accuracy",
            "--min",
            "0.85",
        ],
    );
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("accuracy = 0.7 is below the minimum 0.85"),
        "{}",
        stderr(&o)
    );

    // A metric the run never logged: refused with that reason.
    let o = promote(
        &ml.uri,
        &[
            "--model",
            m,
            "--candidate",
            "3",
            "--metric",
            "f1",
            "--min",
            "0.5",
        ],
    );
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("f1"), "{}", stderr(&o));

    // A model that does not exist: an error naming it, exit 2.
    let o = promote(
        &ml.uri,
        &[
            "--model",
            "no-such-model-x",
            "--candidate",
            "1",
            "--no-check",
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no-such-model-x"), "{}", stderr(&o));

    // Dry run: the steps, nothing moves.
    let o = promote(
        &ml.uri,
        &["--model", m, "--candidate", "3", "--no-check", "--dry-run"],
    );
    assert_eq!(code(&o), 0);
    assert!(
        stdout(&o).contains("dry run: would promote"),
        "{}",
        stdout(&o)
    );
    assert_eq!(ml.alias(m, "champion").as_deref(), Some("2"));
}

fn rollback_action(uri: &str, model: &str, depth: u32) -> String {
    format!(
        "  rollback:
    type: mlflow_rollback
    tracking_uri: {uri}
    model: {model}
    alias: champion
    max_rollback_depth: {depth}
"
    )
}

#[test]
fn rollback_walks_back_through_good_versions_up_to_the_depth_limit() {
    let Some(ml) = Mlflow::connect() else { return };
    let model = ml.model_with_versions(&[0.80, 0.88, 0.90]);
    let m = model.as_str();
    for v in ["1", "2", "3"] {
        let o = promote(&ml.uri, &["--model", m, "--candidate", v, "--no-check"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    assert_eq!(ml.alias(m, "champion").as_deref(), Some("3"));
    assert_eq!(ml.alias(m, "previous_champion").as_deref(), Some("2"));

    let s = Sandbox::new();
    act_policy(&s, DRIFTED, "rollback", &rollback_action(&ml.uri, m, 2));

    // Dry run: the plan, nothing moves.
    let o = run_env(&s, 0, &["--dry-run"], &[], 1);
    assert!(
        stdout(&o).contains(&format!("MLflow at {} (authorization: none)", ml.uri)),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("POST registered-models/alias `champion`"));
    assert_eq!(ml.alias(m, "champion").as_deref(), Some("3"));

    // 1st: back to previous_champion (2), which is then used up.
    run_env(&s, 1, &[], &[], 1);
    let out = outcome(&s, 1, "rollback");
    assert_eq!(out["status"], "succeeded", "{out}");
    assert_eq!(out["detail"]["from_version"], "3");
    assert_eq!(out["detail"]["to_version"], "2");
    assert_eq!(ml.alias(m, "champion").as_deref(), Some("2"));
    assert_eq!(ml.alias(m, "previous_champion"), None);
    assert_eq!(
        ml.tag(m, "3", "driftmend.rolled_back_by"),
        Some(run_id(&s, 1))
    );

    // 2nd: the newest lower approved version (1).
    run_env(&s, 2, &[], &[], 1);
    let out = outcome(&s, 2, "rollback");
    assert_eq!(out["detail"]["to_version"], "1", "{out}");
    assert_eq!(ml.alias(m, "champion").as_deref(), Some("1"));
    assert_eq!(s.state()["actions"]["rollback"]["rollback_depth"], 2);

    // 3rd: the depth limit stops it.
    run_env(&s, 3, &[], &[], 1);
    let d = s.audit_of("decision", 3);
    assert_eq!(d[0]["verdict"], "blocked");
    assert_eq!(d[0]["guardrail"], "rollback_depth");
    assert_eq!(ml.alias(m, "champion").as_deref(), Some("1"));
}

#[test]
fn rollback_without_a_good_version_fails_with_the_reason() {
    let Some(ml) = Mlflow::connect() else { return };
    let model = ml.model_with_versions(&[0.80, 0.90]);
    let m = model.as_str();
    // Version 2 is champion without driftmend having approved version 1.
    ml.call(
        "POST",
        "registered-models/alias",
        json!({"name": m, "alias": "champion", "version": "2"}),
    );
    let s = Sandbox::new();
    act_policy(&s, DRIFTED, "rollback", &rollback_action(&ml.uri, m, 2));
    let o = run_env(&s, 0, &[], &[], 3);
    let out = outcome(&s, 0, "rollback");
    assert_eq!(out["status"], "failed");
    assert!(
        out["message"]
            .as_str()
            .unwrap()
            .contains("no version to roll back to"),
        "{out}"
    );
    assert!(stdout(&o).contains("no version to roll back to"));
    assert_eq!(ml.alias(m, "champion").as_deref(), Some("2"));
}

#[test]
fn mlflow_log_records_the_report_as_a_run() {
    let Some(ml) = Mlflow::connect() else { return };
    let experiment = unique("fraud-drift");
    let s = Sandbox::new();
    act_policy(
        &s,
        DRIFTED,
        "log_report",
        &format!(
            "  log_report:
    type: mlflow_log
    tracking_uri: {}
    experiment: {experiment}
    tags: {{ team: ml-platform }}
",
            ml.uri
        ),
    );
    run_env(&s, 0, &[], &[], 1);
    let out = outcome(&s, 0, "log_report");
    assert_eq!(out["status"], "succeeded", "{out}");
    let mlflow_run = out["detail"]["run_id"].as_str().unwrap();
    let got = ml.call("GET", "runs/get", json!({"run_id": mlflow_run}));
    let run = &got["run"];
    assert_eq!(run["info"]["status"], "FINISHED");
    let metric = |key: &str| -> f64 {
        run["data"]["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["key"] == key)
            .unwrap_or_else(|| panic!("no metric `{key}` in {run}"))["value"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(metric("dataset.drift_share"), 0.7);
    assert_eq!(metric("dataset.drift_detected"), 1.0);
    assert_eq!(metric("column.income.drift_detected"), 1.0);
    // The same numbers as the report itself.
    let report = crate::json_report(
        &[
            "-r",
            &format!("{FIXTURES}/reference.parquet"),
            "-c",
            &format!("{FIXTURES}/{DRIFTED}"),
            "--exclude",
            "id",
        ],
        0,
    );
    let income = crate::column(&report, "income");
    assert_eq!(
        metric("column.income.score"),
        income["score"].as_f64().unwrap()
    );
    let tag = |key: &str| -> Option<String> {
        run["data"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["key"] == key)
            .map(|t| t["value"].as_str().unwrap().to_string())
    };
    assert_eq!(tag("driftmend.run_id"), Some(run_id(&s, 0)));
    assert_eq!(tag("team").as_deref(), Some("ml-platform"));
    // Created by name; a second run lands in the same experiment.
    run_env(&s, 1, &[], &[], 1);
    let second = outcome(&s, 1, "log_report");
    assert_eq!(
        second["detail"]["experiment_id"],
        out["detail"]["experiment_id"]
    );

    // Queued for approval, it logs the report of the run that queued it.
    let policy = fs::read_to_string(s.path().join("policy.yaml")).unwrap();
    let queued = Sandbox::new();
    fs::write(
        queued.path().join("policy.yaml"),
        policy.replace("mode: auto", "mode: approve"),
    )
    .unwrap();
    run_env(&queued, 0, &[], &[], 1);
    let id = queued.state()["pending"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let later_on = at_minutes(30);
    let o = queued.driftmend(&[
        "approve",
        &id,
        "--policy",
        "policy.yaml",
        "--now",
        &later_on,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let approved: Vec<Value> = queued
        .audit()
        .into_iter()
        .filter(|r| r["kind"] == "approval" && r["result"] == "approved")
        .collect();
    let later = &approved[0]["outcome"];
    assert_eq!(later["status"], "succeeded", "{later}");
    let got = ml.call(
        "GET",
        "runs/get",
        json!({"run_id": later["detail"]["run_id"].as_str().unwrap()}),
    );
    let logged = got["run"]["data"]["metrics"].as_array().unwrap();
    let share = logged
        .iter()
        .find(|m| m["key"] == "dataset.drift_share")
        .unwrap_or_else(|| panic!("no metrics after approval: {got}"));
    assert_eq!(share["value"], 0.7);
    assert_eq!(
        logged.len(),
        run["data"]["metrics"].as_array().unwrap().len()
    );
}

#[test]
fn end_to_end_drift_retrains_rolls_back_and_pages_then_healthy_resolves() {
    let Some(ml) = Mlflow::connect() else { return };
    let model = ml.model_with_versions(&[0.85, 0.91]);
    let m = model.as_str();
    for v in ["1", "2"] {
        let o = promote(&ml.uri, &["--model", m, "--candidate", v, "--no-check"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let mocks = Mocks::start();
    mocks.answer("POST", DISPATCH, ResponseTemplate::new(204));
    mocks.answer(
        "POST",
        "/v2/enqueue",
        ResponseTemplate::new(202).set_body_json(json!({"status": "success"})),
    );
    let actions = |current: &str, s: &Sandbox| {
        s.policy(
            current,
            &format!(
                "guardrails: {{mode: auto, cooldown: 30m}}
rules:
  - name: drift
    when: \"dataset.drift_detected\"
    actions: [rollback, retrain, page]
actions:
  retrain:
    type: github_workflow
    api_url: {api}
    repo: acme/fraud-model
    workflow: retrain.yml
    ref: main
    token: \"{{{{ env.GH_TOKEN }}}}\"
    inputs: {{ reason: \"{{{{ rule.name }}}}\" }}
{rollback}{page}",
                api = mocks.uri(),
                rollback = rollback_action(&ml.uri, m, 1),
                page = pagerduty_action(&mocks.uri()),
            ),
        );
    };
    let s = Sandbox::new();
    actions(DRIFTED, &s);
    let env = [("GH_TOKEN", GH_TOKEN), ("PD_ROUTING_KEY", "PDkeySECRET")];
    let o = run_env(&s, 0, &[], &env, 1);
    let done = decided(&records_at(&s, 0));
    assert_eq!(
        done,
        [
            row("rollback", "run", "-", "-", "succeeded"),
            row("retrain", "run", "-", "-", "succeeded"),
            row("page", "run", "-", "-", "succeeded"),
        ],
        "{}",
        stdout(&o)
    );
    assert_eq!(ml.alias(m, "champion").as_deref(), Some("1"));
    let sent: Vec<String> = mocks
        .received()
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert_eq!(sent, [DISPATCH, "/v2/enqueue"]);

    // Healthy: the incident resolves; the rollback depth starts over.
    actions(STABLE, &s);
    let o2 = run_env(&s, 1, &[], &env, 0);
    let got = mocks.received();
    assert_eq!(got.len(), 3);
    assert_eq!(body_json(&got[2])["event_action"], "resolve");
    assert_eq!(s.state()["actions"]["rollback"]["rollback_depth"], 0);
    assert_no_incidents(&s);
    assert_hidden(&s, &[&o, &o2], GH_TOKEN);
    assert_hidden(&s, &[&o, &o2], "PDkeySECRET");
}

#[test]
fn legacy_stage_rollback_moves_production_back_and_archives_the_bad_version() {
    let Some(ml) = Mlflow::connect() else { return };
    let model = ml.model_with_versions(&[0.88, 0.91]);
    let m = model.as_str();
    ml.call(
        "POST",
        "model-versions/set-tag",
        json!({"name": m, "version": "1", "key": "driftmend.approved", "value": "true"}),
    );
    for v in ["1", "2"] {
        ml.call(
            "POST",
            "model-versions/transition-stage",
            json!({"name": m, "version": v, "stage": "Production", "archive_existing_versions": true}),
        );
    }
    let stage = |v: &str| {
        ml.call(
            "GET",
            "model-versions/get",
            json!({"name": m, "version": v}),
        )["model_version"]["current_stage"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        (stage("1"), stage("2")),
        ("Archived".into(), "Production".into())
    );
    let s = Sandbox::new();
    act_policy(
        &s,
        DRIFTED,
        "rollback",
        &format!(
            "  rollback:
    type: mlflow_rollback
    tracking_uri: {}
    model: {m}
    use_stages: true
",
            ml.uri
        ),
    );
    run_env(&s, 0, &[], &[], 1);
    let out = outcome(&s, 0, "rollback");
    assert_eq!(out["status"], "succeeded", "{out}");
    assert_eq!(out["detail"]["stage"], "Production");
    assert_eq!(
        (stage("1"), stage("2")),
        ("Production".into(), "Archived".into())
    );
    assert_eq!(
        ml.tag(m, "2", "driftmend.rolled_back_by"),
        Some(run_id(&s, 0))
    );
}

#[test]
fn the_promote_action_refuses_a_worse_challenger_and_takes_a_better_one() {
    let Some(ml) = Mlflow::connect() else { return };
    let model = ml.model_with_versions(&[0.90, 0.85, 0.95]);
    let m = model.as_str();
    let o = promote(&ml.uri, &["--model", m, "--candidate", "1", "--no-check"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let challenger = |v: &str| {
        ml.call(
            "POST",
            "registered-models/alias",
            json!({"name": m, "alias": "challenger", "version": v}),
        );
    };
    let s = Sandbox::new();
    act_policy(
        &s,
        DRIFTED,
        "promote",
        &format!(
            "  promote:
    type: mlflow_promote
    tracking_uri: {}
    model: {m}
    candidate: challenger
    metric: accuracy
    better_than: champion
",
            ml.uri
        ),
    );
    challenger("2");
    let o = run_env(&s, 0, &[], &[], 3);
    let out = outcome(&s, 0, "promote");
    assert_eq!(out["status"], "failed", "{out}");
    assert_eq!(out["detail"]["refused"], true);
    assert!(
        stdout(&o).contains("refused: version 2: accuracy = 0.85"),
        "{}",
        stdout(&o)
    );
    assert_eq!(ml.alias(m, "champion").as_deref(), Some("1"));

    challenger("3");
    run_env(&s, 1, &[], &[], 1);
    let out = outcome(&s, 1, "promote");
    assert_eq!(out["status"], "succeeded", "{out}");
    assert_eq!(out["detail"]["from_version"], "1");
    assert_eq!(out["detail"]["to_version"], "3");
    assert_eq!(ml.alias(m, "champion").as_deref(), Some("3"));
    assert_eq!(ml.alias(m, "previous_champion").as_deref(), Some("1"));
}

/// MLflow behind auth (a mock, since the test server has none): the
/// credentials MLflow's clients use, sent as they send them, never shown;
/// the server's error code and message in the outcome.
#[test]
fn mlflow_auth_comes_from_mlflow_variables_and_errors_name_the_call() {
    let m = Mocks::start();
    m.answer(
        "GET",
        "/api/2.0/mlflow/registered-models/alias",
        ResponseTemplate::new(403).set_body_json(json!({
            "error_code": "PERMISSION_DENIED",
            "message": "Permission denied for model fraud"
        })),
    );
    let s = Sandbox::new();
    act_policy(
        &s,
        DRIFTED,
        "rollback",
        &rollback_action(&m.uri(), "fraud", 2),
    );
    let token = "mlflow-TOKEN-secret";
    let o = run_env(&s, 0, &[], &[("MLFLOW_TRACKING_TOKEN", token)], 3);
    let got = m.received();
    assert_eq!(got.len(), 1, "403 is not retried");
    assert_eq!(header(&got[0], "authorization"), format!("Bearer {token}"));
    assert_eq!(got[0].url.query(), Some("name=fraud&alias=champion"));
    let out = outcome(&s, 0, "rollback");
    assert_eq!(out["status"], "failed");
    assert_eq!(
        out["message"],
        "reading alias `champion` of `fraud`: MLflow answered 403 Forbidden: PERMISSION_DENIED: Permission denied for model fraud"
    );
    assert_eq!(
        out["detail"]["calls"],
        json!(["GET /api/2.0/mlflow/registered-models/alias"])
    );
    assert_hidden(&s, &[&o], token);

    // Basic auth from MLFLOW_TRACKING_USERNAME / _PASSWORD.
    m.reset();
    let o = s
        .command(&["run", "--policy", "policy.yaml", "--now", &at(1)])
        .env_remove("MLFLOW_TRACKING_TOKEN")
        .env("MLFLOW_TRACKING_USERNAME", "ops")
        .env("MLFLOW_TRACKING_PASSWORD", "pw-SECRET")
        .output()
        .unwrap();
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode("ops:pw-SECRET");
    assert_eq!(
        header(&m.received()[0], "authorization"),
        format!("Basic {basic}")
    );
    assert_hidden(&s, &[&o], "pw-SECRET");
    assert_hidden(&s, &[&o], &basic);
}

#[test]
fn a_gateway_error_after_sending_is_unknown_and_a_redirect_is_not_followed() {
    let m = Mocks::start();
    m.answer("POST", DISPATCH, ResponseTemplate::new(504));
    let s = Sandbox::new();
    github_policy(&s, &m.uri(), "");
    let env = [("GH_TOKEN", GH_TOKEN)];
    // 504: the gateway passed it on and lost the answer; GitHub may have
    // started the workflow, so it is not sent again.
    run_env(&s, 0, &[], &env, 3);
    assert_eq!(m.received().len(), 1);
    let out = outcome(&s, 0, "retrain");
    assert_eq!(out["status"], "unknown", "{out}");
    assert!(out["message"]
        .as_str()
        .unwrap()
        .starts_with("GitHub answered 504 Gateway Timeout"));
    let o = s.driftmend(&["ack", "retrain", "--failed", "--policy", "policy.yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // A redirect (an SSO proxy, a moved API) fails and says where it went;
    // the POST is not replayed as a GET, the token not sent elsewhere.
    m.reset();
    m.answer(
        "POST",
        DISPATCH,
        ResponseTemplate::new(302).insert_header("Location", "https://sso.example.com/login"),
    );
    run_env(&s, 1, &[], &env, 3);
    assert_eq!(m.received().len(), 1);
    let out = outcome(&s, 1, "retrain");
    assert_eq!(out["status"], "failed", "{out}");
    assert_eq!(
        out["message"],
        "GitHub answered 302 Found (redirects are not followed; point the action at the final URL, `https://sso.example.com/login`)"
    );
}

#[test]
fn an_approved_trigger_that_fails_escalates_under_its_own_name() {
    let m = Mocks::start();
    m.answer(
        "POST",
        DISPATCH,
        ResponseTemplate::new(422).set_body_json(json!({"message": "No ref found for: main"})),
    );
    m.answer("POST", "/v2/enqueue", ResponseTemplate::new(202));
    let s = Sandbox::new();
    github_policy(
        &s,
        &m.uri(),
        &format!("    require_approval: true\n{}", pagerduty_action(&m.uri())),
    );
    let policy = fs::read_to_string(s.path().join("policy.yaml")).unwrap();
    fs::write(
        s.path().join("policy.yaml"),
        policy.replace("mode: auto}", "mode: auto, escalate: [page]}"),
    )
    .unwrap();
    let env = [("GH_TOKEN", GH_TOKEN), ("PD_ROUTING_KEY", "PDkeySECRET")];
    run_env(&s, 0, &[], &env, 1);
    assert!(m.received().is_empty(), "queued");
    let id = s.state()["pending"][0]["id"].as_str().unwrap().to_string();
    // The approver sees exactly what would be sent, credentials redacted.
    let o = s.driftmend(&["pending", "--policy", "policy.yaml", "--now", &at(1)]);
    let listed = stdout(&o);
    for want in [
        format!("    POST {}{DISPATCH}\n", m.uri()),
        "      Authorization: Bearer ***\n".to_string(),
        "      {\"inputs\":{\"reason\":\"drift\",\"run\":\"run-".to_string(),
    ] {
        assert!(listed.contains(&want), "`{want}` in:\n{listed}");
    }
    assert!(!listed.contains(GH_TOKEN));
    let mut c = s.command(&["approve", &id, "--policy", "policy.yaml", "--now", &at(1)]);
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(stderr(&o).contains("escalated to `page`"), "{}", stderr(&o));
    let got = m.received();
    assert_eq!(got.len(), 2);
    let page = body_json(&got[1]);
    // The page's own identity, not the failed trigger's.
    assert_eq!(page["dedup_key"], "driftmend/t/drift/page");
    assert_eq!(
        s.state()["actions"]["page"]["open_incidents"],
        json!(["driftmend/t/drift/page"])
    );
}

#[test]
fn resolve_false_leaves_the_incident_to_people() {
    let m = Mocks::start();
    m.answer("POST", "/v2/enqueue", ResponseTemplate::new(202));
    let s = Sandbox::new();
    let action = format!("{}    resolve: false\n", pagerduty_action(&m.uri()));
    act_policy(&s, DRIFTED, "page", &action);
    let env = [("PD_ROUTING_KEY", "PDkeySECRET")];
    run_env(&s, 0, &[], &env, 1);
    act_policy(&s, STABLE, "page", &action);
    run_env(&s, 1, &[], &env, 0);
    assert_eq!(m.received().len(), 1, "no resolve event");
    assert_no_incidents(&s);
}

#[test]
fn every_run_logs_each_run_outside_cooldown_without_changing_the_exit_code() {
    let Some(ml) = Mlflow::connect() else { return };
    let experiment = unique("every-run");
    let s = Sandbox::new();
    let write = |mode: &str| {
        s.policy(
            STABLE,
            &format!(
                "guardrails: {{mode: {mode}, cooldown: 6h, max_actions: {{count: 1, per: 24h}}}}
rules:
  - name: drift
    when: \"dataset.drift_detected\"
    actions: [log_report]
every_run: [log_report]
actions:
  log_report:
    type: mlflow_log
    tracking_uri: {}
    experiment: {experiment}
",
                ml.uri
            ),
        )
    };
    write("auto");
    // Healthy runs: nothing fired, so exit 0; logged every hour although
    // the cooldown is 6h and the rate limit 1 a day.
    for hour in 0..3 {
        let o = run_env(&s, hour, &[], &[], 0);
        assert!(
            stdout(&o).contains("log_report       every run: ran: succeeded"),
            "{}",
            stdout(&o)
        );
        assert_eq!(outcome(&s, hour, "log_report")["status"], "succeeded");
        assert_eq!(s.audit_of("action", hour)[0]["rule"], "every_run");
    }
    let exp = ml.call(
        "GET",
        "experiments/get-by-name",
        json!({"experiment_name": experiment}),
    );
    let id = exp["experiment"]["experiment_id"].as_str().unwrap();
    let runs = ml.call("POST", "runs/search", json!({"experiment_ids": [id]}));
    assert_eq!(runs["runs"].as_array().unwrap().len(), 3);

    // Observe mode: shown, not run.
    write("observe");
    let o = run_env(&s, 3, &[], &[], 0);
    assert!(
        stdout(&o).contains("every run: observed (auto mode would run it)"),
        "{}",
        stdout(&o)
    );
    let runs = ml.call("POST", "runs/search", json!({"experiment_ids": [id]}));
    assert_eq!(runs["runs"].as_array().unwrap().len(), 3);
}

#[test]
fn airflow_2_takes_basic_auth_on_api_v1() {
    let m = Mocks::start();
    m.answer(
        "POST",
        "/api/v1/dags/retrain_fraud/dagRuns",
        ResponseTemplate::new(200).set_body_json(json!({"dag_run_id": "x", "state": "queued"})),
    );
    let s = Sandbox::new();
    act_policy(
        &s,
        DRIFTED,
        "retrain",
        &format!(
            "  retrain:
    type: airflow
    api_url: {}
    api_version: v1
    dag_id: retrain_fraud
    username: driftmend
    password: \"{{{{ env.AIRFLOW_PASSWORD }}}}\"
",
            m.uri()
        ),
    );
    let o = run_env(&s, 0, &[], &[("AIRFLOW_PASSWORD", "af2-SECRET")], 1);
    let got = m.received();
    assert_eq!(got.len(), 1, "no /auth/token on Airflow 2");
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode("driftmend:af2-SECRET");
    assert_eq!(header(&got[0], "authorization"), format!("Basic {basic}"));
    let body = body_json(&got[0]);
    assert!(
        body.get("logical_date").is_none(),
        "v1 has no logical_date: {body}"
    );
    assert!(body["dag_run_id"]
        .as_str()
        .unwrap()
        .starts_with("driftmend__"));
    assert_eq!(outcome(&s, 0, "retrain")["status"], "succeeded");
    assert_hidden(&s, &[&o], "af2-SECRET");
    assert_hidden(&s, &[&o], &basic);
}

/// MLflow's `runs/create` is not idempotent: when its answer is lost, the
/// run is found by its `driftmend.run_id` tag instead of created twice.
#[test]
fn a_lost_mlflow_run_create_is_found_again_not_duplicated() {
    let m = Mocks::start();
    let api = "/api/2.0/mlflow";
    m.answer(
        "GET",
        &format!("{api}/experiments/get-by-name"),
        ResponseTemplate::new(200).set_body_json(json!({"experiment": {"experiment_id": "7"}})),
    );
    m.answer(
        "POST",
        &format!("{api}/runs/create"),
        ResponseTemplate::new(200)
            .set_body_json(json!({"run": {"info": {"run_id": "late"}}}))
            .set_delay(Duration::from_secs(5)),
    );
    m.answer(
        "POST",
        &format!("{api}/runs/search"),
        ResponseTemplate::new(200)
            .set_body_json(json!({"runs": [{"info": {"run_id": "r-found"}}]})),
    );
    for end in ["log-batch", "update"] {
        m.answer(
            "POST",
            &format!("{api}/runs/{end}"),
            ResponseTemplate::new(200).set_body_json(json!({})),
        );
    }
    let s = Sandbox::new();
    act_policy(
        &s,
        DRIFTED,
        "log_report",
        &format!(
            "  log_report:
    type: mlflow_log
    tracking_uri: {}
    experiment: fraud-drift
    timeout: 6s
",
            m.uri()
        ),
    );
    run_env(&s, 0, &[], &[], 1);
    let out = outcome(&s, 0, "log_report");
    assert_eq!(out["status"], "succeeded", "{out}");
    assert_eq!(out["detail"]["run_id"], "r-found");
    let got = m.received();
    let creates: Vec<&wiremock::Request> = got
        .iter()
        .filter(|r| r.url.path().ends_with("/runs/create"))
        .collect();
    assert_eq!(creates.len(), 1, "sent once");
    let create = body_json(creates[0]);
    let id = run_id(&s, 0);
    assert_eq!(
        create["tags"],
        json!([{"key": "driftmend.run_id", "value": id}])
    );
    let search = got
        .iter()
        .find(|r| r.url.path().ends_with("/runs/search"))
        .expect("looked the run up");
    assert_eq!(
        body_json(search)["filter"],
        format!("tags.`driftmend.run_id` = '{id}'")
    );
    let batch = got
        .iter()
        .find(|r| r.url.path().ends_with("/runs/log-batch"))
        .unwrap();
    assert_eq!(body_json(batch)["run_id"], "r-found");
}

/// A run whose action failed POSTs to the Pushgateway without the last
/// success time, so the one pushed by the last good run stays.
#[test]
fn a_failed_run_keeps_the_last_success_time_on_the_pushgateway() {
    let Some(gateway) = service("DRIFTMEND_TEST_PUSHGATEWAY") else {
        return;
    };
    let s = Sandbox::new();
    s.hook("retrain");
    s.policy(
        DRIFTED,
        "guardrails: {mode: auto}
rules:
  - name: drift
    when: \"dataset.drift_detected\"
    actions: [retrain]
actions:
  retrain:
    type: exec
    command: [\"./retrain.sh\"]
",
    );
    let metric = |name: &str| -> Option<String> {
        crate::get_text(&format!("{gateway}/metrics"))
            .lines()
            .find(|l| l.starts_with(&format!("{name}{{")) && l.contains("policy=\"t\""))
            .map(|l| l.rsplit(' ').next().unwrap().to_string())
    };
    run_env(&s, 0, &["--pushgateway", &gateway], &[], 1);
    let success = metric("driftmend_last_success_timestamp_seconds").expect("pushed");
    let duration = metric("driftmend_run_duration_seconds").expect("pushed");

    s.set("retrain.exit", "7");
    std::thread::sleep(Duration::from_millis(1100));
    run_env(&s, 1, &["--pushgateway", &gateway], &[], 3);
    assert_eq!(
        metric("driftmend_last_success_timestamp_seconds").as_deref(),
        Some(success.as_str()),
        "the failed run left the last success alone"
    );
    assert_ne!(
        metric("driftmend_run_duration_seconds").as_deref(),
        Some(duration.as_str()),
        "its other metrics replaced the earlier ones"
    );
}
