//! The load generator: submits jobs as the arrival process says.
//!
//! Batch: one submitter, back to back. Open loop: one submitter that
//! sleeps until each job's scheduled time; when `submit` blocks it falls
//! behind, and the jobs it submits late are still timed from their
//! scheduled time (no coordinated omission), with the lateness recorded.
//! Closed loop: a thread per client, each waiting for its job to end.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use contend_strategies::pool::{CancelToken, Executor, RejectReason};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::books::RejectCounts;
use super::job::{job, DoneSignal, JobEnv, JobPlan};
use super::PoolWorkload;
use crate::load::arrival::Arrival;
use crate::record::Metric;

/// What the submitters saw.
#[derive(Clone, Copy, Debug, Default)]
pub struct Submitted {
    /// `submit` calls.
    pub calls: u64,
    /// Refusals by reason.
    pub rejected: RejectCounts,
}

/// One submitter: draws each job's plan and submits it.
struct Submitter<'a> {
    env: &'static JobEnv,
    executor: &'a dyn Executor,
    workload: &'a PoolWorkload,
    next_id: &'a AtomicU64,
    rng: StdRng,
    seen: Submitted,
    /// Work added to every submit (see [`SLOWDOWN_VARIABLE`]).
    slowdown: Duration,
}

impl Submitter<'_> {
    fn submit(&mut self, intended: Instant, done: Option<DoneSignal>) {
        let service = self.workload.service.dist.sample(&mut self.rng);
        let panics =
            self.workload.panic_rate > 0.0 && self.rng.random_bool(self.workload.panic_rate);
        let cancel = (self.workload.cancel_rate > 0.0
            && self.rng.random_bool(self.workload.cancel_rate))
        .then(CancelToken::new);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let submitted = Instant::now();
        let plan = JobPlan {
            id,
            intended,
            submitted,
            service,
            panics,
        };
        let mut work = job(self.env, plan, done);
        if let Some(token) = &cancel {
            work = work.with_cancel(token.clone());
        }
        self.seen.calls += 1;
        if !self.slowdown.is_zero() {
            spin(self.slowdown);
        }
        if let Err(rejected) = self.executor.submit(work) {
            let counts = &mut self.seen.rejected;
            match rejected.reason() {
                RejectReason::Full => counts.full += 1,
                RejectReason::Closed => counts.closed += 1,
                RejectReason::TimedOut => counts.timed_out += 1,
                RejectReason::Exhausted => counts.exhausted += 1,
            }
        }
        if let Some(token) = cancel {
            token.cancel();
        }
    }
}

/// Drives `workload` into `executor` until it is done, its duration has
/// passed or `stop` is set.
pub fn drive(
    env: &'static JobEnv,
    executor: &dyn Executor,
    workload: &PoolWorkload,
    stop: &AtomicBool,
) -> Submitted {
    let next_id = AtomicU64::new(0);
    let slowdown = slowdown();
    let start = Instant::now();
    let deadline = workload.duration.map(|d| start + d);
    let jobs = workload.jobs.unwrap_or(u64::MAX);
    let submitter = |seed: u64| Submitter {
        env,
        executor,
        workload,
        next_id: &next_id,
        rng: StdRng::seed_from_u64(seed),
        seen: Submitted::default(),
        slowdown,
    };
    let past = |deadline: Option<Instant>| deadline.is_some_and(|d| Instant::now() >= d);
    match &workload.arrival {
        Arrival::Batch => {
            let mut one = submitter(workload.seed);
            for _ in 0..jobs {
                if stop.load(Ordering::Relaxed) || past(deadline) {
                    break;
                }
                one.submit(Instant::now(), None);
            }
            one.seen
        }
        Arrival::Closed { clients, think } => {
            let clients: Vec<_> = (0..*clients as u64)
                .map(|c| submitter(workload.seed.wrapping_add(c)))
                .collect();
            let seen: Vec<Submitted> = std::thread::scope(|scope| {
                let running: Vec<_> = clients
                    .into_iter()
                    .map(|mut client| {
                        let next_id = &next_id;
                        scope.spawn(move || {
                            let (sender, done) = sync_channel(1);
                            loop {
                                if stop.load(Ordering::Relaxed)
                                    || past(deadline)
                                    || next_id.load(Ordering::Relaxed) >= jobs
                                {
                                    break;
                                }
                                client.submit(Instant::now(), Some(DoneSignal(sender.clone())));
                                let _ = done.recv();
                                if !think.is_zero() {
                                    std::thread::sleep(*think);
                                }
                            }
                            client.env.collector.flush_thread();
                            client.seen
                        })
                    })
                    .collect();
                running
                    .into_iter()
                    .map(|t| t.join().expect("a client thread never panics"))
                    .collect()
            });
            seen.into_iter().fold(Submitted::default(), |mut total, s| {
                total.calls += s.calls;
                total.rejected.add(&s.rejected);
                total
            })
        }
        open => {
            let mut one = submitter(workload.seed);
            let schedule = open
                .schedule(workload.jobs, workload.duration, workload.seed ^ 0x5EED)
                .expect("open loops have a schedule");
            let origin = Instant::now() + Duration::from_millis(1);
            for offset in schedule {
                let intended = origin + offset;
                sleep_until(intended, stop);
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let late = Instant::now().saturating_duration_since(intended);
                env.collector
                    .record(Metric::Lateness, late.as_nanos() as u64);
                one.submit(intended, None);
            }
            one.seen
        }
    }
}

/// The environment variable that slows the submit path down on purpose:
/// a duration (`20us`) of busy work before every `submit`, counted in each
/// job's latency. Unset, nothing is added. It is the deliberately slowed
/// build that `contend ab`'s tests compare with the normal one (as a
/// mutant proves a check has teeth, this proves a paired run finds a
/// slowdown), without a second build.
pub const SLOWDOWN_VARIABLE: &str = "CONTEND_SLOW_SUBMIT";

/// The slowdown [`SLOWDOWN_VARIABLE`] asks for.
fn slowdown() -> Duration {
    match std::env::var(SLOWDOWN_VARIABLE) {
        Ok(text) => crate::units::duration::parse(&text)
            .unwrap_or_else(|_| panic!("{SLOWDOWN_VARIABLE}=`{text}`: not a duration (e.g. 20us)")),
        Err(_) => Duration::ZERO,
    }
}

/// Busy work for `how_long`: the CPU stays on this thread, as real work on
/// the submit path would keep it.
fn spin(how_long: Duration) {
    let until = Instant::now() + how_long;
    while Instant::now() < until {
        std::hint::spin_loop();
    }
}

/// Sleeps until `at` (or until `stop`), in slices short enough to notice
/// `stop` within 50 ms.
fn sleep_until(at: Instant, stop: &AtomicBool) {
    loop {
        let now = Instant::now();
        if now >= at || stop.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep((at - now).min(Duration::from_millis(50)));
    }
}
