//! Calendar dates (proleptic Gregorian), enough for birth dates, travel dates
//! and deadlines. "Today" always comes from the caller's clock.
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A real date, or None (30 February, month 13, ...).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month))
        .then_some(Date { year, month, day })
    }

    /// `YYYY-MM-DD`, as a browser's date field sends it.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let s = s.trim();
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| {
            s.get(r)
                .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))?
                .parse()
                .ok()
        };
        Date::new(num(0..4)?, num(5..7)? as u8, num(8..10)? as u8)
    }

    /// The UTC date of a unix instant.
    pub fn from_unix(seconds: i64) -> Date {
        // Howard Hinnant's days-to-civil algorithm.
        let z = seconds.div_euclid(86_400) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Midnight UTC at the start of the date, as unix seconds.
    pub fn to_unix(self) -> i64 {
        // Howard Hinnant's days-from-civil algorithm, the inverse of `from_unix`.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        (era * 146_097 + doe - 719_468) * 86_400
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }

    /// Whole years from `self` to `on` (an age).
    pub fn years_until(self, on: Date) -> i32 {
        let mut years = on.year - self.year;
        if (on.month, on.day) < (self.month, self.day) {
            years -= 1;
        }
        years
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The UTC time of day of a unix instant, `HH:MM`.
pub fn time_of_day(seconds: i64) -> String {
    let s = seconds.rem_euclid(86_400);
    format!("{:02}:{:02}", s / 3600, s % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_of_day_is_utc_hours_and_minutes() {
        assert_eq!(time_of_day(0), "00:00");
        assert_eq!(time_of_day(1_795_248_000 + 3_600 + 5 * 60 + 59), "09:05");
        assert_eq!(time_of_day(-60), "23:59");
    }

    #[test]
    fn real_and_impossible_dates() {
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(2023, 2, 29).is_none());
        assert!(Date::new(1900, 2, 29).is_none());
        assert!(Date::new(2000, 2, 29).is_some());
        assert!(Date::new(2026, 4, 31).is_none());
        assert!(Date::new(2026, 13, 1).is_none());
        assert_eq!(
            Date::parse_iso("2026-11-21").unwrap().to_string(),
            "2026-11-21"
        );
        for bad in [
            "2026-11-31",
            "26-11-21",
            "2026/11/21",
            "2026-1-021",
            "abcd-ef-gh",
            "",
        ] {
            assert!(Date::parse_iso(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn unix_instants_become_utc_dates() {
        assert_eq!(Date::from_unix(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix(1_795_248_000).to_string(), "2026-11-21");
        assert_eq!(Date::from_unix(951_782_400).to_string(), "2000-02-29");
        assert_eq!(Date::from_unix(-86_400).to_string(), "1969-12-31");
    }

    #[test]
    fn ages_count_whole_years() {
        let born = Date::new(1990, 11, 22).unwrap();
        assert_eq!(born.years_until(Date::new(2026, 11, 21).unwrap()), 35);
        assert_eq!(born.years_until(Date::new(2026, 11, 22).unwrap()), 36);
    }

    #[test]
    fn to_unix_is_the_inverse_of_from_unix() {
        for t in [0_i64, 86_399, 951_782_400, 1_795_248_000, -86_400 * 400] {
            let d = Date::from_unix(t);
            assert_eq!(d.to_unix(), t - t.rem_euclid(86_400), "{d}");
        }
        assert_eq!(
            Date::parse_iso("2026-11-21").unwrap().to_unix(),
            1_795_219_200
        );
    }
}
