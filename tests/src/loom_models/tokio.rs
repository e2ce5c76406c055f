//! The models of the tokio strategies and the `tokio-mpsc` fan-in, for
//! shuttle only: with the `shuttle` feature their `tokio` is
//! shuttle-tokio's model, whose tasks, timers and semaphores shuttle
//! schedules (tokio does not build under loom at all).

use contend_strategies::fanin::TokioMpsc;
use contend_strategies::pool::TokioSpawn;
use contend_strategies::pool::{
    Executor, PoolConfig, TokioMultiplex, TokioRaw, TokioSemaphore, TokioWorkers,
};

use super::pool::{blocked_submitter_resumes, executor_suite, of, permit_hand_off, Plain};
use super::{fanin, NamedModel};

/// One permit or worker, a queue of two, a runtime of two threads.
fn config() -> PoolConfig {
    PoolConfig::new(1).queue_capacity(2).runtime_threads(2)
}

fn tokio_spawn() -> Box<dyn Executor> {
    Box::new(TokioSpawn::new(config()).unwrap())
}

fn tokio_semaphore() -> Box<dyn Executor> {
    Box::new(TokioSemaphore::new(config()).unwrap())
}

fn tokio_workers() -> Box<dyn Executor> {
    Box::new(TokioWorkers::new(config()).unwrap())
}

fn tokio_multiplex() -> Box<dyn Executor> {
    Box::new(TokioMultiplex::new(config()).unwrap())
}

fn tokio_raw() -> Box<dyn Executor> {
    Box::new(TokioRaw::new(config()).unwrap())
}

/// Every executor model on every tokio strategy, the bound on the
/// bounded ones, a blocked submitter on the queued ones, and the fan-in
/// models that apply to `tokio-mpsc` (it has no rendezvous).
pub fn suite() -> Vec<NamedModel> {
    let strategies: [(&str, Plain); 5] = [
        ("tokio-spawn", tokio_spawn),
        ("tokio-semaphore", tokio_semaphore),
        ("tokio-workers", tokio_workers),
        ("tokio-multiplex", tokio_multiplex),
        ("tokio-raw", tokio_raw),
    ];
    let mut suite: Vec<NamedModel> = strategies
        .into_iter()
        .flat_map(|(name, build)| executor_suite(name, of(build)))
        .collect();
    let bounded: [(&str, Plain); 4] = [
        ("tokio-semaphore", tokio_semaphore),
        ("tokio-workers", tokio_workers),
        ("tokio-multiplex", tokio_multiplex),
        ("tokio-raw", tokio_raw),
    ];
    for (name, build) in bounded {
        suite.push(NamedModel::new(
            format!("{name}: permit hand-off"),
            permit_hand_off(of(build)),
        ));
    }
    for (name, build) in [
        ("tokio-workers", tokio_workers as Plain),
        ("tokio-multiplex", tokio_multiplex),
    ] {
        suite.push(NamedModel::new(
            format!("{name}: blocked submitter resumes"),
            blocked_submitter_resumes(of(build), 1),
        ));
    }
    suite.extend(fanin::variant_suite("tokio-mpsc", TokioMpsc));
    suite
}
