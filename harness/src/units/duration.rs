//! Durations as scenario files write them: `"50ms"`, `"1.5s"`, `"100us"`.

use std::time::Duration;

/// Units a duration may use.
pub const UNITS: &str = "ns, us, ms, s, m";

/// Parses `"50ms"`, `"1.5s"`, `"100us"`, `"250ns"`, `"2m"`.
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let bad = || {
        format!(
            "`{text}` is not a duration: write a number and a unit, one of {UNITS} (e.g. \"50ms\")"
        )
    };
    let (value, unit) = super::quantity::split(text).ok_or_else(bad)?;
    let seconds = match unit {
        "ns" => value / 1e9,
        "us" | "µs" => value / 1e6,
        "ms" => value / 1e3,
        "s" => value,
        "m" => value * 60.0,
        _ => return Err(bad()),
    };
    if !seconds.is_finite() || seconds > 86_400.0 {
        return Err(format!("`{text}` is out of range: at most a day"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Writes a duration the way a scenario file would (`50ms`).
pub fn display(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    match nanos {
        0 => "0ms".into(),
        n if n % 1_000_000_000 == 0 => format!("{}s", n / 1_000_000_000),
        n if n % 1_000_000 == 0 => format!("{}ms", n / 1_000_000),
        n if n % 1_000 == 0 => format!("{}us", n / 1_000),
        n => format!("{n}ns"),
    }
}

/// A latency in ms with sensible precision.
pub fn ms(value: f64) -> String {
    match value {
        v if v >= 100.0 => format!("{v:.0}"),
        v if v >= 1.0 => format!("{v:.2}"),
        v if v >= 0.01 => format!("{v:.3}"),
        // Sub-10 µs latencies (a cache read) keep three significant digits.
        v => format!("{v:.5}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_every_unit() {
        assert_eq!(parse("50ms"), Ok(Duration::from_millis(50)));
        assert_eq!(parse("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("100us"), Ok(Duration::from_micros(100)));
        assert_eq!(parse("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(display(Duration::from_millis(50)), "50ms");
    }

    #[test]
    fn a_duration_without_a_unit_names_the_units() {
        let message = parse("50").unwrap_err();
        assert!(message.contains("ns, us, ms, s, m"), "{message}");
        assert!(parse("-5ms").is_err());
    }
}
