//! The profile file format: bytes in, bytes out (pure; the commands do the
//! files).
//!
//! ```text
//! offset  size  content
//! 0       8     magic  89 'D' 'M' 'P' 'R' 'O' 'F' 0A
//! 8       4     format version, u32 little-endian (this build: 1)
//! 12      8     payload length, u64 little-endian
//! 20      n     payload: the `Profile` as MessagePack (rmp-serde, compact)
//! 20+n    32    SHA-256 of the payload
//! ```
//!
//! The high first byte and the newline catch text-mode transfers, as PNG's
//! signature does. A file is refused before decoding when it is larger than
//! [`MAX_BYTES`], when the version is not [`FORMAT_VERSION`], when the length
//! does not match, or when the checksum differs; after decoding, the
//! summary is checked for consistency (counts add up, buckets sorted).

use sha2::{Digest, Sha256};

use super::{Profile, Summary};

/// The first bytes of every profile.
pub const MAGIC: &[u8; 8] = b"\x89DMPROF\n";

/// The version this build writes and reads. Bumped on any change to the
/// payload's shape; older files are refused with a hint to rebuild them.
pub const FORMAT_VERSION: u32 = 1;

/// Profiles larger than this are refused (a 1M x 24 profile is a few MiB).
pub const MAX_BYTES: u64 = 1 << 30;

const HEADER: usize = 8 + 4 + 8;
const CHECKSUM: usize = 32;

/// Why bytes are not a usable profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("not a driftmend profile (it does not start with the profile magic bytes)")]
    NotAProfile,
    #[error("profile format version {found} is not supported (this driftmend reads version {supported}); rebuild it with `driftmend profile`")]
    Version { found: u32, supported: u32 },
    #[error("the profile is truncated: expected {expected} bytes, found {found}")]
    Truncated { expected: u64, found: u64 },
    #[error("the profile is larger than the {limit}-byte limit")]
    TooLarge { limit: u64 },
    #[error("the profile is corrupt: its checksum does not match")]
    Checksum,
    #[error("the profile is corrupt: {0}")]
    Invalid(String),
}

/// Whether `head` (the first bytes of a file) starts like a profile.
pub fn is_profile(head: &[u8]) -> bool {
    head.starts_with(MAGIC)
}

pub fn encode(profile: &Profile) -> Vec<u8> {
    let payload = rmp_serde::to_vec(profile).expect("a profile always serialises");
    let mut out = Vec::with_capacity(HEADER + payload.len() + CHECKSUM);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&Sha256::digest(&payload));
    out
}

pub fn decode(bytes: &[u8]) -> Result<Profile, FormatError> {
    if !is_profile(bytes) {
        return Err(FormatError::NotAProfile);
    }
    if bytes.len() as u64 > MAX_BYTES {
        return Err(FormatError::TooLarge { limit: MAX_BYTES });
    }
    if bytes.len() < HEADER {
        return Err(FormatError::Truncated {
            expected: HEADER as u64,
            found: bytes.len() as u64,
        });
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(FormatError::Version {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let len = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
    let expected = (HEADER as u64)
        .saturating_add(len)
        .saturating_add(CHECKSUM as u64);
    if expected != bytes.len() as u64 {
        return Err(FormatError::Truncated {
            expected,
            found: bytes.len() as u64,
        });
    }
    let payload = &bytes[HEADER..HEADER + len as usize];
    if Sha256::digest(payload).as_slice() != &bytes[HEADER + len as usize..] {
        return Err(FormatError::Checksum);
    }
    let profile: Profile =
        rmp_serde::from_slice(payload).map_err(|e| FormatError::Invalid(e.to_string()))?;
    validate(&profile).map_err(FormatError::Invalid)?;
    Ok(profile)
}

/// The invariants the rest of the code relies on, so a hand-made or
/// damaged profile is refused instead of producing nonsense.
fn validate(p: &Profile) -> Result<(), String> {
    let mut names = std::collections::HashSet::new();
    for c in &p.columns {
        if !names.insert(c.name.as_str()) {
            return Err(format!("column `{}` appears twice", c.name));
        }
        let bad = |what: &str| Err(format!("column `{}`: {what}", c.name));
        match &c.summary {
            Summary::Numbers(n) => {
                if n.null + n.nan + n.infinite + n.count > p.rows {
                    return bad("more values than rows");
                }
                if n.buckets.windows(2).any(|w| w[0].key >= w[1].key) {
                    return bad("buckets out of order");
                }
                if n.buckets.iter().map(|b| b.count).sum::<u64>() != n.count {
                    return bad("bucket counts do not add up");
                }
                if n.buckets.iter().any(|b| {
                    b.count == 0
                        || !(b.min.is_finite() && b.max.is_finite() && b.min <= b.max)
                        || super::bucket_key(b.min) != b.key
                        || super::bucket_key(b.max) != b.key
                }) {
                    return bad("a bucket is empty or holds values of another bucket");
                }
                if let Some(exact) = &n.exact {
                    if exact.len() > super::MAX_EXACT_VALUES
                        || exact.windows(2).any(|w| w[0].0.total_cmp(&w[1].0).is_ge())
                        || exact.iter().any(|(v, _)| !v.is_finite())
                        || exact.iter().map(|(_, k)| k).sum::<u64>() != n.count
                    {
                        return bad("exact value counts are inconsistent");
                    }
                }
            }
            Summary::Labels(l) => {
                if l.counts.len() > super::MAX_LABELS
                    || l.counts.windows(2).any(|w| w[0].0 >= w[1].0)
                {
                    return bad("label counts are inconsistent");
                }
                let total = l.counts.iter().map(|(_, k)| k).sum::<u64>() + l.null + l.other;
                if total > p.rows {
                    return bad("more values than rows");
                }
            }
            Summary::Temporal { null, distinct, .. } => {
                if *null > p.rows || *distinct > p.rows {
                    return bad("more values than rows");
                }
            }
            Summary::Unsupported { null } => {
                if *null > p.rows {
                    return bad("more values than rows");
                }
            }
        }
    }
    Ok(())
}
