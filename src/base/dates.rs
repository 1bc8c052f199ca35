//! Dates as township staff write them (`2023年6月4日`, `2023/6/1`, `2023-6-1 8:00`)
//! read into `jiff` times, and times written back for pages (`2023年6月4日 08:00`)
//! and machines (RFC 3339 with the site's offset, never `Z`). It must not know
//! front-matter keys or which end of a day a key means: `meta` decides that.

use jiff::Zoned;

pub(crate) fn rfc3339(z: &jiff::Zoned) -> String {
    z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// "2023-06-04T08:00:00+08:00" → "2023年6月4日"; anything unreadable comes back as is.
pub(crate) fn date_zh(s: &str) -> String {
    let parts: Vec<&str> = s.get(..10).unwrap_or("").split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => match (m.parse::<u32>(), d.parse::<u32>()) {
            (Ok(m), Ok(d)) => format!("{y}年{m}月{d}日"),
            _ => s.to_string(),
        },
        _ => s.to_string(),
    }
}

pub(crate) fn datetime_zh(s: &str) -> String {
    let date = date_zh(s);
    match s.get(11..16) {
        Some(hm) if date != s => format!("{date} {hm}"),
        _ => date,
    }
}

/// Reads the date forms staff actually write. A date or datetime without an offset
/// is in the site's time zone; a date without a time is the start of that day.
pub(crate) fn parse_datetime(s: &str, tz: &jiff::tz::TimeZone) -> Option<Zoned> {
    parse_moment(s, tz).map(|(z, _)| z)
}

/// [`parse_datetime`], and whether `s` was a date without a time.
pub(crate) fn parse_moment(s: &str, tz: &jiff::tz::TimeZone) -> Option<(Zoned, bool)> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some((ts.to_zoned(tz.clone()), false));
    }
    // jiff reads `2023-06-04` as a DateTime at 00:00 too: a date alone is told apart
    // by having no time in it.
    let date_only = !s.contains([':', 'T', 't', ' ']);
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        return Some((dt.to_zoned(tz.clone()).ok()?, date_only));
    }
    let (dt, date_only) = parse_chinese_date(s).or_else(|| parse_loose_date(s))?;
    Some((dt.to_zoned(tz.clone()).ok()?, date_only))
}

/// `2023/6/1`, `2023-6-1 8:00`, `2023.6.1`: the forms Excel and WPS write, with
/// one-digit months, days and hours.
fn parse_loose_date(s: &str) -> Option<(jiff::civil::DateTime, bool)> {
    let (date, time) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let sep = ['/', '-', '.'].into_iter().find(|c| date.contains(*c))?;
    let mut parts = date.split(sep);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    let date = jiff::civil::Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()?;
    match time {
        None => Some((date.to_datetime(jiff::civil::Time::midnight()), true)),
        Some(t) => Some((date.to_datetime(clock_time(t)?), false)),
    }
}

/// `8:00`, `08:00:30`, `8：00`.
fn clock_time(t: &str) -> Option<jiff::civil::Time> {
    let mut parts = t.split([':', '：']);
    let h = parts.next()?.trim().parse().ok()?;
    let m = parts.next()?.trim().parse().ok()?;
    let sec = match parts.next() {
        Some(x) => x.trim().parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    jiff::civil::Time::new(h, m, sec, 0).ok()
}

/// `2023年6月4日` and `2023年6月4日 08:00`.
fn parse_chinese_date(s: &str) -> Option<(jiff::civil::DateTime, bool)> {
    let (y, rest) = s.split_once('年')?;
    let (m, rest) = rest.split_once('月')?;
    let (d, rest) = rest.split_once(['日', '号'])?;
    let date = jiff::civil::Date::new(
        y.trim().parse().ok()?,
        m.trim().parse().ok()?,
        d.trim().parse().ok()?,
    )
    .ok()?;
    let rest = rest.trim();
    if rest.is_empty() {
        return Some((date.to_datetime(jiff::civil::Time::midnight()), true));
    }
    Some((date.to_datetime(clock_time(rest)?), false))
}
