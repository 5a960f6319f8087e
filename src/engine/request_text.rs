//! How a rendered action request reads in a terminal: under a decision line
//! of `run`, and in full for the approver in `pending`.

use std::io::Write;

/// What an action runs, under its decision line, `indent` columns in:
/// an `exec` argv; an HTTP action's `METHOD URL` (with `full`, also the
/// headers, credentials redacted, and the body, exactly as they are sent);
/// an MLflow action's server (with `full`, the steps it takes); or why it
/// could not be rendered. `pending` shows it in full, for the approver.
pub fn write_request(
    w: &mut Vec<u8>,
    request: &serde_json::Value,
    full: bool,
    indent: usize,
) -> std::io::Result<()> {
    let at = |v: &serde_json::Value, k: &str| {
        v.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string()
    };
    let (head, body) = (" ".repeat(indent), " ".repeat(indent + 2));
    if let Some(argv) = request.get("argv").and_then(|a| a.as_array()) {
        let shown: Vec<String> = argv
            .iter()
            .filter_map(|a| a.as_str())
            .map(shell_word)
            .collect();
        writeln!(w, "{head}$ {}", shown.join(" "))?;
    } else if let Some(requests) = request.get("requests").and_then(|r| r.as_array()) {
        for r in requests {
            writeln!(w, "{head}{} {}", at(r, "method"), at(r, "url"))?;
            if !full {
                continue;
            }
            if let Some(headers) = r.get("headers").and_then(|h| h.as_object()) {
                for (name, value) in headers {
                    writeln!(w, "{body}{name}: {}", value.as_str().unwrap_or(""))?;
                }
            }
            if let Some(ct) = r.get("content_type").and_then(|v| v.as_str()) {
                writeln!(w, "{body}Content-Type: {ct}")?;
            }
            match r.get("body") {
                Some(serde_json::Value::String(text)) => writeln!(w, "{body}{text}")?,
                Some(json) => writeln!(w, "{body}{json}")?,
                None => {}
            }
        }
    } else if let Some(steps) = request.get("steps").and_then(|r| r.as_array()) {
        writeln!(
            w,
            "{head}{} at {} (authorization: {})",
            at(request, "service"),
            at(request, "tracking_uri"),
            at(request, "authorization")
        )?;
        if full {
            for step in steps.iter().filter_map(|v| v.as_str()) {
                writeln!(w, "{body}{step}")?;
            }
        }
    } else if let Some(err) = request.get("error").and_then(|e| e.as_str()) {
        writeln!(w, "{head}cannot render: {err}")?;
    }
    Ok(())
}

/// A command line a person can paste: each word through [`shell_word`].
pub fn shell_command(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| shell_word(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `word` as a POSIX shell reads it back: bare when it is only safe
/// characters (and the `***` of a redacted secret), else in single quotes (a `'` inside as `'\''`), so a shown
/// command can be pasted into a shell.
fn shell_word(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c);
    // `***` stands for a redacted secret: shown as it is, it reads as one.
    if !word.is_empty() && word.replace("***", "").chars().all(safe) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_word;

    #[test]
    fn words_are_quoted_only_when_a_shell_would_split_or_expand_them() {
        let cases = [
            ("./retrain.sh", "./retrain.sh"),
            ("--run=run-1", "--run=run-1"),
            ("", "''"),
            ("two words", "'two words'"),
            ("it's", "'it'\\''s'"),
            ("$HOME", "'$HOME'"),
            ("a;b", "'a;b'"),
            ("*.csv", "'*.csv'"),
            ("--token=***", "--token=***"),
            ("***", "***"),
            ("drift: 60%", "'drift: 60%'"),
        ];
        for (word, shown) in cases {
            assert_eq!(shell_word(word), shown, "{word}");
        }
    }
}
