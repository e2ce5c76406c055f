//! Whether a cell's sizes fit this machine: thread counts within the
//! threads a process may have, and what a size allocates within its
//! memory.
//!
//! Checked on the numbers alone, before any strategy is built, so that an
//! impossible size is refused with its range instead of spawning threads
//! or allocating until the process dies. Each bound is the least a size
//! costs (a thread per worker, a slot per queued job), so a size refused
//! here could not have run; the limits themselves come from
//! [`Machine`]; each kind's
//! [`fits`](super::ScenarioKind::fits) says which sizes it checks.

use contend_strategies::pool::MAX_ALLOCATED_QUEUE;

use super::params::Key;
use crate::machine::{Limit, Machine};
use crate::units::size::approx;

/// The least a queued job holds: the slots `fixed` and `dispatcher`
/// allocate up front, `MAX_ALLOCATED_QUEUE` of them in 512 MiB (any other
/// queue full to its bound holds at least as much per job).
pub(crate) const QUEUE_SLOT_BYTES: u64 = (512 << 20) / MAX_ALLOCATED_QUEUE as u64;

/// The least a job in flight on tokio tasks (or an async producer) holds:
/// a spawned task's header and scheduler links, before its future.
pub(crate) const TASK_BYTES: u64 = 128;

/// A size that does not fit: the key to blame and why.
pub type Misfit = (Key, String);

/// `n` threads: at most the machine's thread limit.
pub(crate) fn threads(machine: &Machine, key: Key, n: usize) -> Result<(), Misfit> {
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
pub(crate) fn memory(
    machine: &Machine,
    key: Key,
    n: usize,
    each: u64,
    what: &str,
) -> Result<(), Misfit> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::fanin::FanInWorkload;
    use crate::kinds::{Kind, StrategyParams, Workload};

    fn cell(
        kind: Kind,
        strategy: &str,
        params: &StrategyParams,
        workload: &Workload,
        machine: &Machine,
    ) -> Result<(), Misfit> {
        kind.imp().fits(strategy, params, workload, machine)
    }

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
        let workload = Workload::FanIn(FanInWorkload { items: 1 });
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
        let workload = Workload::FanIn(FanInWorkload { items: 1 });
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
        let workload = Workload::FanIn(FanInWorkload { items: 1 << 40 });
        let (key, _) = cell(Kind::FanIn, "flume", &params, &workload, &machine).unwrap_err();
        assert_eq!(key, Key::Producers);
    }
}
