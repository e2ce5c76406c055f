//! The `[workload]` table of a `cache` scenario, as TOML gives it and as
//! checked.

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::workload::{CacheWorkload, OpMix};
use crate::fields::{at_most, positive, time, Checked, Source};
use crate::kinds::params::Key;
use crate::kinds::{Shared, Workload};
use crate::machine::Machine;

/// Reads and checks the `[workload]` of `src`, a `cache` file: the load,
/// and `readers` if it is written there.
pub(crate) fn read(src: Source<'_>) -> Checked<(Workload, Shared)> {
    let table = crate::kinds::workload_table::<RawCacheWorkload>(src)?;
    let (load, shared) = cache_workload(src, &table)?;
    Ok((Workload::Cache(load), shared))
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

fn cache_workload(
    src: Source<'_>,
    spanned: &Spanned<RawCacheWorkload>,
) -> Checked<(CacheWorkload, Shared)> {
    let raw = spanned.get_ref();
    let ops = raw
        .ops
        .as_ref()
        .map(|n| positive(src, n, "ops"))
        .transpose()?;
    let duration = raw.duration.as_ref().map(|d| time(src, d)).transpose()?;
    if ops.is_none() && duration.is_none() {
        return Err(src.error(
            spanned.span(),
            "the workload needs `ops` (per reader) or `duration` (or both)",
        ));
    }
    // Every key is in the map from the start: two u64s at least each.
    let key_bytes = 2 * std::mem::size_of::<u64>() as u64;
    let keys = at_most(
        src,
        &raw.keys,
        "keys",
        Machine::get().memory.value / key_bytes,
        "the keys this machine's memory holds, 16 bytes each",
    )?;
    let refresh_keys = match &raw.refresh_keys {
        None => keys.min(100),
        Some(n) => match positive(src, n, "refresh_keys")? {
            n if n <= keys => n,
            n => {
                return Err(src.error(
                    raw.refresh_keys.as_ref().map_or(0..0, Spanned::span),
                    format!("`refresh_keys` must be at most `keys` ({keys}), got {n}"),
                ))
            }
        },
    };
    let refresh_every = match &raw.refresh_every {
        None => Duration::from_millis(10),
        Some(text) => match time(src, text)? {
            t if t.is_zero() => {
                return Err(src.error(text.span(), "`refresh_every` must be more than 0"))
            }
            t => t,
        },
    };
    let read_batch = match &raw.read_batch {
        None => refresh_keys.min(16),
        Some(n) => match positive(src, n, "read_batch")? {
            n if n <= refresh_keys => n,
            n => {
                return Err(src.error(
                    n_span(&raw.read_batch),
                    format!(
                        "`read_batch` must be at most `refresh_keys` ({refresh_keys}): a `get_many` reads refreshed keys; got {n}"
                    ),
                ))
            }
        },
    } as usize;
    let mix = match &raw.mix {
        None => OpMix::default(),
        Some(mix) => {
            let percent = |value: &Option<Spanned<i64>>, key: &str| -> Checked<u32> {
                match value {
                    None => Ok(0),
                    Some(v) if (0..=100).contains(v.get_ref()) => Ok(*v.get_ref() as u32),
                    Some(v) => Err(src.error(
                        v.span(),
                        format!(
                            "`{key}` is a percentage of reader operations, 0 to 100, got {}",
                            v.get_ref()
                        ),
                    )),
                }
            };
            let m = mix.get_ref();
            let parsed = OpMix {
                get: percent(&m.get, "get")?,
                get_many: percent(&m.get_many, "get_many")?,
                insert: percent(&m.insert, "insert")?,
                remove: percent(&m.remove, "remove")?,
            };
            let total = parsed.get + parsed.get_many + parsed.insert + parsed.remove;
            if total != 100 {
                return Err(src.error(
                    mix.span(),
                    format!(
                        "the mix must add up to 100 (percent of reader operations), got {total}; keys: {}",
                        OpMix::NAMES.join(", ")
                    ),
                ));
            }
            if parsed.insert + parsed.remove > 0 && refresh_keys >= keys {
                return Err(src.error(
                    mix.span(),
                    format!(
                        "`insert` and `remove` use the keys above the refreshed ones: `keys` ({keys}) must be more than `refresh_keys` ({refresh_keys})"
                    ),
                ));
            }
            parsed
        }
    };
    let shared = raw
        .readers
        .as_ref()
        .map(|r| (Key::Readers, r.clone()))
        .into_iter()
        .collect();
    Ok((
        CacheWorkload {
            ops,
            duration,
            keys,
            refresh_keys,
            refresh_every,
            read_batch,
            mix,
            seed: raw.seed.unwrap_or(1),
        },
        shared,
    ))
}

fn n_span(value: &Option<Spanned<i64>>) -> std::ops::Range<usize> {
    value.as_ref().map_or(0..0, Spanned::span)
}
