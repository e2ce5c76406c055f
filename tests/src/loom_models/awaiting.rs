//! Shuttle models of an async executor awaited from tasks: shuttle's
//! tasks (the ones shuttle-tokio's `spawn` makes) await its `submit` and
//! `shutdown`, so shuttle schedules the executor's wake-ups for room and
//! for the jobs' end, where a wake-up lost between a check and the
//! registration of its waiter hangs a submitter. Shuttle only: loom has
//! no tasks to await from.

use contend_strategies::pool::{OverloadPolicy, PoolConfig, ShutdownMode};
use shuttle::future::{block_on, spawn};

use super::pool::{assert_settled, Tally};
use super::{Model, NamedModel};
use crate::awaiting_pool::{AsyncPool, Driven};
use crate::PoolSubject;

/// One worker and a queue of one, submitters awaiting room.
fn config() -> PoolConfig {
    PoolConfig::new(1)
        .queue_capacity(1)
        .policy(OverloadPolicy::Block)
        .runtime_threads(2)
}

/// The models an async subject's promises call for (none for a subject
/// not made by `PoolSubject::awaiting`): submitters awaiting room when it
/// has a bound a submit can meet, and a submit awaited while a shutdown is.
///
/// | model | applies when |
/// |---|---|
/// | submitters awaiting room | bounded, overload, not on the caller |
/// | submit awaited racing a drain | always |
pub fn subject_suite(subject: &PoolSubject) -> Vec<NamedModel> {
    let Some(builder) = subject.awaiting_builder() else {
        return Vec::new();
    };
    let promises = subject.promises;
    let name = subject.name();
    let mut suite = Vec::new();
    let mut add = |what: &str, make: fn(AsyncPool, usize)| {
        let (builder, title) = (builder.clone(), format!("{name}: {what}"));
        let bound = if promises.bounded { 1 } else { usize::MAX };
        let refused_as = title.clone();
        let model: Model = Box::new(move || {
            let Some(pool) = builder(config()) else {
                super::note_refused(&refused_as);
                return;
            };
            make(pool, bound);
        });
        suite.push(NamedModel::new(title, model));
    };
    if promises.bounded && promises.overload && !promises.runs_on_caller {
        add("submitters awaiting room", submitters_awaiting_room);
    }
    add(
        "submit awaited racing a drain",
        submit_awaited_racing_a_drain,
    );
    suite
}

/// Two tasks each await two submits into one worker and a queue of one:
/// each full moment parks a submitter, which a job's end must wake.
fn submitters_awaiting_room(pool: AsyncPool, bound: usize) {
    let tally = Tally::default();
    let submitters: Vec<_> = (0..2)
        .map(|_| {
            let (pool, tally) = (pool.clone(), tally.clone());
            spawn(async move {
                for _ in 0..2 {
                    let admission = pool.submit(tally.job(bound)).await;
                    assert!(
                        admission.is_ok(),
                        "an awaited submit is accepted: {admission:?}"
                    );
                }
            })
        })
        .collect();
    for submitter in submitters {
        block_on(submitter).expect("a submitting task ends");
    }
    block_on(pool.shutdown(ShutdownMode::DRAIN));
    assert_eq!(tally.runs(), 4, "an accepted job did not run exactly once");
    assert_eq!(
        tally.over_bound(),
        0,
        "more jobs ran at once than the bound"
    );
    assert_settled(&Driven(pool), "submitters awaiting room");
}

/// A task awaits three submits while another awaits a drain: a submitter
/// waiting for room when the drain closes the pool is woken and refused,
/// and every accepted job runs.
fn submit_awaited_racing_a_drain(pool: AsyncPool, bound: usize) {
    let tally = Tally::default();
    let submitter = spawn({
        let (pool, tally) = (pool.clone(), tally.clone());
        async move {
            let mut accepted = 0;
            for _ in 0..3 {
                accepted += usize::from(pool.submit(tally.job(bound)).await.is_ok());
            }
            accepted
        }
    });
    let drain = spawn({
        let pool = pool.clone();
        async move { pool.shutdown(ShutdownMode::DRAIN).await }
    });
    let accepted = block_on(submitter).expect("the submitting task ends");
    block_on(drain).expect("the draining task ends");
    assert_eq!(
        tally.runs(),
        accepted,
        "accepted jobs ran {} times, not {accepted}",
        tally.runs()
    );
    assert_eq!(
        tally.over_bound(),
        0,
        "more jobs ran at once than the bound"
    );
    assert_settled(&Driven(pool), "submit awaited racing a drain");
}
