//! A number followed by a unit, as durations (`"50ms"`) and sizes
//! (`"64MiB"`) are written in scenario files.

/// Splits `"1.5GiB"` into `(1.5, "GiB")`; `None` if it does not start with
/// a non-negative number.
pub(crate) fn split(text: &str) -> Option<(f64, &str)> {
    let text = text.trim();
    let at = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(at);
    Some((number.parse().ok()?, unit.trim()))
}
