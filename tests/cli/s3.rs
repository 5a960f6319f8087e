//! Data in object storage, against the real S3-compatible servers that
//! `scripts/test` starts: moto (`DRIFTMEND_TEST_S3_ENDPOINT`, takes any or no
//! credentials) for the same report from `s3://` as from the local files
//! (objects, key globs, prefixes; Parquet and CSV), errors naming the URI,
//! and credentials never printed; SeaweedFS
//! (`DRIFTMEND_TEST_S3_AUTH_ENDPOINT`, checks them) for wrong credentials
//! refused, and writing and reading whole objects (profiles).

use std::process::Output;

use serde_json::Value;

use super::harness::{fixture, Cmd, TestContext};
use super::service;

/// A fake secret no output may contain, in any form the scrubber knows.
const SECRET: &str = "FAKEsecret-9f3c2a7e5b1d";
const TOKEN: &str = "FAKEtoken-71aa03c6e0d4";
const OPTION_SECRET: &str = "FAKEoption-5d8e6b2f4c90";

/// A bucket of this test's own on the server, and the server's address.
struct Bucket {
    endpoint: String,
    name: String,
}

impl Bucket {
    /// Creates `dm-<tag>-<pid>`; `None` (the test skips) without a server,
    /// except under CI.
    fn new(tag: &str) -> Option<Bucket> {
        let endpoint = service("DRIFTMEND_TEST_S3_ENDPOINT")?;
        let bucket = Bucket {
            endpoint,
            name: format!("dm-{tag}-{}", std::process::id()),
        };
        put(&format!("{}/{}", bucket.endpoint, bucket.name), Vec::new());
        Some(bucket)
    }

    /// Uploads `fixtures/<fixture>` as `key` (moto takes unsigned PUTs).
    fn upload(&self, fixture_name: &str, key: &str) {
        let body = std::fs::read(fixture(fixture_name)).unwrap();
        put(&format!("{}/{}/{key}", self.endpoint, self.name), body);
    }

    fn uri(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.name)
    }

    /// `driftmend <args>` with the AWS environment pointing at the server,
    /// with fake credentials.
    fn command(&self, ctx: &TestContext, args: &[&str]) -> Cmd {
        ctx.command(args)
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKE")
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_SESSION_TOKEN", TOKEN)
            .filter(&regex_escape(&self.name), "[BUCKET]")
            .filter(r"http://127\.0\.0\.1:\d+", "[S3]")
    }
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$#&-~".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

fn put(url: &str, body: Vec<u8>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let resp = reqwest::Client::new()
            .put(url)
            .body(body)
            .send()
            .await
            .expect("the S3 server answers");
        assert!(resp.status().is_success(), "PUT {url}: {}", resp.status());
    });
}

/// A report's JSON without what names where the data came from or when.
fn comparable(output: &Output) -> Value {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let map = report.as_object_mut().unwrap();
    map.remove("generated_at");
    for side in ["reference", "current"] {
        let data = map[side].as_object_mut().unwrap();
        data.remove("path");
        data.remove("files");
    }
    report
}

fn files(output: &Output, side: &str) -> Vec<String> {
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report[side]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn s3_parquet_report_equals_the_local_report() {
    let Some(bucket) = Bucket::new("parquet") else {
        return;
    };
    bucket.upload("reference.parquet", "ref/reference.parquet");
    bucket.upload("current_parts/part-0.parquet", "cur/dt=1/part-0.parquet");
    bucket.upload("current_parts/part-1.parquet", "cur/dt=2/part-1.parquet");
    bucket.upload("small_current.csv", "cur/dt=2/_SUCCESS");
    bucket.upload("small_current.csv", "cur/.staging/part-9.parquet");
    let ctx = TestContext::new();
    let local = ctx
        .command(&[
            "report",
            "--format",
            "json",
            "-r",
            &fixture("reference.parquet"),
            "-c",
            &fixture("current_parts"),
        ])
        .run()
        .output;
    let want = comparable(&local);
    let parts = [
        bucket.uri("cur/dt=1/part-0.parquet"),
        bucket.uri("cur/dt=2/part-1.parquet"),
    ];
    // A key glob, a prefix (as a directory, with and without the slash) and
    // a recursive glob: the same two objects, markers and hidden ones left out.
    for current in [
        bucket.uri("cur/*/*.parquet"),
        bucket.uri("cur"),
        bucket.uri("cur/"),
        bucket.uri("**/part-*.parquet"),
    ] {
        let remote = bucket
            .command(
                &ctx,
                &[
                    "report",
                    "--format",
                    "json",
                    "-r",
                    &bucket.uri("ref/reference.parquet"),
                    "-c",
                    &current,
                ],
            )
            .run()
            .output;
        assert_eq!(comparable(&remote), want, "{current}");
        assert_eq!(files(&remote, "current"), parts, "{current}");
        assert_eq!(
            files(&remote, "reference"),
            [bucket.uri("ref/reference.parquet")]
        );
    }
}

#[test]
fn s3_csv_objects_read_like_local_csv() {
    let Some(bucket) = Bucket::new("csv") else {
        return;
    };
    bucket.upload("reference.csv", "reference.csv");
    bucket.upload("current_drifted.csv.gz", "current/drifted.csv.gz");
    let ctx = TestContext::new();
    let local = ctx
        .command(&[
            "report",
            "--format",
            "json",
            "-r",
            &fixture("reference.csv"),
            "-c",
            &fixture("current_drifted.csv.gz"),
        ])
        .run()
        .output;
    let remote = bucket
        .command(
            &ctx,
            &[
                "report",
                "--format",
                "json",
                "-r",
                &bucket.uri("reference.csv"),
                "-c",
                &bucket.uri("current/*.csv.gz"),
            ],
        )
        .run()
        .output;
    assert_eq!(comparable(&remote), comparable(&local));
}

#[test]
fn s3_missing_bucket_key_and_files_name_the_uri() {
    let Some(bucket) = Bucket::new("missing") else {
        return;
    };
    bucket.upload("reference.parquet", "reference.parquet");
    bucket.upload("reference.csv", "mixed/reference.csv");
    bucket.upload("reference.parquet", "mixed/reference.parquet");
    let ctx = TestContext::new();
    let report = |current: &str| {
        bucket.command(
            &ctx,
            &[
                "report",
                "-r",
                &bucket.uri("reference.parquet"),
                "-c",
                current,
            ],
        )
    };
    let no_bucket = format!("s3://{}-nope/x.parquet", bucket.name);
    driftmend_snapshot!("s3_missing_bucket", report(&no_bucket));
    driftmend_snapshot!("s3_missing_key", report(&bucket.uri("nope.parquet")));
    driftmend_snapshot!(
        "s3_glob_matches_nothing",
        report(&bucket.uri("none/*.parquet"))
    );
    driftmend_snapshot!("s3_mixed_formats", report(&bucket.uri("mixed")));
}

/// A recognisable secret in the environment, a flag and a policy never
/// appears in stdout, stderr or the written reports, whether the run
/// succeeds or fails (a missing bucket, an unreachable endpoint).
#[test]
fn s3_credentials_are_never_printed() {
    let Some(bucket) = Bucket::new("secrets") else {
        return;
    };
    bucket.upload("reference.parquet", "reference.parquet");
    bucket.upload("current_drifted.parquet", "current.parquet");
    let ctx = TestContext::new();
    let option = format!("aws_secret_access_key={OPTION_SECRET}");
    let mut outputs: Vec<Output> = Vec::new();
    let report = |current: &str, extra: &[&str]| {
        let reference = bucket.uri("reference.parquet");
        let mut args = vec![
            "report",
            "-r",
            &reference,
            "-c",
            current,
            "--storage-option",
            &option,
            "--output-json",
            "report.json",
            "--output-html",
            "report.html",
        ];
        args.extend_from_slice(extra);
        bucket.command(&ctx, &args).run().output
    };
    outputs.push(report(&bucket.uri("current.parquet"), &[]));
    assert_eq!(outputs[0].status.code(), Some(0));
    outputs.push(report(&format!("s3://{}-nope/x.parquet", bucket.name), &[]));
    outputs.push(report(
        &bucket.uri("current.parquet"),
        &["--storage-option", "aws_endpoint_url=http://127.0.0.1:1"],
    ));
    outputs.push(report(
        &bucket.uri("current.parquet"),
        &[
            "--storage-option",
            &format!("aws_secret_acces_key={OPTION_SECRET}"),
        ],
    ));
    // A policy's storage options: the secret from a variable, the
    // endpoint from the policy.
    ctx.write(
        "policy.yaml",
        format!(
            "version: 1
name: s3
data:
  reference: {}
  current: {}
  storage_options:
    aws_endpoint_url: {}
    aws_secret_access_key: \"{{{{ env.S3_SECRET }}}}\"
rules:
  - name: drift
    when: \"dataset.drift_share >= 0.3\"
    actions: [notify]
actions:
  notify:
    type: exec
    command: [\"true\"]
",
            bucket.uri("reference.parquet"),
            bucket.uri("current.parquet"),
            bucket.endpoint
        ),
    );
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--policy", "policy.yaml", "--dry-run"];
        args.extend_from_slice(extra);
        ctx.command(&args)
            .env("S3_SECRET", OPTION_SECRET)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKE")
            .run()
            .output
    };
    outputs.push(run(&["--report-output", "run.json"]));
    assert_eq!(
        outputs.last().unwrap().status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&outputs.last().unwrap().stderr)
    );
    outputs.push(run(&[
        "--current",
        &format!("s3://{}-nope/x.csv", bucket.name),
    ]));
    outputs.push(
        ctx.command(&["policy", "explain", "policy.yaml"])
            .run()
            .output,
    );
    let mut seen = String::new();
    for o in &outputs {
        seen.push_str(&String::from_utf8_lossy(&o.stdout));
        seen.push_str(&String::from_utf8_lossy(&o.stderr));
    }
    for file in ["report.json", "report.html", "run.json"] {
        seen.push_str(&std::fs::read_to_string(ctx.path().join(file)).unwrap());
    }
    // What was shown: the reports, both errors naming the URI, the bad key.
    assert!(seen.contains("does not exist"), "{seen}");
    assert!(seen.contains("Connection refused"), "{seen}");
    assert!(
        seen.contains("did you mean `aws_secret_access_key`"),
        "{seen}"
    );
    assert!(
        seen.contains("\"aws_secret_access_key\": \"***\""),
        "{seen}"
    );
    for secret in [SECRET, TOKEN, OPTION_SECRET] {
        assert!(!seen.contains(secret), "{secret} shown:\n{seen}");
    }
}

#[test]
fn unsupported_schemes_say_so() {
    let ctx = TestContext::new();
    let report = |current: &str| {
        ctx.command(&["report", "-r", &fixture("reference.parquet"), "-c", current])
    };
    driftmend_snapshot!("gs_not_supported", report("gs://bucket/data/*.parquet"));
    driftmend_snapshot!("az_not_supported", report("az://container/data.parquet"));
    driftmend_snapshot!(
        "storage_option_unknown_key",
        ctx.command(&[
            "report",
            "-r",
            "s3://b/r.parquet",
            "-c",
            "s3://b/c.parquet",
            "--storage-option",
            "endpoint_ur=http://x",
        ])
    );
}

/// The S3 server that checks credentials (SeaweedFS, one user), its
/// bucket `driftmend`, and that user's storage options.
struct AuthServer {
    endpoint: String,
    key_id: String,
    secret: String,
}

impl AuthServer {
    fn new() -> Option<AuthServer> {
        Some(AuthServer {
            endpoint: service("DRIFTMEND_TEST_S3_AUTH_ENDPOINT")?,
            key_id: service("DRIFTMEND_TEST_S3_AUTH_KEY_ID")?,
            secret: service("DRIFTMEND_TEST_S3_AUTH_SECRET")?,
        })
    }

    fn options(&self, secret: &str) -> driftmend::data::StorageOptions {
        driftmend::data::StorageOptions::parse(&[
            format!("aws_endpoint_url={}", self.endpoint),
            format!("aws_access_key_id={}", self.key_id),
            format!("aws_secret_access_key={secret}"),
            "aws_region=us-east-1".to_string(),
        ])
        .unwrap()
    }
}

/// Against a server that checks credentials: the right ones read, write
/// and report; a wrong secret is refused with an error that names the URI
/// and shows neither secret.
#[test]
fn s3_wrong_credentials_are_refused() {
    let Some(server) = AuthServer::new() else {
        return;
    };
    use driftmend::data::{read_object, write_object};
    let prefix = format!("s3://driftmend/auth-{}", std::process::id());
    let reference = format!("{prefix}/reference.parquet");
    let bytes = std::fs::read(fixture("reference.parquet")).unwrap();
    let good = server.options(&server.secret);
    write_object(&reference, bytes.clone(), &good).unwrap();
    assert_eq!(read_object(&reference, &good, 1 << 20).unwrap(), bytes);
    let too_big = read_object(&reference, &good, 1000)
        .unwrap_err()
        .to_string();
    assert_eq!(
        too_big,
        format!(
            "cannot access `{reference}`: the object is {} bytes, more than the limit of 1000",
            bytes.len()
        )
    );
    let wrong = server.options(SECRET);
    let refused = write_object(&format!("{prefix}/x.parquet"), bytes, &wrong)
        .unwrap_err()
        .to_string();
    assert_eq!(
        refused,
        format!(
            "cannot access `{prefix}/x.parquet`: access denied: the credentials were refused or lack permission"
        )
    );

    let ctx = TestContext::new();
    let report = |secret: &str| {
        ctx.command(&[
            "report",
            "-r",
            &reference,
            "-c",
            &fixture("current_drifted.parquet"),
            "--format",
            "json",
        ])
        .env("AWS_ENDPOINT_URL", &server.endpoint)
        .env("AWS_ACCESS_KEY_ID", &server.key_id)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .filter(&regex_escape(&prefix), "[PREFIX]")
        .filter(&regex_escape(&server.secret), "[GOOD SECRET]")
    };
    let local = ctx
        .command(&[
            "report",
            "-r",
            &fixture("reference.parquet"),
            "-c",
            &fixture("current_drifted.parquet"),
            "--format",
            "json",
        ])
        .run()
        .output;
    assert_eq!(
        comparable(&report(&server.secret).run().output),
        comparable(&local)
    );
    let o = driftmend_snapshot!("s3_wrong_secret_refused", report(SECRET));
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!shown.contains(SECRET) && !shown.contains(&server.secret));
}
