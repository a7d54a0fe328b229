//! The one clock date-dependent rules read, so that a scan is deterministic.
//!
//! Rules never read the system clock themselves: they call [`today`]. The binary (or a test)
//! pins the date once with [`set_today`] (e.g. from a `--today` flag or `SOURCE_DATE_EPOCH`);
//! when nobody did, [`today`] is the current UTC date, read once and then kept for the process.

use serde::Serialize;
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A calendar date (proleptic Gregorian). Ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub const fn new(year: i32, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().splitn(3, '-');
        let year = parts.next()?.parse().ok()?;
        let month: u8 = parts.next()?.parse().ok()?;
        let day: u8 = parts.next()?.parse().ok()?;
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
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

    /// `other - self` in days.
    pub fn days_until(self, other: Date) -> i64 {
        other.days_since_epoch() - self.days_since_epoch()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

const UNSET: i64 = i64::MIN;
static TODAY: AtomicI64 = AtomicI64::new(UNSET);

/// Pins the date that every date-dependent rule uses, for this process.
pub fn set_today(date: Date) {
    TODAY.store(date.days_since_epoch(), Ordering::SeqCst);
}

/// The date rules judge against: the pinned one, else today's UTC date (then kept, so one scan
/// never straddles midnight).
pub fn today() -> Date {
    let days = TODAY.load(Ordering::SeqCst);
    if days != UNSET {
        return Date::from_days_since_epoch(days);
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64 / 86_400)
        .unwrap_or(0);
    match TODAY.compare_exchange(UNSET, now, Ordering::SeqCst, Ordering::SeqCst) {
        Ok(_) => Date::from_days_since_epoch(now),
        Err(pinned) => Date::from_days_since_epoch(pinned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        assert_eq!(Date::new(1970, 1, 1).days_since_epoch(), 0);
        assert_eq!(Date::new(2000, 3, 1).days_since_epoch(), 11_017);
        assert_eq!(Date::new(2024, 2, 29).days_until(Date::new(2024, 3, 1)), 1);
        for days in [-1000, 0, 19_000, 20_500, 60_000] {
            assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }
        assert_eq!(Date::parse("2026-03-09"), Some(Date::new(2026, 3, 9)));
        assert_eq!(Date::parse("2026-13-09"), None);
        assert_eq!(Date::new(2026, 3, 9).to_string(), "2026-03-09");
    }
}
