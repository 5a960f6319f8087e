//! Secret values met while rendering templates, and the one scrubber that
//! masks them in free text: a child's output, an error page, a URL, a
//! message, the audit log. Pure.
//!
//! # What is masked
//!
//! Every occurrence of a secret, replaced by `***`, also when it is written
//!
//! - percent-encoded, any of its bytes, hex in either case, a space as
//!   `%20` or `+` (URLs, form bodies);
//! - JSON-escaped: `\"`, `\\`, `\/`, `\n` and the other short escapes, and
//!   `\uXXXX` in either case (a surrogate pair above U+FFFF), as serde_json,
//!   Python's `json.dumps` and others write it;
//! - HTML-escaped: `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#34;`, `&#39;`,
//!   `&#x27;`, `&apos;` (error pages);
//! - any mix of those, character by character;
//! - in base64, standard or URL-safe, padded or not: the secret's own
//!   encoding, and the stretch of a longer base64 text that encodes it
//!   wherever it falls (`user:secret` in a basic-auth header). The one or
//!   two characters at either end of that stretch, which it shares with its
//!   neighbours, stay.
//!
//! Occurrences that overlap (two secrets sharing text, a secret that
//! repeats into itself) become one mask, so no part of either is left.
//!
//! Secrets shorter than 4 characters are collected but not scrubbed from
//! free text: a 1-3 character value (`1`, `on`, `dev`) also occurs by
//! chance, and replacing every occurrence would mangle output while hiding
//! nothing a guess would not find. Not recognised: encodings applied twice
//! (`%2520`), and others (hex, gzip, ...).

use std::fmt;

use base64::Engine as _;

/// What a secret is replaced with.
pub const REDACTED: &str = "***";

/// Secret values met while rendering, to scrub them from outputs.
#[derive(Clone, PartialEq, Default)]
pub struct Secrets {
    values: Vec<String>,
    /// What [`Secrets::scrub`] looks for: each secret long enough to scrub
    /// and the base64 texts that encode it, without repeats.
    forms: Vec<Form>,
    /// For each byte, the forms that can start with it: most bytes of most
    /// texts start none, so they cost one look-up.
    by_first_byte: Vec<Vec<usize>>,
}

/// Says how many, never what: a derived `Debug` would print the secrets
/// into logs and panic messages.
impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets({} values)", self.values.len())
    }
}

impl Secrets {
    /// Secrets shorter than this (in characters) are not scrubbed from free
    /// text (see the module documentation).
    pub const MIN_SCRUB_LEN: usize = 4;

    /// Records a secret value (empty and repeated values are ignored).
    pub fn add(&mut self, secret: &str) {
        if secret.is_empty() || self.values.iter().any(|s| s == secret) {
            return;
        }
        self.values.push(secret.to_string());
        if secret.chars().count() < Self::MIN_SCRUB_LEN {
            return;
        }
        for text in std::iter::once(secret.to_string()).chain(base64_forms(secret.as_bytes())) {
            if self.forms.iter().any(|f| f.text == text) {
                continue;
            }
            let form = Form::new(text);
            self.by_first_byte.resize(256, Vec::new());
            for (byte, forms) in self.by_first_byte.iter_mut().enumerate() {
                if form.starts[byte] {
                    forms.push(self.forms.len());
                }
            }
            self.forms.push(form);
        }
    }

    pub fn extend(&mut self, other: &Secrets) {
        for secret in &other.values {
            self.add(secret);
        }
    }

    /// The secret values met so far.
    pub fn values(&self) -> &[String] {
        &self.values
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// `text` with every secret of at least [`Self::MIN_SCRUB_LEN`]
    /// characters, in any of the forms the module documentation lists,
    /// replaced by `***`.
    pub fn scrub(&self, text: &str) -> String {
        // A match spans whole characters, so the result is valid UTF-8.
        String::from_utf8_lossy(&self.scrub_bytes(text.as_bytes(), 0)).into_owned()
    }

    /// `bytes[from..]` scrubbed as by [`Self::scrub`], including a secret
    /// that starts before `from` and ends after it: a partial secret is
    /// still a leak. For the tail of a stream, kept with
    /// [`Self::longest_match`] bytes more before it.
    pub fn scrub_bytes(&self, bytes: &[u8], from: usize) -> Vec<u8> {
        let from = from.min(bytes.len());
        let mut out = Vec::with_capacity(bytes.len() - from);
        let mut pos = from;
        let mut masked_to = None;
        for (start, end) in self.matches(bytes, from) {
            if end <= pos {
                continue;
            }
            if start < pos && masked_to == Some(pos) {
                // Overlaps the mask just written: extend it.
            } else {
                out.extend_from_slice(&bytes[pos..start.max(pos)]);
                out.extend_from_slice(REDACTED.as_bytes());
            }
            pos = end;
            masked_to = Some(end);
        }
        out.extend_from_slice(&bytes[pos..]);
        out
    }

    /// The most bytes one masked occurrence can span (a secret spelled with
    /// the longest escapes); 0 when nothing is scrubbed.
    pub fn longest_match(&self) -> usize {
        self.forms.iter().map(|f| f.longest).max().unwrap_or(0)
    }

    /// Every occurrence `(start, end)` of every form that ends after
    /// `from`, sorted by start.
    fn matches(&self, bytes: &[u8], from: usize) -> Vec<(usize, usize)> {
        let mut hits = Vec::new();
        if self.forms.is_empty() {
            return hits;
        }
        let mut ends = (Vec::new(), Vec::new());
        let first = from.saturating_sub(self.longest_match());
        for (start, &byte) in bytes.iter().enumerate().skip(first) {
            for &form in &self.by_first_byte[usize::from(byte)] {
                if let Some(end) = self.forms[form].match_at(bytes, start, &mut ends) {
                    if end > from {
                        hits.push((start, end));
                    }
                }
            }
        }
        hits
    }
}

/// Secrets from values, as by [`Secrets::add`] one by one.
impl<S: AsRef<str>> FromIterator<S> for Secrets {
    fn from_iter<I: IntoIterator<Item = S>>(values: I) -> Secrets {
        let mut secrets = Secrets::default();
        for value in values {
            secrets.add(value.as_ref());
        }
        secrets
    }
}

/// A text to mask, with each character's spellings.
#[derive(Clone, PartialEq)]
struct Form {
    text: String,
    chars: Vec<Vec<Spelling>>,
    /// Bytes the first character's spellings can start with.
    starts: [bool; 256],
    /// The most bytes a match can span.
    longest: usize,
}

/// One way a character may be written.
#[derive(Clone, PartialEq)]
struct Spelling {
    bytes: Vec<u8>,
    /// Hex digits in either case (`%c3`, `\u00E9`).
    any_case: bool,
}

impl Spelling {
    fn exact(bytes: impl Into<Vec<u8>>) -> Spelling {
        Spelling {
            bytes: bytes.into(),
            any_case: false,
        }
    }

    fn any_case(text: String) -> Spelling {
        Spelling {
            bytes: text.into_bytes(),
            any_case: true,
        }
    }

    fn is_at(&self, text: &[u8], at: usize) -> bool {
        match text.get(at..at + self.bytes.len()) {
            Some(there) if self.any_case => there.eq_ignore_ascii_case(&self.bytes),
            Some(there) => there == self.bytes.as_slice(),
            None => false,
        }
    }
}

impl Form {
    fn new(text: String) -> Form {
        let chars: Vec<Vec<Spelling>> = text.chars().map(spellings).collect();
        let mut starts = [false; 256];
        for spelling in chars.first().into_iter().flatten() {
            if let Some(&b) = spelling.bytes.first() {
                starts[usize::from(b)] = true;
                if spelling.any_case {
                    starts[usize::from(b.to_ascii_lowercase())] = true;
                    starts[usize::from(b.to_ascii_uppercase())] = true;
                }
            }
        }
        let longest = chars
            .iter()
            .map(|s| s.iter().map(|s| s.bytes.len()).max().unwrap_or(0))
            .sum();
        Form {
            text,
            chars,
            starts,
            longest,
        }
    }

    /// The end of the longest occurrence starting at `start`, if any.
    /// Spellings can overlap (`%` and `%25`), so every position reachable
    /// after each character is followed; `ends` are reused buffers.
    fn match_at(
        &self,
        text: &[u8],
        start: usize,
        ends: &mut (Vec<usize>, Vec<usize>),
    ) -> Option<usize> {
        if !text
            .get(start)
            .is_some_and(|&b| self.starts[usize::from(b)])
        {
            return None;
        }
        let (now, next) = ends;
        now.clear();
        now.push(start);
        for spellings in &self.chars {
            next.clear();
            for &at in now.iter() {
                next.extend(
                    spellings
                        .iter()
                        .filter(|s| s.is_at(text, at))
                        .map(|s| at + s.bytes.len()),
                );
            }
            if next.is_empty() {
                return None;
            }
            next.sort_unstable();
            next.dedup();
            std::mem::swap(now, next);
        }
        now.last().copied()
    }
}

/// The ways `c` may be written in a URL, a form, JSON or HTML.
fn spellings(c: char) -> Vec<Spelling> {
    let mut utf8 = [0u8; 4];
    let utf8 = c.encode_utf8(&mut utf8).as_bytes();
    let mut out = vec![
        Spelling::exact(utf8),
        Spelling::any_case(utf8.iter().map(|b| format!("%{b:02X}")).collect()),
        Spelling::any_case(
            c.encode_utf16(&mut [0u16; 2])
                .iter()
                .map(|u| format!("\\u{u:04X}"))
                .collect(),
        ),
    ];
    let json_short = match c {
        '"' => Some("\\\""),
        '\\' => Some("\\\\"),
        '/' => Some("\\/"),
        '\u{8}' => Some("\\b"),
        '\u{c}' => Some("\\f"),
        '\n' => Some("\\n"),
        '\r' => Some("\\r"),
        '\t' => Some("\\t"),
        _ => None,
    };
    let html: &[&str] = match c {
        '&' => &["&amp;"],
        '<' => &["&lt;"],
        '>' => &["&gt;"],
        '"' => &["&quot;", "&#34;"],
        '\'' => &["&#39;", "&#x27;", "&apos;"],
        _ => &[],
    };
    let form = (c == ' ').then_some("+");
    out.extend(
        json_short
            .into_iter()
            .chain(html.iter().copied())
            .chain(form)
            .map(Spelling::exact),
    );
    out
}

/// The base64 texts that give `secret` away, in both alphabets: its own
/// encoding, padded and not, and for each of the three places it can start
/// at in a longer encoded text, the characters that encode only its bytes.
fn base64_forms(secret: &[u8]) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
    let whole = STANDARD.encode(secret);
    let mut forms = vec![whole.trim_end_matches('=').to_string(), whole.clone()];
    for offset in 0..3usize {
        // Character i stands for bits 6i..6i+6 of the encoded bytes; keep
        // those that lie within the secret's bits 8*offset..8*(offset+len).
        let mut shifted = vec![0u8; offset];
        shifted.extend_from_slice(secret);
        let encoded = STANDARD_NO_PAD.encode(&shifted);
        let first = (8 * offset).div_ceil(6);
        let end = (8 * (offset + secret.len())) / 6;
        if let Some(core) = encoded.get(first..end) {
            forms.push(core.to_string());
        }
    }
    let url_safe: Vec<String> = forms
        .iter()
        .map(|f| f.replace('+', "-").replace('/', "_"))
        .collect();
    forms.extend(url_safe);
    forms.retain(|f| f.len() >= Secrets::MIN_SCRUB_LEN);
    forms.sort();
    forms.dedup();
    forms
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    use proptest::prelude::*;

    fn secrets(values: &[&str]) -> Secrets {
        values.iter().collect()
    }

    #[test]
    fn scrub_handles_overlaps_repeats_and_short_secrets() {
        let mut s = secrets(&["abcd", "abcdefgh", "abcd", "", "xyz"]);
        s.extend(&secrets(&["tok€n"]));
        assert_eq!(s.values(), ["abcd", "abcdefgh", "xyz", "tok€n"]);
        let cases = [
            ("abcdefgh and abcd and abcdabcd", "*** and *** and ******"),
            ("xyz is short", "xyz is short"),
            ("a tok€n here", "a *** here"),
            ("nothing", "nothing"),
            ("", ""),
        ];
        for (text, scrubbed) in cases {
            assert_eq!(s.scrub(text), scrubbed, "{text}");
        }
        assert_eq!(Secrets::default().scrub("abcd"), "abcd");
        assert_eq!(Secrets::default().longest_match(), 0);
    }

    #[test]
    fn overlapping_secrets_leave_no_part_of_either() {
        // Sequential replacement, longest first, used to leave `ef` here.
        let s = secrets(&["abcd", "cdef"]);
        assert_eq!(s.scrub("xabcdefx"), "x***x");
        assert_eq!(s.scrub("abcdabcd"), "******");
        let s = secrets(&["abab"]);
        assert_eq!(s.scrub("ababab!"), "***!");
    }

    #[test]
    fn encoded_forms_are_masked() {
        let s = secrets(&["pä ss/wörd\"&"]);
        let cases = [
            ("raw pä ss/wörd\"& end", "raw *** end"),
            ("url p%C3%A4%20ss%2Fw%C3%B6rd%22%26 end", "url *** end"),
            ("lower p%c3%a4%20ss/w%c3%b6rd%22%26 end", "lower *** end"),
            ("form p%C3%A4+ss%2Fw%C3%B6rd%22%26&x=1", "form ***&x=1"),
            (
                "all %70%C3%A4%20%73%73%2F%77%C3%B6%72%64%22%26.",
                "all ***.",
            ),
            (r#"{"e":"pä ss\/wörd\"&"}"#, r#"{"e":"***"}"#),
            (r#"{"e":"p\u00e4 ss/w\u00F6rd\"\u0026"}"#, r#"{"e":"***"}"#),
            ("<p>pä ss/wörd&quot;&amp;</p>", "<p>***</p>"),
            ("<p>pä ss/wörd&#34;&amp;</p>", "<p>***</p>"),
        ];
        for (text, scrubbed) in cases {
            assert_eq!(s.scrub(text), scrubbed, "{text}");
        }
        // Astral characters as JSON surrogate pairs.
        let s = secrets(&["key😀1"]);
        assert_eq!(s.scrub(r#""key\ud83d\ude001""#), r#""***""#);
        // Control characters, short and long escapes.
        let s = secrets(&["a\tb\u{1}c"]);
        assert_eq!(s.scrub(r#""a\tb\u0001c""#), r#""***""#);
        assert_eq!(s.scrub("a%09b%01c"), "***");
    }

    #[test]
    fn base64_forms_are_masked_wherever_they_fall() {
        let secret = "s3cr3t?>~";
        let s = secrets(&[secret]);
        for engine in [STANDARD, URL_SAFE] {
            let own = engine.encode(secret);
            assert_eq!(s.scrub(&format!("key {own} end")), "key *** end", "{own}");
        }
        for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
            let own = engine.encode(secret);
            assert_eq!(s.scrub(&format!("key {own}")), "key ***", "{own}");
        }
        // Basic auth: `user:secret`, then anything after it.
        for user in ["u", "us", "use", "user"] {
            for tail in ["", "!", "!!"] {
                let header = STANDARD.encode(format!("{user}:{secret}{tail}"));
                assert!(base64_reveals(&header, secret.as_bytes(), false));
                let scrubbed = s.scrub(&format!("Basic {header}"));
                assert!(
                    !base64_reveals(&scrubbed, secret.as_bytes(), false),
                    "{header} -> {scrubbed}"
                );
                // Only the characters it shares with its neighbours are left.
                let [before, after] = [0, 1].map(|i| scrubbed.split(REDACTED).nth(i).unwrap());
                let user_chars = (8 * (user.len() + 1)).div_ceil(6);
                assert_eq!(before, &format!("Basic {}", &header[..user_chars]));
                let tail_and_padding = (8 * tail.len()).div_ceil(6)
                    + (3 - (user.len() + 1 + secret.len() + tail.len()) % 3) % 3;
                assert!(after.len() <= tail_and_padding + 1, "{scrubbed}");
            }
        }
    }

    #[test]
    fn overlapping_escapes_are_all_followed() {
        // `%` may be itself or the start of `%25`.
        let s = secrets(&["%25x%"]);
        assert_eq!(s.scrub("a %25x% b"), "a *** b");
        assert_eq!(s.scrub("a %2525x%25 b"), "a *** b");
    }

    #[test]
    fn a_secret_cut_by_the_start_of_a_window_is_still_masked() {
        let s = secrets(&["s3cr3t-token"]);
        let bytes = b"xx s3cr3t-token yy";
        assert_eq!(s.scrub_bytes(bytes, 5), b"*** yy");
        assert_eq!(s.scrub_bytes(bytes, 3), b"*** yy");
        assert_eq!(s.scrub_bytes(bytes, 15), b" yy");
        assert_eq!(s.scrub_bytes(bytes, 99), b"");
        // Invalid UTF-8 around a secret is kept as it is.
        assert_eq!(
            s.scrub_bytes(b"\xff s3cr3t-token \xfe", 0),
            b"\xff *** \xfe"
        );
        assert!(s.longest_match() >= 6 * "s3cr3t-token".len());
    }

    #[test]
    fn debug_shows_no_secret() {
        assert_eq!(
            format!("{:?}", secrets(&["hunter22", "x"])),
            "Secrets(2 values)"
        );
    }

    /// JSON with every non-ASCII character as `\uXXXX`, as Python's
    /// `json.dumps` writes it by default.
    fn json_ascii(text: &str) -> String {
        let mut out = String::from("\"");
        for c in text.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
                c => {
                    for unit in c.encode_utf16(&mut [0; 2]) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
            }
        }
        out.push('"');
        out
    }

    const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');

    /// Decodes `%XX` (and `+` as a space when `form`); the masks stay.
    fn percent_decoded(text: &str, form: bool) -> String {
        let text = if form {
            text.replace('+', " ")
        } else {
            text.to_string()
        };
        percent_encoding::percent_decode_str(&text)
            .decode_utf8_lossy()
            .into_owned()
    }

    /// True if some run of base64 characters in `text`, read from any of
    /// its first four characters, decodes to bytes containing `secret`.
    fn base64_reveals(text: &str, secret: &[u8], url_safe: bool) -> bool {
        let alphabet = |c: char| {
            c.is_ascii_alphanumeric()
                || if url_safe {
                    c == '-' || c == '_'
                } else {
                    c == '+' || c == '/'
                }
        };
        // Reads a run cut anywhere: no padding, stray low bits allowed.
        let lenient = base64::engine::GeneralPurposeConfig::new()
            .with_encode_padding(false)
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent);
        let alphabet_of = if url_safe {
            &base64::alphabet::URL_SAFE
        } else {
            &base64::alphabet::STANDARD
        };
        let engine = base64::engine::GeneralPurpose::new(alphabet_of, lenient);
        text.split(|c| !alphabet(c)).any(|run| {
            (0..4.min(run.len())).any(|skip| {
                let run = &run[skip..];
                // A single character left over encodes no whole byte.
                let usable = run.len() - usize::from(run.len() % 4 == 1);
                engine
                    .decode(&run[..usable])
                    .is_ok_and(|bytes| bytes.windows(secret.len()).any(|w| w == secret))
            })
        })
    }

    fn secret_strategy() -> impl Strategy<Value = String> {
        // Spaces, escapes and non-ASCII letters; no `*`, which a mask is
        // made of.
        prop::collection::vec(
            prop::sample::select(vec![
                'a', 'b', 'Z', '0', '9', ' ', '+', '%', '/', '"', '\\', '&', '\'', '<', '-', '_',
                '.', '~', '\n', '\t', '\u{1}', 'é', 'ø', 'Ä', '€', '😀', '中',
            ]),
            4..16,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    fn filler() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9 ]{0,12}"
    }

    proptest! {
        #[test]
        fn no_encoded_form_survives(
            secret in secret_strategy(),
            before in filler(),
            after in filler(),
        ) {
            let s = secrets(&[&secret]);
            let text = format!("{before}{secret}{after}");
            let raw = s.scrub(&text);
            prop_assert!(!raw.contains(&secret), "{raw}");

            let set = percent_encoding::NON_ALPHANUMERIC;
            for encoded in [
                percent_encoding::utf8_percent_encode(&text, set).to_string(),
                percent_encoding::utf8_percent_encode(&text, QUERY).to_string(),
                percent_encoding::utf8_percent_encode(&text, set).to_string().to_lowercase(),
            ] {
                let out = s.scrub(&encoded);
                prop_assert!(!percent_decoded(&out, false).contains(&secret), "{encoded} -> {out}");
            }
            let form: String = percent_encoding::utf8_percent_encode(&text, QUERY)
                .to_string()
                .replace("%20", "+");
            let out = s.scrub(&form);
            prop_assert!(!percent_decoded(&out, true).contains(&secret), "{form} -> {out}");
            let mut url = reqwest::Url::parse("https://hooks.example.com/services/").unwrap();
            url.set_path(&format!("/services/{text}"));
            url.set_query(Some(&format!("k={text}")));
            let out = s.scrub(url.as_str());
            prop_assert!(!percent_decoded(&out, false).contains(&secret), "{url} -> {out}");

            for json in [serde_json::to_string(&text).unwrap(), json_ascii(&text)] {
                let out = s.scrub(&json);
                let back: String = serde_json::from_str(&out).unwrap();
                prop_assert!(!back.contains(&secret), "{json} -> {out}");
            }
        }

        #[test]
        fn no_base64_of_the_secret_survives(
            secret in secret_strategy(),
            before in prop::collection::vec(any::<u8>(), 0..5),
            after in prop::collection::vec(any::<u8>(), 0..5),
        ) {
            let s = secrets(&[&secret]);
            let mut bytes = before.clone();
            bytes.extend_from_slice(secret.as_bytes());
            bytes.extend_from_slice(&after);
            for (engine, url_safe) in [
                (STANDARD, false),
                (STANDARD_NO_PAD, false),
                (URL_SAFE, true),
                (URL_SAFE_NO_PAD, true),
            ] {
                let text = format!("Basic {} end", engine.encode(&bytes));
                let out = s.scrub(&text);
                prop_assert!(!base64_reveals(&out, secret.as_bytes(), url_safe), "{text} -> {out}");
                prop_assert!(base64_reveals(&text, secret.as_bytes(), url_safe));
            }
        }

        #[test]
        fn no_part_of_overlapping_secrets_survives(
            a in secret_strategy(),
            b in secret_strategy(),
            cut in 1usize..4,
        ) {
            // `b` starting inside the end of `a`.
            let tail: String = a.chars().rev().take(cut).collect::<Vec<_>>().into_iter().rev().collect();
            let b = format!("{tail}{b}");
            let s = secrets(&[&a, &b]);
            let text = format!("<{a}{}>", &b[tail.len()..]);
            let out = s.scrub(&text);
            prop_assert_eq!(out, "<***>");
        }

        #[test]
        fn arbitrary_text_never_panics(
            secret in secret_strategy(),
            text in any::<String>(),
            bytes in prop::collection::vec(any::<u8>(), 0..64),
            from in 0usize..80,
        ) {
            let s = secrets(&[&secret]);
            let _ = s.scrub(&text);
            let _ = s.scrub_bytes(&bytes, from);
        }
    }
}
