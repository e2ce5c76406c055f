//! Sizes as scenario files write them: `"64MiB"`, `"1GiB"`, `"512KiB"`.

/// Units a size may use.
pub const UNITS: &str = "B, KiB, MiB, GiB (or KB, MB, GB as powers of 1000)";

/// Parses `"64MiB"`, `"1.5GiB"`, `"4096B"`, `"10MB"` into bytes.
pub fn parse(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let bad = || {
        format!(
            "`{text}` is not a size: write a number and a unit, one of {UNITS} (e.g. \"64MiB\")"
        )
    };
    let (value, unit) = super::quantity::split(text).ok_or_else(bad)?;
    let scale: f64 = match unit {
        "B" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        "KB" | "kB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        _ => return Err(bad()),
    };
    let bytes = value * scale;
    if !bytes.is_finite() || bytes > 1024.0_f64.powi(5) {
        return Err(format!("`{text}` is out of range: at most 1 PiB"));
    }
    Ok(bytes as u64)
}

/// Writes a size the way a scenario file would (`64MiB`).
pub fn display(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    UNITS
        .iter()
        .find(|(_, scale)| bytes >= *scale && bytes % scale == 0)
        .map_or_else(
            || format!("{bytes}B"),
            |(unit, scale)| format!("{}{unit}", bytes / scale),
        )
}

/// A size in the largest binary unit under it, one decimal (`23.5GiB`).
pub fn approx(bytes: u64) -> String {
    const UNITS: [(&str, u64); 5] = [
        ("EiB", 1 << 60),
        ("PiB", 1 << 50),
        ("TiB", 1 << 40),
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
    ];
    UNITS.iter().find(|(_, scale)| bytes >= *scale).map_or_else(
        || format!("{bytes}B"),
        |(unit, scale)| format!("{:.1}{unit}", bytes as f64 / *scale as f64),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_every_unit() {
        assert_eq!(parse("64MiB"), Ok(64 << 20));
        assert_eq!(parse("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse("512KiB"), Ok(512 << 10));
        assert_eq!(parse("4096B"), Ok(4096));
        assert_eq!(parse("10MB"), Ok(10_000_000));
        assert_eq!(display(64 << 20), "64MiB");
        assert_eq!(display(1000), "1000B");
    }

    #[test]
    fn a_size_without_a_unit_names_the_units() {
        let error = parse("64").unwrap_err();
        assert!(error.contains("MiB"), "{error}");
        assert!(parse("-1MiB").is_err());
        assert!(parse("64 parsecs").is_err());
    }
}
