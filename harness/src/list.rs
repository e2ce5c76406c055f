//! `contend list`: every strategy (pool, cache, fan-in) and every scenario
//! of the default suite, one line each.

use std::fmt::Write as _;
use std::path::PathBuf;

use contend_strategies::pool::{OverloadPolicy, STRATEGIES};

use crate::scenario::Scenario;

/// The text `contend list` prints: one line per strategy with its summary,
/// the overload policies a scenario may name, then one line per scenario
/// file in `scenarios` (a file that does not load shows its error).
pub fn render(scenarios: &[PathBuf]) -> String {
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
    for (kind, variants) in [
        ("cache", &crate::run::cache::STRATEGIES[..]),
        ("fan-in", &crate::run::fanin::STRATEGIES[..]),
    ] {
        let _ = writeln!(text, "{kind} strategies:");
        for (name, summary) in variants {
            let _ = writeln!(text, "  {name:width$}  {summary}");
        }
    }
    if !scenarios.is_empty() {
        text.push_str("scenarios:\n");
    }
    for file in scenarios {
        match Scenario::load(file) {
            Ok(scenario) => {
                let cells = scenario.cells.len();
                let plural = if cells == 1 { "" } else { "s" };
                let _ = writeln!(
                    text,
                    "  {:20}  [{}] {} ({cells} cell{plural})",
                    scenario.name,
                    scenario.kind.name(),
                    scenario.description,
                );
            }
            Err(error) => {
                let _ = writeln!(text, "  {error}");
            }
        }
    }
    text
}
