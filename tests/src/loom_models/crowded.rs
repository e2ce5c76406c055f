//! Pool models too large for loom, for shuttle: four workers (two permits
//! for `semaphore`), three
//! submitters and a canceller, 21 jobs (panicking and cancellable ones
//! mixed in), and two shutdowns (a drain and an abort) racing all of them;
//! an elastic pool resized and expiring its idle workers while jobs come.
//! Loom cannot enumerate their interleavings (its state space explodes past
//! two or three threads); shuttle samples them (`tests/shuttle_pool.rs`).

use std::time::Duration;

use contend_strategies::pool::{
    CancelToken, Dispatcher, Elastic, Executor, Fixed, Job, PoolConfig, Semaphore, ShutdownMode,
    Unbounded,
};
use contend_strategies::sync::{thread, Arc};

use super::pool::{assert_joined, assert_settled, of, on_subject, Build, Plain, Tally};
use super::{Model, NamedModel};
use crate::PoolSubject;

/// Submitter threads of the crowded model.
const SUBMITTERS: usize = 3;
/// Jobs each submitter offers.
const JOBS_EACH: usize = 7;
/// Yields inside each job, so that jobs overlap: a bound that leaks (a
/// permit given back early) shows as one job too many beside the others.
const YIELDS: usize = 3;

/// The crowd against `build`'s pool, whose bound is `bound`: every job
/// runs once, is skipped as cancelled, comes back from one of the two
/// shutdowns, or is refused as closed; the bound holds; the books
/// balance and both shutdowns return with every worker joined.
pub fn crowded(build: Build, bound: usize) -> Model {
    Box::new(move || {
        let pool: Arc<Box<dyn Executor>> = Arc::new(build());
        let tally = Tally::default();
        let token = CancelToken::new();
        let submitters: Vec<_> = (0..SUBMITTERS)
            .map(|submitter| {
                let (pool, tally, token) = (Arc::clone(&pool), tally.clone(), token.clone());
                thread::spawn(move || {
                    let mut refused = 0;
                    for index in 0..JOBS_EACH {
                        let job = match (submitter * JOBS_EACH + index) % 5 {
                            0 => Job::new(|| std::panic::panic_any(crate::EXPECTED_PANIC)),
                            1 => tally.slow_job(bound, YIELDS).with_cancel(token.clone()),
                            _ => tally.slow_job(bound, YIELDS),
                        };
                        if pool.submit(job).is_err() {
                            refused += 1;
                        }
                    }
                    refused
                })
            })
            .collect();
        let canceller = thread::spawn(move || token.cancel());
        let shutdowns: Vec<_> = [ShutdownMode::DRAIN, ShutdownMode::Abort]
            .into_iter()
            .map(|mode| {
                let (pool, tally) = (Arc::clone(&pool), tally.clone());
                thread::spawn(move || {
                    let report = pool.shutdown(mode);
                    assert_eq!(
                        report.still_running, 0,
                        "a shutdown returned before its workers"
                    );
                    assert_joined(&**pool, &tally, &format!("the concurrent {mode:?}"));
                    report.handed_back.len()
                })
            })
            .collect();
        let refused: usize = submitters
            .into_iter()
            .map(|t| crate::watchdog::joined("a model thread", t.join()))
            .sum();
        crate::watchdog::joined("canceller thread", canceller.join());
        let handed_back: usize = shutdowns
            .into_iter()
            .map(|t| crate::watchdog::joined("a model thread", t.join()))
            .sum();
        let stats = pool.stats();
        let settled = tally.runs() + stats.panicked + stats.cancelled + handed_back + refused;
        assert_eq!(
            settled,
            SUBMITTERS * JOBS_EACH,
            "every job must run, be cancelled, come back or be refused, once: {stats:?}"
        );
        assert_eq!(
            tally.over_bound(),
            0,
            "more jobs ran at once than the bound"
        );
        assert_settled(&**pool, "crowded");
    })
}

/// Jobs keep coming while the capacity goes down and up and idle workers
/// expire: every job runs once and no more run at once than the largest
/// capacity set.
pub fn elastic_resized_under_load() -> Model {
    Box::new(|| {
        let pool: Arc<Box<dyn Executor>> = Arc::new(elastic(4));
        let tally = Tally::default();
        let submitters: Vec<_> = (0..2)
            .map(|_| {
                let (pool, tally) = (Arc::clone(&pool), tally.clone());
                thread::spawn(move || {
                    for _ in 0..6 {
                        let job = tally.slow_job(4, YIELDS);
                        pool.submit(job).expect("an open pool accepts");
                    }
                })
            })
            .collect();
        let resizer = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || {
                for capacity in [1, 3, 2, 4] {
                    pool.resize(capacity).expect("elastic resizes");
                }
            })
        };
        for submitter in submitters {
            crate::watchdog::joined("submitter thread", submitter.join());
        }
        crate::watchdog::joined("resizer thread", resizer.join());
        pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(tally.runs(), 12, "an accepted job did not run");
        assert_eq!(
            tally.over_bound(),
            0,
            "more jobs ran at once than the capacity"
        );
        assert_settled(&**pool, "elastic resized under load");
    })
}

fn fixed() -> Box<dyn Executor> {
    Box::new(Fixed::new(PoolConfig::new(4).queue_capacity(4)).unwrap())
}

fn dispatcher() -> Box<dyn Executor> {
    Box::new(Dispatcher::new(PoolConfig::new(4).queue_capacity(4)).unwrap())
}

/// Two permits, not four: a permit given back early lets a third job in
/// beside two others, a crowd shuttle meets often; a fifth beside four,
/// rarely.
fn semaphore() -> Box<dyn Executor> {
    Box::new(Semaphore::new(PoolConfig::new(2)).unwrap())
}

fn unbounded() -> Box<dyn Executor> {
    Box::new(Unbounded::new())
}

fn elastic(capacity: usize) -> Box<dyn Executor> {
    let config = PoolConfig::new(capacity)
        .queue_capacity(4)
        .idle_timeout(Duration::from_millis(1));
    Box::new(Elastic::new(config).unwrap())
}

fn elastic_four() -> Box<dyn Executor> {
    elastic(4)
}

/// The crowded models of every thread strategy (`serial` runs each job on
/// its own submitter, so it has no crowd to race), and elastic's resize.
pub fn suite() -> Vec<NamedModel> {
    let strategies: [(&str, Plain, usize); 5] = [
        ("fixed", fixed, 4),
        ("dispatcher", dispatcher, 4),
        ("semaphore", semaphore, 2),
        ("unbounded", unbounded, usize::MAX),
        ("elastic", elastic_four, 4),
    ];
    let mut suite: Vec<NamedModel> = strategies
        .into_iter()
        .map(|(name, build, bound)| {
            NamedModel::new(
                format!("{name}: 3 submitters, 21 jobs, 2 shutdowns, cancels and panics"),
                crowded(of(build), bound),
            )
        })
        .collect();
    suite.push(NamedModel::new(
        "elastic: resized and expiring under load",
        elastic_resized_under_load(),
    ));
    suite
}

/// The crowded model on your executor, for shuttle (loom cannot finish
/// it): three submitters, 21 jobs with panics and cancels, a drain and an
/// abort racing them, on four workers behind a queue of four; the bound
/// checked is four if the subject promises one. Named
/// `name: 3 submitters, 21 jobs, 2 shutdowns, cancels and panics`; a
/// subject that refuses the configuration has the model reported as
/// skipped.
pub fn subject_suite(subject: &PoolSubject) -> Vec<NamedModel> {
    let bound = if subject.promises.bounded {
        4
    } else {
        usize::MAX
    };
    vec![on_subject(
        subject,
        format!(
            "{}: 3 submitters, 21 jobs, 2 shutdowns, cancels and panics",
            subject.name()
        ),
        PoolConfig::new(4).queue_capacity(4),
        move |build| crowded(build, bound),
    )]
}
