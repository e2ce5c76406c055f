//! One consumer process of a queue cell (`contend queue-consumer`): a
//! pool strategy fed from the broker.
//!
//! Why a process and not a thread: a consumer is what a real deployment
//! runs on another host, and what it does there is die without warning.
//! SIGKILL takes its memory (the messages it had fetched, what it counted)
//! and nothing else; the broker still holds its pending messages, and the
//! survivors claim them once they have been idle for
//! [`ConsumerSpec::claim_after`]. The coordinator can start a consumer
//! through a command prefix (`ip netns exec …`, `ssh host`), so the same
//! run spreads over namespaces or hosts.
//!
//! A consumer fetches only as many messages as it has room for (twice its
//! workers in flight), so a slow pool drains at its own pace and the
//! backlog stays in the broker, where a burst is absorbed (and never more
//! than the pool's workers and queue hold). A job the pool
//! refuses (`fail-fast` on a full queue) is offered again until taken; a
//! job it accepts and drops (`discard`) leaves its message pending, and
//! it is claimed and run again once stale: a dropped job is redelivered,
//! not lost. Each message
//! becomes one job on the executor: it sleeps its service time, then
//! completes the message (effect and acknowledgement in one step) and
//! records its end-to-end latency, from the producer's publish time.
//! The consumer stops when its stdin closes (the coordinator's cue, or
//! the coordinator's death), drains its executor and prints one JSON line:
//! its [`ConsumerReport`].

use std::collections::VecDeque;
use std::io::Read as _;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use contend_strategies::pool::{Executor, Job, ShutdownMode};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::broker::{unix_nanos_now, Broker, Delivery, RedisStreams};
use crate::catalog::{Bounds, Catalog};
use crate::kinds::StrategyParams;
use crate::load::service::ServiceModel;
use crate::record::{new_histogram, HistogramData};

/// How often a consumer looks for stale messages to claim.
const CLAIM_EVERY: Duration = Duration::from_millis(100);

/// How long a fetch waits for a message.
const FETCH_BLOCK: Duration = Duration::from_millis(20);

/// What a consumer process is told, as JSON on its command line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsumerSpec {
    /// The broker's URL, as this consumer reaches it.
    pub url: String,
    /// The repetition's key namespace.
    pub namespace: String,
    /// The pool strategy to run jobs on.
    pub strategy: String,
    /// Its parameters.
    pub params: StrategyParams,
    /// What a job costs (a sleep).
    pub service: ServiceModel,
    /// Seed of the service times (each job's drawn from it and its id).
    pub seed: u64,
    /// How long a message stays pending at another consumer before this
    /// one claims it.
    pub claim_after: Duration,
}

/// What a consumer measured, printed as one JSON line when it stops.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConsumerReport {
    /// Which consumer.
    pub index: usize,
    /// Messages it fetched for the first time.
    pub fetched: u64,
    /// Messages it claimed from other consumers.
    pub claimed: u64,
    /// Completions it made that acknowledged their message.
    pub completed: u64,
    /// Completions of a job whose effect had happened already.
    pub duplicates: u64,
    /// Times the executor refused a job (kept and offered again: a
    /// consumer holds a message until its pool takes it).
    pub rejected: u64,
    /// Broker calls that failed.
    pub errors: u64,
    /// The first of them, in words.
    pub first_error: Option<String>,
    /// When its last acknowledgement happened, in ns since the Unix epoch
    /// (0: none).
    pub last_ack_unix_nanos: u64,
    /// Publish-to-acknowledgement latency of each message it acknowledged.
    pub end_to_end: HistogramData,
}

/// What a consumer's jobs share.
struct Shared {
    broker: RedisStreams,
    name: String,
    service: ServiceModel,
    seed: u64,
    in_flight: AtomicUsize,
    completed: AtomicU64,
    duplicates: AtomicU64,
    errors: AtomicU64,
    first_error: Mutex<Option<String>>,
    last_ack: AtomicU64,
    end_to_end: Mutex<hdrhistogram::Histogram<u64>>,
}

impl Shared {
    fn failed(&self, error: impl std::fmt::Display) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        let mut first = self.first_error.lock().unwrap_or_else(|e| e.into_inner());
        first.get_or_insert_with(|| error.to_string());
    }
}

/// One message in flight: counted while the job lives, whether it runs or
/// is dropped unrun (refused, handed back).
struct InFlight(Arc<Shared>);

impl InFlight {
    fn new(shared: &Arc<Shared>) -> InFlight {
        shared.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(Arc::clone(shared))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The job that runs `delivery`: waits its service time, completes it,
/// records its latency. On a tokio strategy it is a future that awaits
/// tokio's timer and completes off the runtime's threads (the broker's
/// client blocks), as an async consumer would; on a thread strategy a
/// closure that sleeps.
fn job(shared: &Arc<Shared>, delivery: Delivery, on_tasks: bool) -> Job {
    let guard = InFlight::new(shared);
    let mut rng = StdRng::seed_from_u64(shared.seed ^ delivery.job.wrapping_mul(0x9E37));
    let service = shared.service.dist.sample(&mut rng);
    if on_tasks {
        return Job::from_future(async move {
            if !service.is_zero() {
                tokio::time::sleep(service).await;
            }
            let _ = tokio::task::spawn_blocking(move || complete(&guard.0, &delivery)).await;
        });
    }
    Job::new(move || {
        if !service.is_zero() {
            std::thread::sleep(service);
        }
        complete(&guard.0, &delivery);
    })
}

/// Completes `delivery` (its effect and acknowledgement in one step) and
/// records what became of it.
fn complete(shared: &Shared, delivery: &Delivery) {
    match shared.broker.complete(delivery, &shared.name) {
        Ok(completion) => {
            let now = unix_nanos_now();
            if !completion.first_effect {
                shared.duplicates.fetch_add(1, Ordering::Relaxed);
            }
            if completion.acked {
                shared.completed.fetch_add(1, Ordering::Relaxed);
                shared.last_ack.fetch_max(now, Ordering::Relaxed);
                let latency = now.saturating_sub(delivery.published_at_unix_nanos);
                shared
                    .end_to_end
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .saturating_record(latency.max(1));
            }
        }
        Err(error) => shared.failed(error),
    }
}

/// Submits `waiting` in order until the executor refuses one, which goes
/// back to the front (counted in `rejected`); whether all were taken.
fn submit_all(executor: &dyn Executor, waiting: &mut VecDeque<Job>, rejected: &mut u64) -> bool {
    while let Some(job) = waiting.pop_front() {
        if let Err(refused) = executor.submit(job) {
            *rejected += 1;
            waiting.push_front(refused.into_job());
            return false;
        }
    }
    true
}

/// Runs consumer `index` of `spec` until its stdin closes; its report.
/// An error: it could not start (no broker, a strategy that does not
/// build).
pub fn run(spec: &ConsumerSpec, index: usize) -> Result<ConsumerReport, String> {
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = Arc::clone(&stop);
    std::thread::spawn(move || {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        watcher.store(true, Ordering::Relaxed);
    });
    run_until(spec, index, &stop)
}

/// [`run`] until `stop` is set.
pub fn run_until(
    spec: &ConsumerSpec,
    index: usize,
    stop: &AtomicBool,
) -> Result<ConsumerReport, String> {
    let name = format!("consumer-{index}");
    let broker =
        RedisStreams::connect(&spec.url, &spec.namespace).map_err(|e| format!("{name}: {e}"))?;
    let executor = Catalog::active()
        .build(&spec.strategy, spec.params.to_config())
        .map_err(|e| format!("{name}: could not build `{}`: {e}", spec.strategy))?;
    let shared = Arc::new(Shared {
        broker,
        name,
        service: spec.service,
        seed: spec.seed,
        in_flight: AtomicUsize::new(0),
        completed: AtomicU64::new(0),
        duplicates: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        first_error: Mutex::new(None),
        last_ack: AtomicU64::new(0),
        end_to_end: Mutex::new(new_histogram()),
    });
    // A pool's worth queued behind a pool's worth running, no more than
    // its queue holds: a bounded pool is not handed what it would drop.
    let workers = spec.params.workers.max(1);
    let room_for = (workers * 2).min(workers + spec.params.queue.max(1));
    let bounded = Catalog::active()
        .get(&spec.strategy)
        .is_some_and(|entry| entry.bounds == Bounds::Bounded);
    let on_tasks = Catalog::active().runs_on_tasks(&spec.strategy);
    let mut report = ConsumerReport {
        index,
        ..ConsumerReport::default()
    };
    let mut last_claim = Instant::now();
    // Jobs fetched and not yet taken by the executor, oldest first.
    let mut retry: VecDeque<Job> = VecDeque::new();
    while !stop.load(Ordering::Relaxed) {
        if !submit_all(executor.as_ref(), &mut retry, &mut report.rejected) {
            // The pool is full: it drains at its own pace, the broker
            // holds the rest.
            std::thread::sleep(Duration::from_millis(1));
            continue;
        }
        let mut room = room_for.saturating_sub(shared.in_flight.load(Ordering::Relaxed));
        if bounded {
            // This loop is the only submitter: the queue's free slots only
            // grow until it submits, so what fits now is not dropped.
            room = room.min(spec.params.queue.saturating_sub(executor.stats().queued));
        }
        if room == 0 {
            std::thread::sleep(Duration::from_millis(1));
            continue;
        }
        let mut batch = Vec::new();
        if last_claim.elapsed() >= CLAIM_EVERY {
            last_claim = Instant::now();
            match shared
                .broker
                .claim_stale(&shared.name, spec.claim_after, room)
            {
                Ok(claimed) => {
                    report.claimed += claimed.len() as u64;
                    batch = claimed;
                }
                Err(error) => shared.failed(error),
            }
        }
        if batch.is_empty() {
            match shared.broker.fetch(&shared.name, room, FETCH_BLOCK) {
                Ok(fetched) => {
                    report.fetched += fetched.len() as u64;
                    batch = fetched;
                }
                Err(error) => {
                    shared.failed(error);
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
        }
        for delivery in batch {
            retry.push_back(job(&shared, delivery, on_tasks));
        }
    }
    // What the executor still refuses at the end stays pending, for the
    // books to show.
    drop(retry);
    executor.shutdown(ShutdownMode::DRAIN);
    drop(executor);
    report.completed = shared.completed.load(Ordering::Relaxed);
    report.duplicates = shared.duplicates.load(Ordering::Relaxed);
    report.errors = shared.errors.load(Ordering::Relaxed);
    report.first_error = shared
        .first_error
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    report.last_ack_unix_nanos = shared.last_ack.load(Ordering::Relaxed);
    report.end_to_end =
        HistogramData::capture(&shared.end_to_end.lock().unwrap_or_else(|e| e.into_inner()));
    Ok(report)
}
