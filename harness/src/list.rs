//! `contend list`: every strategy, one line each.

use std::fmt::Write as _;

use contend_strategies::pool::{OverloadPolicy, STRATEGIES};

/// The text `contend list` prints: one line per strategy with its summary,
/// then the overload policies a scenario may name.
pub fn render() -> String {
    let width = STRATEGIES
        .iter()
        .map(|info| info.name.len())
        .max()
        .unwrap_or(0);
    let mut text = String::from("strategies:\n");
    for info in STRATEGIES {
        let _ = writeln!(text, "  {:width$}  {}", info.name, info.summary);
    }
    let _ = writeln!(
        text,
        "overload policies: {}",
        OverloadPolicy::NAMES.join(", ")
    );
    text
}
