//! The `[workload]` table of a `fanin` scenario, as TOML gives it and as
//! checked.

use serde::Deserialize;
use toml::Spanned;

use super::workload::FanInWorkload;
use crate::fields::{positive, Checked, Source};
use crate::kinds::params::Key;
use crate::kinds::{Shared, Workload};

/// Reads and checks the `[workload]` of `src`, a `fanin` file: the items,
/// and `producers`, `capacity` and `send`, strategy parameters written
/// there.
pub(crate) fn read(src: Source<'_>) -> Checked<(Workload, Shared)> {
    let table = crate::kinds::workload_table::<RawFanInWorkload>(src)?;
    let w = table.get_ref();
    let load = FanInWorkload {
        items: positive(src, &w.items, "items")?,
    };
    let mut shared = vec![(Key::Producers, w.producers.clone())];
    shared.extend(w.capacity.clone().map(|c| (Key::Capacity, c)));
    shared.extend(w.send.clone().map(|c| (Key::Send, c)));
    Ok((Workload::FanIn(load), shared))
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
