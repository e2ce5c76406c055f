//! The scenario file as TOML gives it, with the span of every value so that
//! validation can name the line.
//!
//! Every table refuses unknown keys (serde's `deny_unknown_fields`), which
//! makes TOML's own error name the allowed keys. Numbers are read as signed
//! or floating so that a negative value reaches validation and is refused
//! with the allowed range rather than a type error.

use serde::Deserialize;
use toml::Spanned;

/// Just the `kind`, read first: it decides which workload table the
/// rest of the file is checked against.
#[derive(Debug, Deserialize)]
pub(crate) struct RawHead {
    pub(crate) kind: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) description: Option<String>,
    /// Checked by [`RawHead`]; listed so that it is a known key.
    #[serde(rename = "kind")]
    pub(crate) _kind: Option<String>,
    pub(crate) repetitions: Option<Spanned<i64>>,
    pub(crate) reference: Option<Spanned<String>>,
    pub(crate) timeout: Option<Spanned<String>>,
    pub(crate) memory_limit: Option<Spanned<String>>,
    pub(crate) objective: Option<Spanned<RawObjective>>,
    /// The kind's to check (`ScenarioKind::workload`); listed so that
    /// it is a known key, and a required one.
    #[serde(rename = "workload")]
    pub(crate) _workload: Spanned<serde::de::IgnoredAny>,
    pub(crate) quick: Option<RawQuick>,
    #[serde(rename = "strategy")]
    pub(crate) strategies: Spanned<Vec<RawStrategy>>,
    #[serde(rename = "gate", default)]
    pub(crate) gates: Vec<RawGate>,
}

/// `objective = { p99 = "50ms" }`: the latency the verdict holds cells to.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawObjective {
    pub(crate) p99: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawQuick {
    pub(crate) jobs: Option<Spanned<i64>>,
    pub(crate) ops: Option<Spanned<i64>>,
    pub(crate) items: Option<Spanned<i64>>,
    pub(crate) duration: Option<Spanned<String>>,
    pub(crate) repetitions: Option<Spanned<i64>>,
}

/// A `[[strategy]]` table: its name and parameters, each a value or a
/// list of values to sweep. Parameters stay TOML values here; their
/// meaning is in `params.rs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStrategy {
    pub(crate) name: Spanned<String>,
    pub(crate) workers: Option<Spanned<toml::Value>>,
    pub(crate) queue: Option<Spanned<toml::Value>>,
    pub(crate) policy: Option<Spanned<toml::Value>>,
    pub(crate) block_timeout: Option<Spanned<toml::Value>>,
    pub(crate) idle_timeout: Option<Spanned<toml::Value>>,
    pub(crate) max_blocked_submitters: Option<Spanned<toml::Value>>,
    pub(crate) readers: Option<Spanned<toml::Value>>,
    pub(crate) shards: Option<Spanned<toml::Value>>,
    pub(crate) producers: Option<Spanned<toml::Value>>,
    pub(crate) capacity: Option<Spanned<toml::Value>>,
    pub(crate) io: Option<Spanned<toml::Value>>,
    pub(crate) send: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGate {
    pub(crate) check: Spanned<String>,
    pub(crate) quick: Option<bool>,
}
