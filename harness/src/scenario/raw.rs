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
pub(crate) struct RawScenario<W> {
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
    pub(crate) workload: Spanned<W>,
    pub(crate) quick: Option<RawQuick>,
    #[serde(rename = "strategy")]
    pub(crate) strategies: Spanned<Vec<RawStrategy>>,
    #[serde(rename = "gate", default)]
    pub(crate) gates: Vec<RawGate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWorkload {
    pub(crate) jobs: Option<Spanned<i64>>,
    pub(crate) duration: Option<Spanned<String>>,
    pub(crate) arrival: Spanned<RawArrival>,
    pub(crate) service: Option<Spanned<RawService>>,
    pub(crate) panic_rate: Option<Spanned<f64>>,
    pub(crate) cancel_rate: Option<Spanned<f64>>,
    pub(crate) downstream: Option<Spanned<RawDownstream>>,
    pub(crate) seed: Option<u64>,
}

/// The `[workload]` of `kind = "cache"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCacheWorkload {
    pub(crate) readers: Option<Spanned<toml::Value>>,
    pub(crate) ops: Option<Spanned<i64>>,
    pub(crate) duration: Option<Spanned<String>>,
    pub(crate) keys: Spanned<i64>,
    pub(crate) refresh_keys: Option<Spanned<i64>>,
    pub(crate) refresh_every: Option<Spanned<String>>,
    pub(crate) read_batch: Option<Spanned<i64>>,
    pub(crate) mix: Option<Spanned<RawMix>>,
    pub(crate) seed: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMix {
    pub(crate) get: Option<Spanned<i64>>,
    pub(crate) get_many: Option<Spanned<i64>>,
    pub(crate) insert: Option<Spanned<i64>>,
    pub(crate) remove: Option<Spanned<i64>>,
}

/// The `[workload]` of `kind = "fanin"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFanInWorkload {
    pub(crate) producers: Spanned<toml::Value>,
    pub(crate) items: Spanned<i64>,
    pub(crate) capacity: Option<Spanned<toml::Value>>,
    pub(crate) send: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawArrival {
    #[serde(rename = "type")]
    pub(crate) kind: Spanned<String>,
    pub(crate) clients: Option<Spanned<i64>>,
    pub(crate) think: Option<Spanned<String>>,
    pub(crate) rate: Option<Spanned<f64>>,
    pub(crate) spacing: Option<Spanned<String>>,
    pub(crate) size: Option<Spanned<i64>>,
    pub(crate) every: Option<Spanned<String>>,
    pub(crate) from: Option<Spanned<f64>>,
    pub(crate) to: Option<Spanned<f64>>,
    pub(crate) over: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawService {
    #[serde(rename = "type")]
    pub(crate) work: Option<Spanned<String>>,
    pub(crate) dist: Option<Spanned<String>>,
    pub(crate) mean: Spanned<String>,
    pub(crate) sigma: Option<Spanned<f64>>,
    pub(crate) memory: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDownstream {
    pub(crate) connections: Spanned<i64>,
    pub(crate) latency: Spanned<String>,
    pub(crate) overload_growth: Option<Spanned<f64>>,
    pub(crate) timeout: Spanned<String>,
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
