//! Whether a cell's sizes fit this machine: thread counts within the
//! threads a process may have, and what a size allocates within its
//! memory.
//!
//! Checked on the numbers alone, before any strategy is built, so that an
//! impossible size is refused with its range instead of spawning threads
//! or allocating until the process dies. Each bound is the least a size
//! costs (a thread per worker, a slot per queued job), so a size refused
//! here could not have run; the limits themselves come from
//! [`Machine`](super::machine::Machine).

use contend_strategies::cache::RwLockCache;
use contend_strategies::pool::MAX_ALLOCATED_QUEUE;

use super::machine::{Limit, Machine};
use super::params::{Key, StrategyParams};
use super::{Kind, Workload};
use crate::catalog::Catalog;
use crate::load::service::Io;

/// The least a queued job holds: the slots `fixed` and `dispatcher`
/// allocate up front, `MAX_ALLOCATED_QUEUE` of them in 512 MiB (any other
/// queue full to its bound holds at least as much per job).
const QUEUE_SLOT_BYTES: u64 = (512 << 20) / MAX_ALLOCATED_QUEUE as u64;

/// The least a job in flight on tokio tasks (or an async producer) holds:
/// a spawned task's header and scheduler links, before its future.
const TASK_BYTES: u64 = 128;

/// The least a slot of a bounded fan-in channel holds: one item (bounded
/// `crossbeam` allocates its slots up front).
const CHANNEL_SLOT_BYTES: u64 = std::mem::size_of::<crate::run::fanin::Item>() as u64;

/// The least a shard of the `sharded` cache holds: an empty `RwLockCache`,
/// allocated for every shard when the cache is built.
const SHARD_BYTES: u64 = std::mem::size_of::<RwLockCache<u64, u64>>() as u64;

/// A size that does not fit: the key to blame and why.
pub(crate) type Misfit = (Key, String);

/// Checks the sizes of one cell of `strategy` against `machine`.
pub(crate) fn cell(
    kind: Kind,
    strategy: &str,
    params: &StrategyParams,
    workload: &Workload,
    machine: &Machine,
) -> Result<(), Misfit> {
    match kind {
        Kind::Pool => {
            if Catalog::active().runs_on_tasks(strategy) {
                memory(
                    machine,
                    Key::Workers,
                    params.workers,
                    TASK_BYTES,
                    "job in flight (a task)",
                )?;
            } else {
                threads(machine, Key::Workers, params.workers)?;
            }
            memory(
                machine,
                Key::Queue,
                params.queue,
                QUEUE_SLOT_BYTES,
                "queued job",
            )?;
        }
        Kind::Cache => {
            threads(machine, Key::Readers, params.readers)?;
            memory(machine, Key::Shards, params.shards, SHARD_BYTES, "shard")?;
        }
        Kind::FanIn => {
            if params.send == Some(Io::Async) {
                memory(
                    machine,
                    Key::Producers,
                    params.producers,
                    TASK_BYTES,
                    "producer task",
                )?;
            } else {
                threads(machine, Key::Producers, params.producers)?;
            }
            if let Some(capacity) = params.capacity {
                memory(
                    machine,
                    Key::Capacity,
                    capacity,
                    CHANNEL_SLOT_BYTES,
                    "channel slot",
                )?;
            }
            if let Workload::FanIn(load) = workload {
                // The books keep a bit per item of every producer.
                let per_producer = load.items.div_ceil(64).saturating_mul(8);
                memory(
                    machine,
                    Key::Producers,
                    params.producers,
                    per_producer,
                    "producer's books (a bit per item: `items` / 8)",
                )?;
            }
        }
    }
    Ok(())
}

/// `n` threads: at most the machine's thread limit.
fn threads(machine: &Machine, key: Key, n: usize) -> Result<(), Misfit> {
    let Limit { value: max, source } = &machine.threads;
    if n as u64 <= *max {
        return Ok(());
    }
    Err((
        key,
        format!(
            "`{}` = {n} is more threads than a process may have on this machine; allowed: 1 to {max} ({source})",
            key.name()
        ),
    ))
}

/// `n` things of at least `each` bytes: at most the machine's memory.
fn memory(machine: &Machine, key: Key, n: usize, each: u64, what: &str) -> Result<(), Misfit> {
    let Limit { value: max, source } = &machine.memory;
    let each = each.max(1);
    let needs = (n as u64).saturating_mul(each);
    if needs <= *max {
        return Ok(());
    }
    Err((
        key,
        format!(
            "`{}` = {n} needs at least {} ({each} bytes a {what}), more than this machine has ({}, {source}); allowed: at most {}",
            key.name(),
            approx(needs),
            approx(*max),
            max / each
        ),
    ))
}

/// A size in the largest binary unit under it, one decimal (`23.5GiB`).
pub(crate) fn approx(bytes: u64) -> String {
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

    fn small_machine() -> Machine {
        Machine {
            threads: Limit {
                value: 1_000,
                source: "kernel.pid_max",
            },
            memory: Limit {
                value: 1 << 30,
                source: "MemTotal + SwapTotal",
            },
        }
    }

    #[test]
    fn threads_beyond_the_limit_are_refused_with_the_range_and_its_source() {
        let machine = small_machine();
        let mut params = StrategyParams {
            workers: 1_000,
            ..StrategyParams::default()
        };
        let workload = Workload::FanIn(super::super::FanInWorkload { items: 1 });
        assert!(cell(Kind::Pool, "fixed", &params, &workload, &machine).is_ok());
        params.workers = 1_001;
        let (key, message) = cell(Kind::Pool, "fixed", &params, &workload, &machine).unwrap_err();
        assert_eq!(key, Key::Workers);
        assert!(message.contains("1 to 1000 (kernel.pid_max)"), "{message}");
    }

    #[test]
    fn a_queue_larger_than_memory_is_refused() {
        let machine = small_machine();
        let params = StrategyParams {
            queue: usize::MAX,
            ..StrategyParams::default()
        };
        let workload = Workload::FanIn(super::super::FanInWorkload { items: 1 });
        let (key, message) = cell(Kind::Pool, "fixed", &params, &workload, &machine).unwrap_err();
        assert_eq!(key, Key::Queue);
        assert!(
            message.contains("more than this machine has (1.0GiB"),
            "{message}"
        );
    }

    #[test]
    fn fan_in_books_count_against_memory() {
        let machine = small_machine();
        let params = StrategyParams {
            producers: 64,
            ..StrategyParams::default()
        };
        let workload = Workload::FanIn(super::super::FanInWorkload { items: 1 << 40 });
        let (key, _) = cell(Kind::FanIn, "flume", &params, &workload, &machine).unwrap_err();
        assert_eq!(key, Key::Producers);
    }
}
