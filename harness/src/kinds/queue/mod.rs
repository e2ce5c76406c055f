//! The `queue` kind: an open-loop producer publishes jobs to a broker
//! (Redis Streams, [`crate::broker`]); consumer *processes*, each running
//! a pool strategy, fetch them, run them and acknowledge them. One
//! consumer may be SIGKILLed mid-run: the survivors claim its pending
//! messages, and the broker's books prove none was lost.
//!
//! Why a kind of its own: a pool measured in-process cannot show what a
//! queue in front of it does: absorb a burst the pool drains at its own
//! pace, and survive a worker's death. That needs processes, a broker,
//! and books kept by the broker rather than by anyone who can die.
//!
//! - [`workload`]: the load; `table`: its `[workload]` table and checks.
//! - [`runner`]: the coordinator (the cell's process): publishes, kills,
//!   samples the [`backlog`], waits for the drain, reads the [`books`].
//! - [`consumer`]: one consumer process (`contend queue-consumer`).
//! - `columns`: its report columns.
//!
//! [`QueueKind::prepare`](crate::kinds::ScenarioKind::prepare) starts a
//! throwaway `redis-server` for the scenario when it names no broker URL,
//! and checks the one it names is reachable before the run.

pub mod backlog;
pub mod books;
mod columns;
pub mod consumer;
pub mod runner;
mod table;
pub mod workload;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

pub use workload::QueueWorkload;

use super::fits::Misfit;
use super::params::Key;
use super::{
    About, CellSpec, Column, PrepareError, QuickKeys, ScenarioKind, Services, Shared,
    StrategyParams, Workload,
};
use crate::broker::{BrokerError, RedisServer, RedisStreams};
use crate::fields::{Checked, Source};
use crate::machine::Machine;
use crate::record::Metric;
use crate::results::Repetition;

/// What the `queue` kind is called and counts.
const ABOUT: About = About {
    name: "queue",
    primary: Metric::EndToEnd,
    primary_words: "end-to-end",
    metrics: &[Metric::EndToEnd],
    unit: "jobs",
    throughput_unit: "msgs/s",
    quick: QuickKeys {
        count: "jobs",
        duration: false,
    },
    keys: &[Key::Workers, Key::Queue, Key::Policy],
    has_goodput: false,
    queues_work: false,
    count_names: books::COUNT_NAMES,
    books_meaning: "every published job was acknowledged and had its effect exactly once (redeliveries counted, not failures); nothing missing, waiting or pending",
};

/// The `queue` kind.
pub struct QueueKind;

impl ScenarioKind for QueueKind {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn strategies(&self) -> Vec<(&'static str, &'static str)> {
        super::pool::Pool.strategies()
    }

    fn check_key(&self, strategy: &str, key: Key) -> Result<(), String> {
        super::pool::Pool.check_key(strategy, key)
    }

    fn workload(&self, src: Source<'_>) -> Checked<(Workload, Shared)> {
        table::read(src)
    }

    fn prepare(&self, workload: &mut Workload) -> Result<Services, PrepareError> {
        let Workload::Queue(load) = workload else {
            return Ok(Services::default());
        };
        match &load.broker_url {
            Some(url) => {
                let namespace = format!("contend-check:{}", std::process::id());
                let broker = RedisStreams::connect(url, &namespace)
                    .map_err(|e| PrepareError::Bad(e.to_string()))?;
                let _ = broker.delete_all();
                Ok(Services::default())
            }
            None => {
                let server = RedisServer::start().map_err(|e| {
                    let why = format!("cannot start a throwaway broker: {e} (install redis-server, or give the broker a `url`)");
                    if matches!(e, BrokerError::ServerNotFound { .. }) {
                        PrepareError::Unavailable(why)
                    } else {
                        PrepareError::Bad(why)
                    }
                })?;
                load.broker_url = Some(server.url());
                Ok(Services(vec![Box::new(server)]))
            }
        }
    }

    fn fits(
        &self,
        strategy: &str,
        params: &StrategyParams,
        workload: &Workload,
        machine: &Machine,
    ) -> Result<(), Misfit> {
        // A consumer is a pool: its workers, tasks and queue cost what a
        // pool cell's do.
        super::pool::Pool.fits(strategy, params, workload, machine)
    }

    fn try_build(&self, strategy: &str, small: &StrategyParams) -> Result<(), String> {
        super::pool::Pool.try_build(strategy, small)
    }

    fn run(&self, spec: &CellSpec, stop: &Arc<AtomicBool>) -> Repetition {
        match &spec.workload {
            Workload::Queue(workload) => runner::run(spec, workload, stop),
            _ => super::measure::wrong_workload(ABOUT.name),
        }
    }

    fn columns(&self) -> Vec<Column> {
        columns::columns()
    }
}
