//! Spreadsheet files (CSV, RFC 4180) that are safe to open: cells a spreadsheet
//! would run as a formula are written as text, and the file starts with a UTF-8
//! byte-order mark so Excel reads å, ä and ö right.
//!
//! Hand-written: the whole format is the two rules below, smaller than a crate.

/// The UTF-8 byte-order mark Excel needs to read the file as UTF-8.
pub const BOM: &str = "\u{feff}";

/// One cell: a value a spreadsheet would take as a formula (starting with = + -
/// @, a tab or a carriage return) gets a leading `'`, so it is shown as text
/// (OWASP's advice on CSV injection); a cell with a comma, quote or line break
/// is quoted, its quotes doubled.
pub fn cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// One line of cells, ended by CRLF as RFC 4180 has it.
pub fn row<S: AsRef<str>>(cells: &[S]) -> String {
    let mut line = cells
        .iter()
        .map(|c| cell(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_separators_are_quoted() {
        assert_eq!(cell("Ana Öberg"), "Ana Öberg");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for risky in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(
                cell(risky).trim_start_matches('"').starts_with('\''),
                "{risky:?}"
            );
        }
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(
            cell("12345678-90"),
            "12345678-90",
            "a hyphen inside is fine"
        );
        assert_eq!(row(&["a", "b,c"]), "a,\"b,c\"\r\n");
    }
}
