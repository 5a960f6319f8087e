//! CSV text fixes polars does not make, on the bytes before it parses
//! them: blank lines are skipped (polars reads each as a row of nulls).
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
}
