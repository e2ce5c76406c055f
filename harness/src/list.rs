//! `contend list`: every strategy (pool, cache, fan-in) and every scenario
//! of the default suite, one line each. Pool strategies come from the
//! [`Catalog`], so adapters and a user's extras are listed with the
//! built-ins, each tagged with where it comes from; the unbounded ones say
//! so, because a scenario may not give them an overload policy.

use std::fmt::Write as _;
use std::path::PathBuf;

use contend_strategies::pool::OverloadPolicy;

use crate::catalog::{Bounds, Catalog, Origin};

use crate::kinds::Kind;
use crate::scenario::Scenario;

/// The text `contend list` prints: one line per pool strategy of
/// `catalog` with its summary, the overload policies a scenario may name,
/// the cache and fan-in variants, then one line per scenario file in
/// `scenarios` (a file that does not load shows its error).
pub fn render(catalog: &Catalog, scenarios: &[PathBuf]) -> String {
    let width = catalog
        .entries()
        .iter()
        .map(|entry| entry.name.len())
        .max()
        .unwrap_or(0);
    let mut text = String::from("strategies:\n");
    for entry in catalog.entries() {
        let mut tags = Vec::new();
        match entry.origin {
            Origin::BuiltIn => {}
            Origin::Adapter => tags.push("adapter"),
            Origin::Extra => tags.push("extra"),
        }
        if entry.bounds == Bounds::Unbounded {
            tags.push("unbounded: no overload policy");
        }
        let tags = match tags.is_empty() {
            true => String::new(),
            false => format!(" [{}]", tags.join(", ")),
        };
        let _ = writeln!(text, "  {:width$}  {}{tags}", entry.name, entry.summary);
    }
    let _ = writeln!(
        text,
        "overload policies: {}",
        OverloadPolicy::NAMES.join(", ")
    );
    // The pool's strategies are the catalog's, listed above with their
    // tags; every other kind lists its own, or says it runs the pool's (a
    // queue's consumers), not listing them twice.
    let pool = Kind::Pool.strategies();
    for kind in Kind::ALL.into_iter().filter(|kind| *kind != Kind::Pool) {
        if kind.strategies() == pool {
            let _ = writeln!(
                text,
                "{} strategies: the pool strategies above",
                kind.name()
            );
            continue;
        }
        let _ = writeln!(text, "{} strategies:", kind.name());
        for (name, summary) in kind.imp().strategies() {
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
