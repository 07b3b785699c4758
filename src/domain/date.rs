//! Calendar dates (proleptic Gregorian), enough for birth dates, travel dates
//! and deadlines. "Today" always comes from the caller's clock. Instants are
//! stored as UTC seconds; every date a person reads, and every "today", is the
//! calendar day in Sweden (Europe/Stockholm, from the tz database built into
//! the binary), which differs from the UTC date for an hour or two after midnight.
use std::fmt;
use std::sync::OnceLock;

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

    /// Exactly `YYYY-MM-DD`, as machines write it (the integration API's filters).
    /// What people type is read by [`Date::parse_typed`].
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

    /// A date as a person types it, year first (`YYYY-MM-DD`, the form's hint):
    /// also without separators (`19900517`) or with spaces, slashes or dots, and
    /// with one-digit months and days. Day-first orders are refused, not guessed.
    pub fn parse_typed(s: &str) -> Option<Date> {
        let s = s.trim();
        if s.len() == 8 && s.bytes().all(|c| c.is_ascii_digit()) {
            return Date::new(
                s[..4].parse().ok()?,
                s[4..6].parse().ok()?,
                s[6..].parse().ok()?,
            );
        }
        let parts: Vec<&str> = s.split(['-', ' ', '/', '.']).collect();
        let [year, month, day] = parts[..] else {
            return None;
        };
        let number = |p: &str, len: std::ops::RangeInclusive<usize>| -> Option<i32> {
            (len.contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        };
        Date::new(
            number(year, 4..=4)?,
            u8::try_from(number(month, 1..=2)?).ok()?,
            u8::try_from(number(day, 1..=2)?).ok()?,
        )
    }

    /// The date in Sweden at a unix instant.
    pub fn in_sweden(seconds: i64) -> Date {
        let at = jiff::Timestamp::from_second(seconds).unwrap_or(if seconds < 0 {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        });
        let d = sweden().to_datetime(at).date();
        Date {
            year: i32::from(d.year()),
            month: d.month() as u8,
            day: d.day() as u8,
        }
    }

    /// The instant the date begins in Sweden (midnight, Swedish time), as unix seconds.
    pub fn start_in_sweden(self) -> i64 {
        let civil = jiff::civil::Date::new(self.year as i16, self.month as i8, self.day as i8);
        civil
            .and_then(|d| d.to_zoned(sweden().clone()))
            .map(|z| z.timestamp().as_second())
            // Outside the range the time zone rules cover: a fixed UTC+1.
            .unwrap_or_else(|_| self.utc_midnight() - 3600)
    }

    /// The day after (the same past 9999-12-31).
    pub fn next(self) -> Date {
        if self.day < days_in_month(self.year, self.month) {
            Date {
                day: self.day + 1,
                ..self
            }
        } else if self.month < 12 {
            Date {
                month: self.month + 1,
                day: 1,
                ..self
            }
        } else {
            Date::new(self.year + 1, 1, 1).unwrap_or(self)
        }
    }

    /// Midnight UTC at the start of the date, as unix seconds.
    fn utc_midnight(self) -> i64 {
        // Howard Hinnant's days-from-civil algorithm.
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

    /// Appends the date as `YYYY-MM-DD`, as [`Display`](fmt::Display) writes it, without
    /// the formatting machinery: My Page shows a date for every case.
    pub fn push_to(self, out: &mut String) {
        match u16::try_from(self.year) {
            Ok(year) if year <= 9999 => {
                for digit in [year / 1000, year / 100 % 10, year / 10 % 10, year % 10] {
                    out.push(char::from(b'0' + digit as u8));
                }
                for (tens, ones) in [
                    (self.month / 10, self.month % 10),
                    (self.day / 10, self.day % 10),
                ] {
                    out.push('-');
                    out.push(char::from(b'0' + tens));
                    out.push(char::from(b'0' + ones));
                }
            }
            _ => {
                use fmt::Write as _;
                let _ = write!(out, "{self}");
            }
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The time of day in Sweden at a unix instant, `HH:MM`.
pub fn time_in_sweden(seconds: i64) -> String {
    let at = jiff::Timestamp::from_second(seconds).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let t = sweden().to_datetime(at);
    format!("{:02}:{:02}", t.hour(), t.minute())
}

fn sweden() -> &'static jiff::tz::TimeZone {
    static SWEDEN: OnceLock<jiff::tz::TimeZone> = OnceLock::new();
    SWEDEN.get_or_init(|| {
        jiff::tz::TimeZone::get("Europe/Stockholm")
            .expect("the tz database built into the binary has Europe/Stockholm")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_appended_as_it_is_displayed() {
        // i64::MIN is year -9999 in Sweden: written by Display, the fallback.
        for seconds in [0, NEW_YEAR_NIGHT, SUMMER_NIGHT, i64::MIN, i64::MAX] {
            let date = Date::in_sweden(seconds);
            let mut pushed = String::from("on ");
            date.push_to(&mut pushed);
            assert_eq!(pushed, format!("on {date}"));
        }
        let mut earliest = String::new();
        Date::in_sweden(i64::MIN).push_to(&mut earliest);
        assert!(earliest.starts_with("-9999-"), "{earliest}");
        for (y, m, d) in [
            (2026, 1, 9),
            (2026, 12, 31),
            (999, 10, 1),
            (1, 2, 3),
            (9999, 12, 31),
        ] {
            let date = Date::new(y, m, d).unwrap();
            let mut pushed = String::new();
            date.push_to(&mut pushed);
            assert_eq!(pushed, date.to_string());
        }
    }

    /// 2026-12-31 23:30 UTC and 2026-07-14 22:30 UTC: 00:30 in Sweden, winter and summer.
    const NEW_YEAR_NIGHT: i64 = 1_798_759_800;
    const SUMMER_NIGHT: i64 = 1_784_068_200;

    #[test]
    fn a_typed_date_is_read_year_first_with_any_usual_separator() {
        let may = Date::new(1990, 5, 17);
        for typed in [
            "1990-05-17",
            "19900517",
            "1990 05 17",
            "1990/5/17",
            "1990.05.17",
            " 1990-5-17 ",
        ] {
            assert_eq!(Date::parse_typed(typed), may, "{typed}");
        }
        for typed in [
            "17-05-1990",
            "17/5/1990",
            "1990-02-30",
            "1990-0517",
            "199005170",
            "1990--05-17",
            "",
            "1990-05-17x",
        ] {
            assert_eq!(Date::parse_typed(typed), None, "{typed}");
        }
    }

    #[test]
    fn the_time_in_sweden_is_swedish_in_winter_and_summer() {
        assert_eq!(time_in_sweden(NEW_YEAR_NIGHT), "00:30");
        assert_eq!(time_in_sweden(SUMMER_NIGHT), "00:30");
        assert_eq!(
            time_in_sweden(1_795_248_000),
            "09:00",
            "08:00 UTC in November"
        );
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
    fn unix_instants_become_swedish_dates() {
        assert_eq!(Date::in_sweden(NEW_YEAR_NIGHT).to_string(), "2027-01-01");
        assert_eq!(
            Date::in_sweden(NEW_YEAR_NIGHT - 3600).to_string(),
            "2026-12-31"
        );
        assert_eq!(Date::in_sweden(SUMMER_NIGHT).to_string(), "2026-07-15");
        assert_eq!(
            Date::in_sweden(SUMMER_NIGHT - 3600).to_string(),
            "2026-07-14"
        );
        assert_eq!(Date::in_sweden(951_782_400).to_string(), "2000-02-29");
        for extreme in [i64::MIN, i64::MAX, -86_400 * 365 * 20_000] {
            Date::in_sweden(extreme);
            time_in_sweden(extreme);
        }
    }

    #[test]
    fn ages_count_whole_years() {
        let born = Date::new(1990, 11, 22).unwrap();
        assert_eq!(born.years_until(Date::new(2026, 11, 21).unwrap()), 35);
        assert_eq!(born.years_until(Date::new(2026, 11, 22).unwrap()), 36);
    }

    #[test]
    fn a_day_starts_at_swedish_midnight_and_lasts_23_24_or_25_hours() {
        let start = |iso: &str| Date::parse_iso(iso).unwrap().start_in_sweden();
        assert_eq!(start("2027-01-01"), NEW_YEAR_NIGHT - 30 * 60);
        assert_eq!(start("2026-07-15"), SUMMER_NIGHT - 30 * 60);
        let length = |iso: &str| {
            let d = Date::parse_iso(iso).unwrap();
            d.next().start_in_sweden() - d.start_in_sweden()
        };
        assert_eq!(length("2026-03-29"), 23 * 3600, "clocks go forward");
        assert_eq!(length("2026-10-25"), 25 * 3600, "clocks go back");
        assert_eq!(length("2026-11-21"), 24 * 3600);
        for t in [0_i64, NEW_YEAR_NIGHT, SUMMER_NIGHT, 1_795_248_000] {
            let d = Date::in_sweden(t);
            assert!(
                d.start_in_sweden() <= t && t < d.next().start_in_sweden(),
                "{d}"
            );
        }
        assert_eq!(
            Date::new(2026, 12, 31).unwrap().next().to_string(),
            "2027-01-01"
        );
        assert_eq!(
            Date::new(2028, 2, 28).unwrap().next().to_string(),
            "2028-02-29"
        );
        let last = Date::new(9999, 12, 31).unwrap();
        assert_eq!(last.next(), last);
        last.start_in_sweden();
        Date::new(1, 1, 1).unwrap().start_in_sweden();
    }
}
