//! Data in object storage: `s3://bucket/key` URIs (a single object, a
//! prefix read as a directory, or a glob over keys), listed and downloaded
//! with the `object_store` crate polars itself builds on, then read by the
//! same readers as local files.
//!
//! Each object is downloaded, streamed in chunks, to a temporary file that is
//! deleted as soon as it has been read, so at most one object is on disk at a
//! time and nothing is held in memory beyond what reading a local file costs.
//! Credentials and endpoints come from the standard AWS environment
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
//! `AWS_REGION`, `AWS_ENDPOINT_URL`, ...) and from [`StorageOptions`]
//! (`--storage-option KEY=VALUE`, policy `data.storage_options`), which
//! override the environment.
//!
//! The async client runs on a runtime of its own, on a thread outside any
//! other runtime, so a caller inside tokio (the actions layer) cannot hit
//! "Cannot start a runtime from within a runtime". polars' own cloud readers
//! are never called: polars only ever sees a local file.
//!
//! Errors name the URI and never the credentials: every message built from
//! a store's error is scrubbed of the secret values in the environment and
//! the options.
//!
//! Use from other readers (profiles, streaming): [`Files::list`] a spec,
//! then [`Files::open`] each file to get a local path to read; small
//! whole objects (a profile) go through [`read_object`] and
//! [`write_object`].

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ::object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use ::object_store::path::Path as ObjectPath;
use ::object_store::{ClientConfigKey, ObjectStore, ObjectStoreExt, RetryConfig};
use futures::StreamExt;

use super::source::{expand, DataFile, Expanded, FileFormat};
use super::DataError;
use crate::policy::template::Secrets;

/// Options for object storage, `KEY=VALUE` as the `object_store` crate names
/// them (`aws_endpoint_url`, `aws_region`, `aws_access_key_id`, ...; the
/// `aws_` prefix is optional and case does not matter, so `AWS_REGION`
/// works too). They override the environment. Values of secret keys are
/// never shown, not even by `Debug`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct StorageOptions {
    /// (key as typed, lower-cased; its parsed key; value), in order: a
    /// later one wins.
    options: Vec<(String, AmazonS3ConfigKey, String)>,
}

/// A `--storage-option` or `data.storage_options` entry that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageOptionError {
    #[error("`{0}` is not KEY=VALUE")]
    NotKeyValue(String),
    #[error("`{key}` is not an S3 storage option{}", did_you_mean(.suggestion))]
    UnknownKey {
        key: String,
        suggestion: Option<&'static str>,
    },
}

fn did_you_mean(suggestion: &Option<&'static str>) -> String {
    suggestion.map_or_else(String::new, |s| format!(" (did you mean `{s}`?)"))
}

/// The keys users set most, for "did you mean" and the docs
/// (`docs/object-storage.md` lists what each does).
pub const COMMON_KEYS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_region",
    "aws_default_region",
    "aws_endpoint_url",
    "aws_allow_http",
    "aws_virtual_hosted_style_request",
    "aws_skip_signature",
    "aws_request_payer",
    "aws_role_arn",
    "aws_web_identity_token_file",
    "aws_server_side_encryption",
    "aws_sse_kms_key_id",
    "timeout",
    "connect_timeout",
    "proxy_url",
];

impl StorageOptions {
    /// Parses `KEY=VALUE` items (`--storage-option`, repeatable).
    pub fn parse(items: &[String]) -> Result<StorageOptions, StorageOptionError> {
        let mut options = StorageOptions::default();
        for item in items {
            let Some((key, value)) = item.split_once('=') else {
                // Never echo what may be a secret pasted without its key.
                let shown = if item.len() > 24 { "..." } else { item };
                return Err(StorageOptionError::NotKeyValue(shown.to_string()));
            };
            options.set(key.trim(), value)?;
        }
        Ok(options)
    }

    /// Sets one option (a policy's `data.storage_options` entry).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), StorageOptionError> {
        let key = key.to_ascii_lowercase();
        let parsed =
            key.parse::<AmazonS3ConfigKey>()
                .map_err(|_| StorageOptionError::UnknownKey {
                    suggestion: COMMON_KEYS
                        .iter()
                        .copied()
                        .map(|k| {
                            let bare = |k: &str| k.strip_prefix("aws_").unwrap_or(k).to_string();
                            (strsim::jaro_winkler(&bare(&key), &bare(k)), k)
                        })
                        .filter(|(score, _)| *score > 0.8)
                        .max_by(|a, b| a.0.total_cmp(&b.0))
                        .map(|(_, k)| k),
                    key: key.clone(),
                })?;
        self.options.push((key, parsed, value.to_string()));
        Ok(())
    }

    /// Whether `key` names an option (a policy's key, checked at load).
    pub fn check_key(key: &str) -> Result<(), StorageOptionError> {
        StorageOptions::default().set(key, "")
    }

    /// Options given by a policy, overridden by these (the flags).
    pub fn over(&self, policy: &StorageOptions) -> StorageOptions {
        let mut options = policy.options.clone();
        options.extend(self.options.iter().cloned());
        StorageOptions { options }
    }

    pub fn is_empty(&self) -> bool {
        self.options.is_empty()
    }

    /// The values to mask wherever a message might show them: those of
    /// secret options, and of the AWS credential variables.
    pub fn secrets(&self) -> Secrets {
        let mut secrets = Secrets::default();
        for (_, key, value) in &self.options {
            if is_secret(key) {
                secrets.add(value);
            }
        }
        for var in SECRET_VARS {
            if let Ok(value) = std::env::var(var) {
                secrets.add(&value);
            }
        }
        secrets
    }
}

/// Environment variables whose values are credentials.
const SECRET_VARS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
];

fn is_secret(key: &AmazonS3ConfigKey) -> bool {
    matches!(
        key,
        AmazonS3ConfigKey::AccessKeyId
            | AmazonS3ConfigKey::SecretAccessKey
            | AmazonS3ConfigKey::Token
    ) || key.as_ref() == "aws_sse_customer_key_base64"
}

impl fmt::Debug for StorageOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, key, value) in &self.options {
            if is_secret(key) {
                map.entry(name, &"***");
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

/// Whether `spec` is a URI (`scheme://...`) rather than a local path.
pub fn is_uri(spec: &str) -> bool {
    scheme(spec).is_some()
}

fn scheme(spec: &str) -> Option<&str> {
    let (scheme, _) = spec.split_once("://")?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// `s3://bucket/key`, split.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ObjectUri {
    bucket: String,
    /// Without a leading `/`; empty for the whole bucket.
    key: String,
}

impl ObjectUri {
    /// Parses a URI, refusing schemes this build cannot read.
    fn parse(uri: &str) -> Result<ObjectUri, DataError> {
        let unsupported = |message: String| DataError::Storage {
            uri: uri.to_string(),
            message,
            hint: "only `s3://` URIs are supported (any S3-compatible store through \
                   `AWS_ENDPOINT_URL`); copy other data to a local path first",
        };
        let scheme = scheme(uri).unwrap_or_default().to_ascii_lowercase();
        match scheme.as_str() {
            "s3" | "s3a" => {}
            "gs" | "gcs" => {
                return Err(unsupported(
                    "Google Cloud Storage is not supported in this build".into(),
                ))
            }
            "az" | "azure" | "abfs" | "abfss" | "adl" => {
                return Err(unsupported(
                    "Azure Blob Storage is not supported in this build".into(),
                ))
            }
            other => return Err(unsupported(format!("`{other}://` is not supported"))),
        }
        let rest = &uri[scheme.len() + 3..];
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() || bucket.contains(['*', '?', '[']) {
            return Err(DataError::Storage {
                uri: uri.to_string(),
                message: "no bucket name (or a wildcard in it)".into(),
                hint: "write `s3://BUCKET/KEY`; wildcards may appear in the key only",
            });
        }
        Ok(ObjectUri {
            bucket: bucket.to_string(),
            key: key.trim_start_matches('/').to_string(),
        })
    }

    fn object(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }
}

/// The files of a spec, local or in object storage: list once, then
/// [`Files::open`] each to read it.
pub struct Files {
    pub expanded: Expanded,
    remote: Option<Remote>,
}

impl Files {
    /// Expands `spec`: a local file, glob or directory (`expand`), or an
    /// object-storage URI (an object, a prefix read as a directory, a glob
    /// over keys), with the same rules for hidden files, markers like
    /// `_SUCCESS` and mixed formats.
    pub fn list(spec: &str, storage: &StorageOptions) -> Result<Files, DataError> {
        if !is_uri(spec) {
            return Ok(Files {
                expanded: expand(spec)?,
                remote: None,
            });
        }
        let mut remote = Remote::connect(spec, storage)?;
        let expanded = remote.list()?;
        Ok(Files {
            expanded,
            remote: Some(remote),
        })
    }

    /// A local file to read for `file` (one of `self.expanded.files`): the
    /// file itself, or a temporary copy of the object, deleted when the
    /// returned value is dropped.
    pub fn open(&self, file: &DataFile) -> Result<Opened, DataError> {
        match &self.remote {
            None => Ok(Opened {
                file: file.clone(),
                _temp: None,
            }),
            Some(remote) => remote.download(file),
        }
    }
}

/// A file on the local file system, ready to read (see [`Files::open`]).
#[derive(Debug)]
pub struct Opened {
    pub file: DataFile,
    _temp: Option<tempfile::TempPath>,
}

/// One bucket, its client and the runtime that drives it.
struct Remote {
    uri: String,
    object: ObjectUri,
    store: AmazonS3,
    runtime: tokio::runtime::Runtime,
    secrets: Secrets,
    /// Keys as listed (the URI shown -> the store's path).
    listed: HashMap<String, ObjectPath>,
}

const HINT_CREDENTIALS: &str = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and \
    AWS_SESSION_TOKEN for temporary credentials), or pass them with `--storage-option`; \
    see docs/object-storage.md";
const HINT_NO_CREDENTIALS: &str = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass \
    `--storage-option aws_skip_signature=true` for a public bucket; see docs/object-storage.md";
const HINT_BUCKET: &str = "check the bucket name, and AWS_ENDPOINT_URL / AWS_REGION for \
    where it lives";
const HINT_STORE: &str = "check AWS_ENDPOINT_URL, AWS_REGION and the network; \
    docs/object-storage.md lists the settings";

impl Remote {
    fn connect(uri: &str, storage: &StorageOptions) -> Result<Remote, DataError> {
        let object = ObjectUri::parse(uri)?;
        let secrets = storage.secrets();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|source| DataError::Io {
                path: uri.to_string(),
                source,
            })?;
        let mut builder = AmazonS3Builder::from_env();
        for (_, key, value) in &storage.options {
            builder = builder.with_config(*key, value);
        }
        builder = builder
            .with_bucket_name(&object.bucket)
            .with_retry(RetryConfig {
                // The default retries for 3 minutes: a wrong endpoint would
                // look like a hang.
                max_retries: 3,
                retry_timeout: Duration::from_secs(30),
                ..RetryConfig::default()
            });
        let endpoint = [AmazonS3ConfigKey::Endpoint, AmazonS3ConfigKey::S3Endpoint]
            .iter()
            .find_map(|k| builder.get_config_value(k));
        let allow_http = AmazonS3ConfigKey::Client(ClientConfigKey::AllowHttp);
        let allow_http_set = std::env::var_os("AWS_ALLOW_HTTP").is_some()
            || storage.options.iter().any(|(_, key, _)| *key == allow_http);
        if endpoint
            .as_deref()
            .is_some_and(|e| e.starts_with("http://"))
            && !allow_http_set
        {
            // An explicit `http://` endpoint (a local MinIO, moto) is what
            // the user asked for.
            builder = builder.with_allow_http(true);
        }
        let region_set = [AmazonS3ConfigKey::Region, AmazonS3ConfigKey::DefaultRegion]
            .iter()
            .any(|k| builder.get_config_value(k).is_some());
        if endpoint.is_none() && !region_set {
            // Like the AWS CLI: ask AWS where the bucket lives rather than
            // fail with a redirect. Failing that, the request itself says.
            let resolved = block_on(&runtime, async {
                ::object_store::aws::resolve_bucket_region(
                    &object.bucket,
                    &::object_store::ClientOptions::default(),
                )
                .await
            });
            if let Ok(region) = resolved {
                builder = builder.with_region(region);
            }
        }
        let store = {
            let _context = runtime.enter();
            builder.build()
        }
        .map_err(|e| DataError::Storage {
            uri: uri.to_string(),
            message: first_line(&secrets.scrub(&e.to_string())),
            hint: "check the storage options and AWS_* variables; docs/object-storage.md \
                   lists them",
        })?;
        Ok(Remote {
            uri: uri.to_string(),
            object,
            store,
            runtime,
            secrets,
            listed: HashMap::new(),
        })
    }

    fn run<F>(&self, future: F) -> F::Output
    where
        F: Future + Send,
        F::Output: Send,
    {
        block_on(&self.runtime, future)
    }

    /// The objects the URI names: see [`Files::list`].
    fn list(&mut self) -> Result<Expanded, DataError> {
        let key = self.object.key.clone();
        let (keys, single) = if key.contains(['*', '?', '[']) {
            (self.glob(&key)?, false)
        } else if key.is_empty() || key.ends_with('/') {
            (self.under(&key)?, false)
        } else {
            let path = ObjectPath::from(key.as_str());
            match self.run(self.store.head(&path)) {
                Ok(_) => (vec![path], true),
                Err(::object_store::Error::NotFound { .. }) => {
                    let keys = self.under(&key)?;
                    if keys.is_empty() {
                        return Err(DataError::NotFound(self.uri.clone()));
                    }
                    (keys, false)
                }
                Err(e) => return Err(self.error(&self.uri, e)),
            }
        };
        let mut files = Vec::new();
        for path in keys {
            let uri = self.object.object(path.as_ref());
            let format = FileFormat::from_path(Path::new(path.as_ref()));
            if single && format.is_none() {
                return Err(DataError::UnknownFormat(self.uri.clone()));
            }
            if !single && (format.is_none() || hidden(path.as_ref())) {
                continue;
            }
            self.listed.insert(uri.clone(), path);
            files.push(DataFile {
                path: PathBuf::from(uri),
                format,
                stream: false,
            });
        }
        if files.is_empty() {
            return Err(DataError::NoFiles(self.uri.clone()));
        }
        files.sort();
        let first = files[0].format;
        if let Some(other) = files.iter().find(|f| f.format != first) {
            return Err(DataError::MixedFormats {
                spec: self.uri.clone(),
                example: other.path.display().to_string(),
            });
        }
        Ok(Expanded {
            files,
            warnings: Vec::new(),
        })
    }

    /// Every object under `prefix` (a "directory": whole path segments).
    fn under(&self, prefix: &str) -> Result<Vec<ObjectPath>, DataError> {
        let prefix = prefix.trim_end_matches('/');
        let path = (!prefix.is_empty()).then(|| ObjectPath::from(prefix));
        let store = &self.store;
        let listed = self.run(async {
            let mut stream = store.list(path.as_ref());
            let mut out = Vec::new();
            while let Some(meta) = stream.next().await {
                out.push(meta?.location);
            }
            Ok::<_, ::object_store::Error>(out)
        });
        listed.map_err(|e| self.error(&self.uri, e))
    }

    /// The objects whose keys match the glob `pattern` (`*` and `?` stay
    /// within one segment, `**` crosses them), listed from the segments
    /// before its first wildcard.
    fn glob(&self, pattern: &str) -> Result<Vec<ObjectPath>, DataError> {
        let matcher = glob::Pattern::new(pattern).map_err(|e| DataError::BadGlob {
            spec: self.uri.clone(),
            reason: e.msg.to_string(),
        })?;
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        let wild = pattern.find(['*', '?', '[']).unwrap_or(pattern.len());
        let base = pattern[..wild].rfind('/').map_or("", |i| &pattern[..i]);
        Ok(self
            .under(base)?
            .into_iter()
            .filter(|p| matcher.matches_with(p.as_ref(), options))
            .collect())
    }

    /// Streams the object to a temporary file.
    fn download(&self, file: &DataFile) -> Result<Opened, DataError> {
        let uri = file.path.display().to_string();
        let path = match self.listed.get(&uri) {
            Some(path) => path.clone(),
            None => ObjectPath::from(ObjectUri::parse(&uri)?.key.as_str()),
        };
        let io_err = |source| DataError::Io {
            path: uri.clone(),
            source,
        };
        let mut temp = tempfile::Builder::new()
            .prefix(".driftmend-object-")
            .tempfile()
            .map_err(io_err)?;
        let store = &self.store;
        let written = self.run(async {
            let mut stream = store.get(&path).await?.into_stream();
            while let Some(chunk) = stream.next().await {
                temp.write_all(&chunk?)
                    .map_err(|e| ::object_store::Error::Generic {
                        store: "local temporary file",
                        source: Box::new(e),
                    })?;
            }
            Ok::<_, ::object_store::Error>(())
        });
        written.map_err(|e| self.error(&uri, e))?;
        temp.flush().map_err(io_err)?;
        Ok(Opened {
            file: DataFile {
                path: temp.path().to_path_buf(),
                format: file.format,
                stream: false,
            },
            _temp: Some(temp.into_temp_path()),
        })
    }

    /// A store's error as this URI's, without credentials.
    fn error(&self, uri: &str, e: ::object_store::Error) -> DataError {
        storage_error(uri, &self.object.bucket, &self.secrets, e)
    }
}

fn storage_error(
    uri: &str,
    bucket: &str,
    secrets: &Secrets,
    e: ::object_store::Error,
) -> DataError {
    use ::object_store::Error as E;
    let text = secrets.scrub(&error_chain(&e));
    let denied = [
        "AccessDenied",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
    ];
    let (message, hint) = if text.contains("NoSuchBucket") {
        (format!("the bucket `{bucket}` does not exist"), HINT_BUCKET)
    } else if text.contains("169.254.169.254") || text.contains("169.254.170.2") {
        // No credentials in the environment: object_store fell back to the
        // EC2/ECS metadata service, which is not there.
        (
            "no credentials found (none in the environment or options, and no \
             instance metadata service answered)"
                .to_string(),
            HINT_NO_CREDENTIALS,
        )
    } else if matches!(e, E::PermissionDenied { .. } | E::Unauthenticated { .. })
        || denied.iter().any(|code| text.contains(code))
    {
        (
            "access denied: the credentials were refused or lack permission".to_string(),
            HINT_CREDENTIALS,
        )
    } else if matches!(e, E::NotFound { .. }) {
        return DataError::NotFound(uri.to_string());
    } else {
        (first_line(&text), HINT_STORE)
    };
    DataError::Storage {
        uri: uri.to_string(),
        message,
        hint,
    }
}

/// An error and its sources, on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let next = cause.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = cause.source();
    }
    text
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").trim().to_string()
}

/// A file or a directory in the key hidden like local ones: a segment
/// starting with `.`, or a file name starting with `_` (`_SUCCESS`).
fn hidden(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    name.starts_with('_') || key.split('/').any(|segment| segment.starts_with('.'))
}

/// Runs `future` on `runtime`, from a thread of its own when the caller is
/// already inside a tokio runtime (where `block_on` would panic).
fn block_on<F>(runtime: &tokio::runtime::Runtime, future: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|scope| {
            scope
                .spawn(|| runtime.block_on(future))
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    } else {
        runtime.block_on(future)
    }
}

/// The whole object at `uri` (a profile), refused beyond `limit` bytes.
pub fn read_object(uri: &str, storage: &StorageOptions, limit: u64) -> Result<Vec<u8>, DataError> {
    let remote = Remote::connect(uri, storage)?;
    let path = ObjectPath::from(remote.object.key.as_str());
    let store = &remote.store;
    let result = remote.run(async {
        let got = store.get(&path).await?;
        let size = got.meta.size;
        if size > limit {
            return Ok(Err(size));
        }
        Ok(Ok(got.bytes().await?.to_vec()))
    });
    match result {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(size)) => Err(DataError::Storage {
            uri: uri.to_string(),
            message: format!("the object is {size} bytes, more than the limit of {limit}"),
            hint: "check that the URI names the file meant",
        }),
        Err(e) => Err(remote.error(uri, e)),
    }
}

/// Writes `bytes` to `uri` in one request (S3 replaces an object
/// atomically: readers see the old or the new one, never a part).
pub fn write_object(uri: &str, bytes: Vec<u8>, storage: &StorageOptions) -> Result<(), DataError> {
    let remote = Remote::connect(uri, storage)?;
    let path = ObjectPath::from(remote.object.key.as_str());
    let store = &remote.store;
    remote
        .run(async { store.put(&path, bytes.into()).await })
        .map(|_| ())
        .map_err(|e| remote.error(uri, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_their_schemes() {
        assert!(is_uri("s3://b/k.parquet"));
        assert!(is_uri("gs://b/k"));
        assert!(!is_uri("data/x.parquet"));
        assert!(!is_uri("/tmp/a://b"));
        assert!(!is_uri("://b"));
        assert_eq!(
            ObjectUri::parse("s3://bkt/a/b.csv").unwrap(),
            ObjectUri {
                bucket: "bkt".into(),
                key: "a/b.csv".into()
            }
        );
        assert_eq!(ObjectUri::parse("s3://bkt").unwrap().key, "");
        for (uri, says) in [
            (
                "gs://b/k",
                "Google Cloud Storage is not supported in this build",
            ),
            (
                "az://b/k",
                "Azure Blob Storage is not supported in this build",
            ),
            ("ftp://b/k", "`ftp://` is not supported"),
            ("s3:///k", "no bucket name"),
            ("s3://b*/k", "no bucket name"),
        ] {
            let e = ObjectUri::parse(uri).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("cannot access `{uri}`: {says}")),
                "{e}"
            );
        }
    }

    #[test]
    fn options_parse_and_never_show_secrets() {
        let options = StorageOptions::parse(&[
            "AWS_ENDPOINT_URL=http://127.0.0.1:9000".into(),
            "region=eu-west-1".into(),
            "aws_secret_access_key=s3cr3t-value".into(),
            "token=tok-value".into(),
        ])
        .unwrap();
        let shown = format!("{options:?}");
        assert_eq!(
            shown,
            r#"{"aws_endpoint_url": "http://127.0.0.1:9000", "region": "eu-west-1", "aws_secret_access_key": "***", "token": "***"}"#
        );
        let secrets = options.secrets();
        assert_eq!(
            secrets.scrub("key s3cr3t-value and tok-value"),
            "key *** and ***"
        );
        assert_eq!(
            StorageOptions::parse(&["aws_endpont_url=x".into()])
                .unwrap_err()
                .to_string(),
            "`aws_endpont_url` is not an S3 storage option (did you mean `aws_endpoint_url`?)"
        );
        assert_eq!(
            StorageOptions::parse(&["AKIAEXAMPLEKEYWITHOUTEQUALS".into()])
                .unwrap_err()
                .to_string(),
            "`...` is not KEY=VALUE"
        );
        // Flags override the policy's options.
        let policy = StorageOptions::parse(&["region=a".into()]).unwrap();
        let flags = StorageOptions::parse(&["region=b".into()]).unwrap();
        assert_eq!(
            format!("{:?}", flags.over(&policy)),
            r#"{"region": "a", "region": "b"}"#
        );
    }

    #[test]
    fn hidden_keys_like_local_files() {
        assert!(hidden("t/_SUCCESS"));
        assert!(hidden("t/.tmp/part-0.parquet"));
        assert!(hidden("t/.part-0.parquet.crc"));
        assert!(!hidden("t/dt=1/part-0.parquet"));
        assert!(!hidden("t/_dir/part-0.parquet"));
    }

    #[test]
    fn errors_name_the_uri_and_scrub_secrets() {
        let secrets: Secrets = ["hunter2-secret"].into_iter().collect();
        let e = storage_error(
            "s3://b/k.parquet",
            "b",
            &secrets,
            ::object_store::Error::Generic {
                store: "S3",
                source: "request with hunter2-secret failed\nmore".into(),
            },
        );
        assert_eq!(
            e.to_string(),
            "cannot access `s3://b/k.parquet`: Generic S3 error: request with *** failed"
        );
        let e = storage_error(
            "s3://nope/k",
            "nope",
            &secrets,
            ::object_store::Error::NotFound {
                path: "k".into(),
                source: "<Code>NoSuchBucket</Code>".into(),
            },
        );
        assert_eq!(
            e.to_string(),
            "cannot access `s3://nope/k`: the bucket `nope` does not exist"
        );
        let e = storage_error(
            "s3://b/k",
            "b",
            &secrets,
            ::object_store::Error::NotFound {
                path: "k".into(),
                source: "<Code>NoSuchKey</Code>".into(),
            },
        );
        assert_eq!(e.to_string(), "`s3://b/k` does not exist");
        let e = storage_error(
            "s3://b/k",
            "b",
            &secrets,
            ::object_store::Error::Generic {
                store: "S3",
                source: "Error performing PUT http://169.254.169.254/latest/api/token".into(),
            },
        );
        assert!(matches!(
            e,
            DataError::Storage {
                hint: HINT_NO_CREDENTIALS,
                ..
            }
        ));
        assert_eq!(
            e.to_string(),
            "cannot access `s3://b/k`: no credentials found (none in the environment or \
             options, and no instance metadata service answered)"
        );
    }

    /// Called from inside a tokio runtime (as the actions layer runs), the
    /// client still works: no nested-runtime panic.
    #[test]
    fn block_on_works_inside_a_runtime() {
        let ours = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let outer = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let got = outer.block_on(async { block_on(&ours, async { 41 + 1 }) });
        assert_eq!(got, 42);
    }
}
