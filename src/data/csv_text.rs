//! CSV text fixes polars does not make, on the bytes before and the names
//! after it parses them: blank lines are skipped (polars reads each as a
//! row of nulls) and a quoted header's doubled quotes are unescaped (polars
//! keeps `say ""hi""` where RFC 4180 means `say "hi"`).
//!
//! Quotes are tracked as polars' line splitter does: every `"` opens or
//! closes a quoted run, so a doubled `""` leaves the state unchanged and a
//! line break inside quotes belongs to the field.

const QUOTE: u8 = b'"';

/// Removes, in place, every blank line outside quotes: a line that is empty
/// or holds only spaces, tabs and `\r` (so `\r\n` line ends are covered).
/// A line with a delimiter is data even when every field is empty (`,,,` is
/// a row of missing values); with a tab or space delimiter, a line of tabs
/// or spaces is such a row too. Returns how many lines were removed.
pub(super) fn drop_blank_lines(bytes: &mut Vec<u8>, delimiter: u8) -> usize {
    let blank = |b: &u8| *b != delimiter && matches!(b, b' ' | b'\t' | b'\r');
    let (mut read, mut write, mut removed) = (0, 0, 0);
    // Inside a quoted field that spans lines.
    let mut quoted = false;
    while read < bytes.len() {
        let end = bytes[read..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| read + i + 1);
        let line = &bytes[read..end];
        if !quoted && line.iter().all(|b| blank(b) || *b == b'\n') {
            removed += 1;
        } else {
            quoted ^= line.iter().filter(|&&b| b == QUOTE).count() % 2 == 1;
            if read != write {
                bytes.copy_within(read..end, write);
            }
            write += end - read;
        }
        read = end;
    }
    bytes.truncate(write);
    removed
}

/// The header's fields that were quoted and held a doubled quote, by
/// position, unescaped: `a,"say ""hi"""` gives `[(1, "say \"hi\"")]`.
/// `bytes` starts with the header (blank lines already dropped).
pub(super) fn escaped_header_fields(bytes: &[u8], delimiter: u8) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let (mut at, mut index) = (0, 0);
    while at < bytes.len() {
        if bytes[at] == QUOTE {
            let mut name = Vec::new();
            let mut doubled = false;
            at += 1;
            while at < bytes.len() {
                match (bytes[at], bytes.get(at + 1)) {
                    (QUOTE, Some(&QUOTE)) => {
                        name.push(QUOTE);
                        doubled = true;
                        at += 2;
                    }
                    (QUOTE, _) => {
                        at += 1;
                        break;
                    }
                    (b, _) => {
                        name.push(b);
                        at += 1;
                    }
                }
            }
            if doubled {
                out.push((index, String::from_utf8_lossy(&name).into_owned()));
            }
        }
        // The rest of the field (unquoted text, or whatever follows a
        // closing quote), up to the delimiter or the end of the line.
        while at < bytes.len() && bytes[at] != delimiter && bytes[at] != b'\n' {
            at += 1;
        }
        if at >= bytes.len() || bytes[at] == b'\n' {
            break;
        }
        at += 1;
        index += 1;
    }
    out
}

/// A CSV read as one column whose header (the one column's name) holds
/// another common delimiter: say which `--delimiter` to pass.
pub(super) fn delimiter_hint(header: &str, delimiter: u8, path: &str) -> Option<String> {
    let (found, count) = [b';', b'\t', b'|']
        .into_iter()
        .filter(|d| *d != delimiter)
        .map(|d| (d, header.bytes().filter(|b| *b == d).count()))
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)?;
    let (shown, flag) = match found {
        b'\t' => ("a tab".to_string(), "--delimiter '\\t'".to_string()),
        other => {
            let c = other as char;
            (format!("`{c}`"), format!("--delimiter '{c}'"))
        }
    };
    Some(format!(
        "`{path}` was read as a single column, but its header has {count} × {shown}; if that is the delimiter, pass `{flag}`"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dropped(text: &str, delimiter: u8) -> (String, usize) {
        let mut bytes = text.as_bytes().to_vec();
        let n = drop_blank_lines(&mut bytes, delimiter);
        (String::from_utf8(bytes).unwrap(), n)
    }

    #[test]
    fn blank_lines_are_dropped_wherever_they_are() {
        let cases = [
            ("a,b\n1,2\n", "a,b\n1,2\n", 0),
            ("a,b\n1,2\n\n", "a,b\n1,2\n", 1),
            ("a,b\n1,2\n\n\n", "a,b\n1,2\n", 2),
            ("a,b\n\n1,2\n  \t\n3,4", "a,b\n1,2\n3,4", 2),
            ("a,b\r\n1,2\r\n\r\n", "a,b\r\n1,2\r\n", 1),
            ("\n\na,b\n1,2", "a,b\n1,2", 2),
            ("a,b\n1,2\n   ", "a,b\n1,2\n", 1),
            ("a,b\n\n\n", "a,b\n", 2),
            ("\n \n", "", 2),
            ("", "", 0),
        ];
        for (text, want, n) in cases {
            assert_eq!(dropped(text, b','), (want.to_string(), n), "{text:?}");
        }
    }

    #[test]
    fn rows_of_empty_fields_and_quoted_blank_lines_are_data() {
        let cases = [
            // A genuine row whose every field is missing.
            ("a,b\n,\n1,2\n", b',', "a,b\n,\n1,2\n", 0),
            // A tab-separated row of two empty fields.
            ("a\tb\n\t\n1\t2\n", b'\t', "a\tb\n\t\n1\t2\n", 0),
            // A line break inside a quoted field, blank line included.
            ("a,b\n\"x\n\n y\",2\n\n", b',', "a,b\n\"x\n\n y\",2\n", 1),
            // Doubled quotes leave the state unchanged.
            (
                "a\n\"say \"\"hi\"\"\"\n\n",
                b',',
                "a\n\"say \"\"hi\"\"\"\n",
                1,
            ),
        ];
        for (text, delimiter, want, n) in cases {
            assert_eq!(dropped(text, delimiter), (want.to_string(), n), "{text:?}");
        }
    }

    /// CSV text, delimiter, and the fields `escaped_header_fields` finds.
    type HeaderCase = (&'static str, u8, &'static [(usize, &'static str)]);

    #[test]
    fn quoted_header_fields_are_unescaped() {
        let cases: [HeaderCase; 6] = [
            ("a,b\n1,2\n", b',', &[]),
            ("a,\"b\"\n", b',', &[]),
            ("id,\"say \"\"hi\"\"\"\n1,2\n", b',', &[(1, "say \"hi\"")]),
            ("\"a\"\"\"\"b\";c\n", b';', &[(0, "a\"\"b")]),
            ("\"x,\"\"y\"\"\",z\r\n", b',', &[(0, "x,\"y\"")]),
            ("a,\"b\nc\"\"\",d\n", b',', &[(1, "b\nc\"")]),
        ];
        for (text, delimiter, want) in cases {
            let want: Vec<(usize, String)> =
                want.iter().map(|(i, s)| (*i, s.to_string())).collect();
            assert_eq!(
                escaped_header_fields(text.as_bytes(), delimiter),
                want,
                "{text:?}"
            );
        }
    }
}
