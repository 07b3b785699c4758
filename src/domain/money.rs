//! Amounts of money as people read them, one way everywhere: `1 000 kr` in
//! Swedish (a no-break space between thousands, so the amount never breaks over
//! two lines) and `SEK 1,000` in English. Amounts are kept in öre.
//!
//! Hand-written rather than a formatting crate: two fixed styles of grouping
//! digits are a few lines, and no crate knows the Swedish `kr` after the amount.
use super::Lang;

/// An amount in öre, for reading; öre are shown only when there are any.
pub fn amount(ore: i64, lang: Lang) -> String {
    let sign = if ore < 0 { "-" } else { "" };
    let (kronor, rest) = (ore.unsigned_abs() / 100, ore.unsigned_abs() % 100);
    match lang {
        Lang::Sv => {
            let whole = grouped(kronor, '\u{a0}');
            match rest {
                0 => format!("{sign}{whole} kr"),
                r => format!("{sign}{whole},{r:02} kr"),
            }
        }
        Lang::En => {
            let whole = grouped(kronor, ',');
            match rest {
                0 => format!("{sign}SEK {whole}"),
                r => format!("{sign}SEK {whole}.{r:02}"),
            }
        }
    }
}

/// An amount in whole kronor (a fee, a salary), for reading.
pub fn kronor(whole: i64, lang: Lang) -> String {
    amount(whole.saturating_mul(100), lang)
}

/// The digits of `n` in groups of three, joined by `separator`.
fn grouped(n: u64, separator: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_kronor_in_swedish_and_sek_in_english() {
        for (kr, sv, en) in [
            (0, "0 kr", "SEK 0"),
            (999, "999 kr", "SEK 999"),
            (1_000, "1\u{a0}000 kr", "SEK 1,000"),
            (12_345, "12\u{a0}345 kr", "SEK 12,345"),
            (1_234_567, "1\u{a0}234\u{a0}567 kr", "SEK 1,234,567"),
        ] {
            assert_eq!(kronor(kr, Lang::Sv), sv);
            assert_eq!(kronor(kr, Lang::En), en);
            assert_eq!(amount(kr * 100, Lang::Sv), sv);
        }
    }

    #[test]
    fn ore_show_only_when_there_are_some_and_extremes_do_not_panic() {
        assert_eq!(amount(50, Lang::Sv), "0,50 kr");
        assert_eq!(amount(100_005, Lang::En), "SEK 1,000.05");
        assert_eq!(amount(-150_000, Lang::Sv), "-1\u{a0}500 kr");
        amount(i64::MIN, Lang::En);
        kronor(i64::MAX, Lang::Sv);
    }
}
