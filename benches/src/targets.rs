//! The ratio targets of `benches/targets.toml`: a benchmark's time per
//! element against an anchor's, measured in the same run.

use std::path::Path;

use serde::Deserialize;

/// One target: `bench` takes at most `at_most` × the time of its anchor.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// What it says, for the table.
    pub name: String,
    /// The benchmark's full id (`pool/empty-1sub/fixed`).
    pub bench: String,
    /// The anchor's full id, or several: the fastest of them is the anchor
    /// ("no worse than the best of threadpool, rayon, tokio").
    pub anchor: Anchors,
    /// The most `bench / anchor` (time per element) may be: 1.5 means "at
    /// most 1.5 × the anchor's cost", 0.33 "at least 3 × faster".
    pub at_most: f64,
}

/// One anchor or the fastest of several.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Anchors {
    /// A single benchmark.
    One(String),
    /// The fastest of these.
    BestOf(Vec<String>),
}

impl Anchors {
    /// Every id it may use.
    pub fn ids(&self) -> Vec<&str> {
        match self {
            Anchors::One(id) => vec![id.as_str()],
            Anchors::BestOf(ids) => ids.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetsFile {
    target: Vec<Target>,
}

/// Reads the targets file.
pub fn read(path: &Path) -> Result<Vec<Target>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file: TargetsFile =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(file.target)
}
