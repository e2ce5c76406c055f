//! The tokio strategies (`tokio-spawn`, `tokio-semaphore`, `tokio-workers`,
//! `tokio-multiplex`, and the `tokio-raw` reference) against the executor
//! contract: no accepted job lost or run twice, the
//! bound kept, panics isolated, every policy, and a clean shutdown.
//!
//! No test asserts how long anything took: states are forced with the
//! gates of [`support`], and sleeps only make a wrong outcome likely to
//! show.
#![cfg(not(any(loom, feature = "shuttle")))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

use contend_strategies::pool::{self, Admission, CancelToken, ConfigError, Executor, Job};
use contend_strategies::pool::{OverloadPolicy, PoolConfig, RejectReason, ShutdownMode};
use contend_strategies::pool::{
    TokioMultiplex, TokioRaw, TokioSemaphore, TokioSpawn, TokioWorkers,
};

const TOKIO: [&str; 5] = [
    TokioSpawn::NAME,
    TokioSemaphore::NAME,
    TokioWorkers::NAME,
    TokioMultiplex::NAME,
    TokioRaw::NAME,
];
const BOUNDED: [&str; 4] = [
    TokioSemaphore::NAME,
    TokioWorkers::NAME,
    TokioMultiplex::NAME,
    TokioRaw::NAME,
];
/// The strategies that take an unstarted job back the moment a shutdown
/// asks: all but `tokio-raw`, whose jobs sit inside spawned tasks and come
/// back only once those tasks have run (see its own test below).
const TAKE_BACK_AT_ONCE: [&str; 4] = [
    TokioSpawn::NAME,
    TokioSemaphore::NAME,
    TokioWorkers::NAME,
    TokioMultiplex::NAME,
];

mod support;
use support::*;

#[test]
fn shutdown_drain_runs_every_accepted_job() {
    for name in TOKIO {
        let pool = build(
            name,
            PoolConfig::new(4).queue_capacity(16).runtime_threads(2),
        );
        let counter = Arc::new(AtomicUsize::new(0));
        for _ in 0..1_000 {
            assert_eq!(
                pool.submit(counting_job(&counter)).unwrap(),
                Admission::Accepted
            );
        }
        let report = pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(counter.load(Ordering::SeqCst), 1_000, "{name}");
        assert_eq!(report.completed, 1_000, "{name}");
        assert!(report.handed_back.is_empty(), "{name}");
        assert_eq!(report.still_running, 0, "{name}");
        assert_settled(name, &*pool);
    }
}

#[test]
fn async_jobs_are_awaited_on_the_runtime() {
    for name in TOKIO {
        let pool = build(name, PoolConfig::new(8).runtime_threads(2));
        let counter = Arc::new(AtomicUsize::new(0));
        for _ in 0..200 {
            let counter = Arc::clone(&counter);
            pool.submit(Job::from_future(async move {
                tokio::time::sleep(Duration::from_millis(1)).await;
                counter.fetch_add(1, Ordering::SeqCst);
            }))
            .unwrap();
        }
        assert_eq!(pool.shutdown(ShutdownMode::DRAIN).completed, 200, "{name}");
        assert_eq!(counter.load(Ordering::SeqCst), 200, "{name}");
        assert_settled(name, &*pool);
    }
}

#[test]
fn abort_hands_back_every_unstarted_job() {
    for name in TAKE_BACK_AT_ONCE {
        let gate = Gate::new();
        let (pool, runs) = held_with_queued(name, &gate, 50);
        assert_eq!(pool.stats().queued, 50, "{name}: the jobs wait unstarted");
        let report = thread::scope(|scope| {
            scope.spawn(|| open_when_taken(&*pool, &gate));
            pool.shutdown(ShutdownMode::Abort)
        });
        assert_eq!(runs.total(), 0, "{name}: no job started after the abort");
        assert_eq!(report.handed_back.len(), 50, "{name}");
        assert_eq!(report.completed, 1, "{name}: only the gate job ran");
        assert_eq!(report.still_running, 0, "{name}");
        for job in report.handed_back {
            job.run();
        }
        runs.assert_each_ran_once(name);
        assert_eq!(pool.stats().handed_back, 50, "{name}");
        assert_settled(name, &*pool);
    }
}

#[test]
fn concurrent_shutdowns_all_return_and_hand_each_job_back_once() {
    for name in TAKE_BACK_AT_ONCE {
        let gate = Gate::new();
        let (pool, runs) = held_with_queued(name, &gate, 50);
        let modes = [ShutdownMode::Abort, ShutdownMode::DRAIN];
        let lined_up = Barrier::new(4);
        let reports: Vec<_> = thread::scope(|scope| {
            let callers: Vec<_> = (0..4)
                .map(|i| {
                    let (pool, lined_up) = (&pool, &lined_up);
                    scope.spawn(move || {
                        lined_up.wait();
                        pool.shutdown(modes[i % 2])
                    })
                })
                .collect();
            open_when_taken(&*pool, &gate);
            callers
                .into_iter()
                .map(|caller| caller.join().unwrap())
                .collect()
        });
        let handed_back: usize = reports.iter().map(|report| report.handed_back.len()).sum();
        assert_eq!(handed_back, 50, "{name}");
        assert_eq!(runs.total(), 0, "{name}");
        for report in reports {
            assert_eq!(report.still_running, 0, "{name}");
            report.handed_back.into_iter().for_each(Job::run);
        }
        runs.assert_each_ran_once(name);
        assert_settled(name, &*pool);
    }
}

#[test]
fn drain_with_a_deadline_hands_back_the_queue_and_reports_the_running_job() {
    for name in TAKE_BACK_AT_ONCE {
        let gate = Gate::new();
        let (pool, runs) = held_with_queued(name, &gate, 10);
        let deadline = Some(Duration::from_millis(20));
        let report = pool.shutdown(ShutdownMode::Drain { deadline });
        assert_eq!(report.handed_back.len(), 10, "{name}");
        assert_eq!(report.still_running, 1, "{name}: the gate job");
        gate.open();
        let last = pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!((last.completed, last.still_running), (1, 0), "{name}");
        report.handed_back.into_iter().for_each(Job::run);
        runs.assert_each_ran_once(name);
        assert_settled(name, &*pool);
    }
}

#[test]
fn tokio_raw_hands_back_the_unstarted_jobs_once_their_tasks_have_run() {
    let gate = Gate::new();
    let (pool, runs) = held_with_queued(TokioRaw::NAME, &gate, 50);
    let probes = Arc::new(AtomicUsize::new(0));
    let report = thread::scope(|scope| {
        let abort = scope.spawn(|| pool.shutdown(ShutdownMode::Abort));
        // Accepted probes are unstarted jobs too: they come back as well.
        let mut accepted = 0;
        while pool.submit(counting_job(&probes)).is_ok() {
            accepted += 1;
            thread::yield_now();
        }
        gate.open();
        (abort.join().unwrap(), accepted)
    });
    let (report, accepted) = report;
    assert_eq!(runs.total(), 0, "no job started after the abort");
    assert_eq!(report.handed_back.len(), 50 + accepted);
    assert_eq!((report.completed, report.still_running), (1, 0));
    report.handed_back.into_iter().for_each(Job::run);
    runs.assert_each_ran_once(TokioRaw::NAME);
    assert_eq!(probes.load(Ordering::SeqCst), accepted);
    assert_settled(TokioRaw::NAME, &*pool);
}

#[test]
fn the_concurrency_bound_is_never_exceeded() {
    for name in BOUNDED {
        let pool = build(
            name,
            PoolConfig::new(3).queue_capacity(8).runtime_threads(2),
        );
        let (live, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        for _ in 0..300 {
            let (live, peak) = (Arc::clone(&live), Arc::clone(&peak));
            pool.submit(Job::from_future(async move {
                let now = live.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_micros(200)).await;
                live.fetch_sub(1, Ordering::SeqCst);
            }))
            .unwrap();
        }
        pool.shutdown(ShutdownMode::DRAIN);
        let peak = peak.load(Ordering::SeqCst);
        assert!((1..=3).contains(&peak), "{name}: peak {peak}");
        assert!(
            pool.stats().peak_concurrency <= 3,
            "{name}: {:?}",
            pool.stats()
        );
        assert_settled(name, &*pool);
    }
}

#[test]
fn a_thousand_panicking_jobs_leave_the_pool_at_full_strength() {
    quiet_deliberate_panics();
    const N: usize = 4;
    for name in TOKIO {
        let handled = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&handled);
        let config = PoolConfig::new(N)
            .runtime_threads(2)
            .panic_handler(move |panic| {
                if panic.message == Some(DELIBERATE) {
                    seen.fetch_add(1, Ordering::SeqCst);
                }
            });
        let pool = build(name, config);
        for _ in 0..1_000 {
            pool.execute(|| panic!("deliberate test panic")).unwrap();
        }
        wait_for("the panics to be handled", || {
            pool.stats().completed == 1_000
        });
        // N jobs that can only all finish if all N are in flight at once.
        let (gate, arrived) = (Gate::new(), Arc::new(AtomicUsize::new(0)));
        for _ in 0..N {
            let (gate, arrived) = (gate.clone(), Arc::clone(&arrived));
            pool.submit(Job::from_future(async move {
                arrived.fetch_add(1, Ordering::SeqCst);
                gate.wait().await;
            }))
            .unwrap();
        }
        wait_for("N jobs at once", || arrived.load(Ordering::SeqCst) == N);
        gate.open();
        pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(handled.load(Ordering::SeqCst), 1_000, "{name}");
        let stats = pool.stats();
        assert_eq!(
            (stats.panicked, stats.completed),
            (1_000, 1_000 + N),
            "{name}"
        );
        assert_settled(name, &*pool);
    }
}

#[test]
fn submit_after_shutdown_returns_closed_with_the_job() {
    for name in TOKIO {
        let pool = build(name, PoolConfig::new(2).runtime_threads(1));
        pool.shutdown(ShutdownMode::DRAIN);
        let ran = Arc::new(AtomicUsize::new(0));
        let rejected = pool.submit(counting_job(&ran)).unwrap_err();
        assert_eq!(rejected.reason(), RejectReason::Closed, "{name}");
        rejected.into_job().run();
        assert_eq!(
            ran.load(Ordering::SeqCst),
            1,
            "{name}: the job came back intact"
        );
        assert_eq!(pool.stats().rejected.closed, 1, "{name}");
        assert_settled(name, &*pool);
    }
}

#[test]
fn a_job_whose_token_is_cancelled_before_it_starts_is_skipped() {
    for name in TOKIO {
        let gate = Gate::new();
        let pool = held(name, &gate);
        let (token, ran) = (CancelToken::new(), Arc::new(AtomicUsize::new(0)));
        for _ in 0..10 {
            pool.submit(counting_job(&ran).with_cancel(token.clone()))
                .unwrap();
        }
        token.cancel();
        gate.open();
        pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(ran.load(Ordering::SeqCst), 0, "{name}");
        assert_eq!(pool.stats().cancelled, 10, "{name}");
        assert_settled(name, &*pool);
    }
}

#[test]
fn dropping_without_shutdown_still_runs_every_accepted_job() {
    for name in TOKIO {
        let gate = Gate::new();
        let pool = held(name, &gate);
        let counter = Arc::new(AtomicUsize::new(0));
        for _ in 0..20 {
            pool.submit(counting_job(&counter)).unwrap();
        }
        drop(pool);
        gate.open();
        wait_for("the accepted jobs to run", || {
            counter.load(Ordering::SeqCst) == 20
        });
    }
}

#[test]
fn an_executor_dropped_inside_an_async_context_does_not_panic() {
    let user = tokio::runtime::Runtime::new().unwrap();
    for name in TOKIO {
        let counter = Arc::new(AtomicUsize::new(0));
        user.block_on(async {
            drop(build(name, PoolConfig::new(2).runtime_threads(1)));
            let pool = build(name, PoolConfig::new(2).runtime_threads(1));
            let pending = Arc::clone(&counter);
            pool.submit(Job::from_future(async move {
                tokio::time::sleep(Duration::from_millis(5)).await;
                pending.fetch_add(1, Ordering::SeqCst);
            }))
            .unwrap();
            drop(pool);
        });
        wait_for("the accepted job to run", || {
            counter.load(Ordering::SeqCst) == 1
        });
    }
}

#[test]
fn with_handle_runs_the_jobs_on_the_callers_runtime() {
    let user = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("user-runtime")
        .enable_all()
        .build()
        .unwrap();
    for name in TOKIO {
        let config = PoolConfig::new(2);
        let pool: Box<dyn Executor> = match name {
            TokioSpawn::NAME => {
                Box::new(TokioSpawn::with_handle(user.handle().clone(), config).unwrap())
            }
            TokioSemaphore::NAME => {
                Box::new(TokioSemaphore::with_handle(user.handle().clone(), config).unwrap())
            }
            TokioMultiplex::NAME => {
                Box::new(TokioMultiplex::with_handle(user.handle().clone(), config).unwrap())
            }
            TokioRaw::NAME => {
                Box::new(TokioRaw::with_handle(user.handle().clone(), config).unwrap())
            }
            _ => Box::new(TokioWorkers::with_handle(user.handle().clone(), config).unwrap()),
        };
        let threads: Arc<Mutex<Vec<String>>> = Arc::default();
        for _ in 0..20 {
            let threads = Arc::clone(&threads);
            pool.execute(move || {
                let thread = thread::current().name().unwrap_or_default().to_owned();
                threads.lock().unwrap().push(thread);
            })
            .unwrap();
        }
        assert_eq!(pool.shutdown(ShutdownMode::DRAIN).completed, 20, "{name}");
        let threads = threads.lock().unwrap();
        assert!(
            threads.iter().all(|thread| thread == "user-runtime"),
            "{name}: {threads:?}"
        );
        assert_settled(name, &*pool);
    }
}

#[test]
fn idle_worker_tasks_are_reported() {
    let pool = build(TokioWorkers::NAME, PoolConfig::new(3).runtime_threads(1));
    wait_for("three idle workers", || pool.stats().idle == 3);
    pool.shutdown(ShutdownMode::DRAIN);
    let multiplex = build(TokioMultiplex::NAME, PoolConfig::new(3).runtime_threads(1));
    wait_for("three free slots", || multiplex.stats().idle == 3);
    multiplex.shutdown(ShutdownMode::DRAIN);
    let spawn = build(TokioSpawn::NAME, PoolConfig::new(3).runtime_threads(1));
    assert_eq!(spawn.stats().idle, 0);
    spawn.shutdown(ShutdownMode::DRAIN);
}

#[test]
fn configurations_a_strategy_cannot_honour_are_refused() {
    let refused = |name: &str, config: PoolConfig| pool::build(name, config).err();
    for name in BOUNDED {
        assert_eq!(
            refused(name, PoolConfig::new(0)),
            Some(ConfigError::ZeroWorkers { strategy: name }),
        );
    }
    assert_eq!(
        refused(TokioWorkers::NAME, PoolConfig::new(1).queue_capacity(0)),
        Some(ConfigError::ZeroQueueCapacity {
            strategy: TokioWorkers::NAME
        }),
    );
    assert_eq!(
        refused(
            TokioSemaphore::NAME,
            PoolConfig::new(1).policy(OverloadPolicy::DiscardOldest)
        ),
        Some(ConfigError::UnsupportedPolicy {
            strategy: TokioSemaphore::NAME,
            policy: "discard-oldest",
        }),
    );
    for name in TOKIO {
        let error = refused(name, PoolConfig::new(1).runtime_threads(0));
        assert!(
            matches!(error, Some(ConfigError::Startup { .. })),
            "{name}: {error:?}"
        );
        assert!(pool::names().contains(&name));
        assert_eq!(
            build(name, PoolConfig::new(1).runtime_threads(1)).name(),
            name
        );
    }
}

/// A pool held by a gate job, with `jobs` counted jobs queued behind it.
fn held_with_queued(name: &str, gate: &Gate, jobs: usize) -> (Box<dyn Executor>, Runs) {
    let pool = held(name, gate);
    let runs = Runs::new(jobs);
    for i in 0..jobs {
        pool.submit(runs.job(i)).unwrap();
    }
    (pool, runs)
}
