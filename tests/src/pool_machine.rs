//! The proptest state machine for executors: random sequences of submits
//! (quick, slow, panicking, bursts), cancels, resizes, waits for the
//! accepted jobs to run, and shutdowns (drain, drain with a deadline,
//! abort, sometimes two at once) run against any [`Executor`], checked
//! against a reference model of what may happen.
//!
//! The model cannot predict which of several legal outcomes a race picks,
//! so it checks what must hold whatever the interleaving:
//! - submit after shutdown is rejected as closed, with the job intact;
//! - each answer of `submit` is one the overload policy allows;
//! - no accepted job is lost or run twice: it ran, was cancelled, was
//!   displaced by discard-oldest, or came back unstarted at shutdown;
//! - the concurrency bound in force is never exceeded;
//! - an open executor runs what it accepted without being shut down (a
//!   worker asleep on a queued job, a lost wake-up, hangs at a
//!   [`Op::Settle`] until the watchdog names it);
//! - every worker is joined when shutdown returns (nothing runs after),
//!   for each of two concurrent calls;
//! - a job that panics is caught: the pool does not count it as running
//!   for ever (a worker killed by its job);
//! - the stats add up: submitted = completed + rejected + discarded +
//!   cancelled + handed back;
//! - submits from other threads racing a shutdown ([`Op::SubmitRacingShutdown`])
//!   are each refused as closed or accepted, and an accepted one ran or
//!   came back: a submit that read "open" and queued its job after the
//!   shutdown drained and joined loses it.
//!
//! The windows of the last two races are nanoseconds wide on real
//! threads. While the machine's cases run it turns on the sync facade's
//! schedule perturbation ([`contend_strategies::sync::perturb`]), so
//! that the facade's locks and condition variables now and then yield or
//! sleep and those windows open; [`Op::Trickle`] submits each job as a
//! worker goes back to sleep, where a lost wake-up hides.
//!
//! Every case runs under the subject's watchdog: a hang fails naming the
//! step it hung at and the executor's stats. A failure shrinks to a
//! minimal sequence (each smaller candidate is tried up to
//! [`SHRINK_TRIES`] times, so that a bug that shows one run in several
//! still shrinks, to a single submit where one suffices) and prints it as
//! a line of Rust to paste into a regression test ([`replay`], or
//! [`replay_builtin`] for a built-in strategy).

use std::cell::Cell;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use contend_strategies::pool::{
    Admission, CancelToken, ConfigError, Executor, Job, OverloadPolicy, PoolConfig, RejectReason,
    ShutdownMode, ShutdownReport,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

use crate::watchdog::{self, Breadcrumbs};
use crate::{PoolSubject, Probe, StrategyCase, EXPECTED_PANIC};

/// How many times a smaller candidate is run, while a failure shrinks,
/// before it counts as passing: a race that shows one run in several
/// still shrinks to its smallest form.
pub const SHRINK_TRIES: usize = 32;

/// Quick jobs in one [`Op::Burst`]: enough for workers to finish jobs at
/// the same moment, where a lost count hides.
pub const BURST: usize = 64;

/// Quick jobs in one [`Op::Trickle`], each submitted once the last has run.
pub const TRICKLE: usize = 8;

/// The most submits one thread makes in an [`Op::SubmitRacingShutdown`]:
/// a shutdown delayed by the scheduler then races no submit (that op
/// checks less), but a thread-per-job executor does not start thousands.
pub const RACE_CAP: usize = 256;

/// What a submitted job does.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Returns at once.
    Quick,
    /// Sleeps a little, so that jobs overlap and queues fill.
    Slow,
    /// Panics (after recording its run).
    Panicking,
}

/// How a shutdown step shuts down.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `Drain` with no deadline.
    Drain,
    /// `Drain` with a deadline of one millisecond.
    DrainWithDeadline,
    /// `Abort`.
    Abort,
}

/// The overload policy of a case (a mirror of [`OverloadPolicy`] that
/// prints as Rust).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// [`OverloadPolicy::Block`].
    Block,
    /// [`OverloadPolicy::FailFast`].
    FailFast,
    /// [`OverloadPolicy::BlockTimeout`] of one millisecond.
    BlockTimeout,
    /// [`OverloadPolicy::Discard`].
    Discard,
    /// [`OverloadPolicy::DiscardOldest`].
    DiscardOldest,
    /// [`OverloadPolicy::CallerRuns`].
    CallerRuns,
}

/// One step of a sequence.
#[derive(Clone, PartialEq, Eq)]
pub enum Op {
    /// Submit a job of this kind, carrying the current cancel token.
    Submit(JobKind),
    /// Cancel the current token; later jobs get a fresh one.
    Cancel,
    /// Resize to this many workers.
    Resize(usize),
    /// Submit [`BURST`] quick jobs in a row.
    Burst,
    /// Wait, with the executor open, until every accepted job has run (or
    /// was cancelled or displaced). A no-op once it is shut down.
    Settle,
    /// Submit [`TRICKLE`] quick jobs one at a time, each the moment the
    /// last has run: each lands as a worker goes back to sleep, where a
    /// wake-up lost between a check and a wait hides. Plain submits once
    /// shut down.
    Trickle,
    /// Submit [`BURST`] / 4 quick jobs from each of this many threads at once.
    ParallelBurst(usize),
    /// `submitters` threads keep submitting quick jobs, until one is
    /// refused as closed, while this thread shuts down once they have made
    /// `lead` submits between them. Each accepted job must run or come
    /// back; each submit begun after the shutdown returned must be refused.
    SubmitRacingShutdown {
        /// How the main thread shuts down.
        mode: Mode,
        /// How many threads submit.
        submitters: usize,
        /// Submits made before the shutdown starts.
        lead: usize,
    },
    /// Shut down; with `concurrent`, a second thread aborts at the same time.
    Shutdown {
        /// How.
        mode: Mode,
        /// Whether a concurrent abort races it.
        concurrent: bool,
    },
}

/// A whole generated case: the executor's configuration and the steps.
#[derive(Clone, PartialEq, Eq)]
pub struct Case {
    /// `PoolConfig::workers`.
    pub workers: usize,
    /// `PoolConfig::queue_capacity`.
    pub queue_capacity: usize,
    /// The overload policy.
    pub policy: Policy,
    /// The steps, in order.
    pub ops: Vec<Op>,
}

impl Policy {
    fn overload(self) -> OverloadPolicy {
        match self {
            Policy::Block => OverloadPolicy::Block,
            Policy::FailFast => OverloadPolicy::FailFast,
            Policy::BlockTimeout => OverloadPolicy::BlockTimeout(Duration::from_millis(1)),
            Policy::Discard => OverloadPolicy::Discard,
            Policy::DiscardOldest => OverloadPolicy::DiscardOldest,
            Policy::CallerRuns => OverloadPolicy::CallerRuns,
        }
    }

    /// Whether `answer` is one this policy may give while the executor is open.
    fn allows(self, answer: &Result<Admission, RejectReason>) -> bool {
        match answer {
            Ok(Admission::Accepted) => true,
            Ok(Admission::RanOnCaller) => self == Policy::CallerRuns,
            Ok(Admission::Discarded) => self == Policy::Discard,
            Ok(Admission::AcceptedDroppingOldest) => self == Policy::DiscardOldest,
            Err(RejectReason::Full) => self == Policy::FailFast,
            Err(RejectReason::TimedOut) => self == Policy::BlockTimeout,
            Err(RejectReason::Exhausted) => true,
            Err(RejectReason::Closed) => false,
        }
    }
}

impl Case {
    fn config(&self) -> PoolConfig {
        PoolConfig::new(self.workers)
            .queue_capacity(self.queue_capacity)
            .policy(self.policy.overload())
            .idle_timeout(Duration::from_millis(2))
    }
}

// Debug prints Rust, so a shrunk case pastes into a regression test.
impl fmt::Debug for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            JobKind::Quick => "Quick",
            JobKind::Slow => "Slow",
            JobKind::Panicking => "Panicking",
        };
        write!(f, "JobKind::{name}")
    }
}

impl fmt::Debug for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Mode::Drain => "Drain",
            Mode::DrainWithDeadline => "DrainWithDeadline",
            Mode::Abort => "Abort",
        };
        write!(f, "Mode::{name}")
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Policy::Block => "Block",
            Policy::FailFast => "FailFast",
            Policy::BlockTimeout => "BlockTimeout",
            Policy::Discard => "Discard",
            Policy::DiscardOldest => "DiscardOldest",
            Policy::CallerRuns => "CallerRuns",
        };
        write!(f, "Policy::{name}")
    }
}

impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Submit(kind) => write!(f, "Op::Submit({kind:?})"),
            Op::Cancel => write!(f, "Op::Cancel"),
            Op::Burst => write!(f, "Op::Burst"),
            Op::Settle => write!(f, "Op::Settle"),
            Op::Resize(workers) => write!(f, "Op::Resize({workers})"),
            Op::Trickle => write!(f, "Op::Trickle"),
            Op::ParallelBurst(threads) => write!(f, "Op::ParallelBurst({threads})"),
            Op::SubmitRacingShutdown {
                mode,
                submitters,
                lead,
            } => write!(
                f,
                "Op::SubmitRacingShutdown {{ mode: {mode:?}, submitters: {submitters}, lead: {lead} }}"
            ),
            Op::Shutdown { mode, concurrent } => {
                write!(
                    f,
                    "Op::Shutdown {{ mode: {mode:?}, concurrent: {concurrent} }}"
                )
            }
        }
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Case {{ workers: {}, queue_capacity: {}, policy: {:?}, ops: vec!{:?} }}",
            self.workers, self.queue_capacity, self.policy, self.ops
        )
    }
}

fn any_op(resizable: bool) -> impl Strategy<Value = Op> {
    let kind = prop_oneof![
        4 => Just(JobKind::Quick),
        3 => Just(JobKind::Slow),
        1 => Just(JobKind::Panicking),
    ];
    let mode = prop_oneof![
        Just(Mode::Drain),
        Just(Mode::DrainWithDeadline),
        Just(Mode::Abort)
    ];
    let race = (mode.clone(), 1usize..=3, 1usize..=16).prop_map(|(mode, submitters, lead)| {
        Op::SubmitRacingShutdown {
            mode,
            submitters,
            lead,
        }
    });
    let resize = if resizable { 2 } else { 1 };
    prop_oneof![
        12 => kind.prop_map(Op::Submit),
        1 => Just(Op::Cancel),
        1 => Just(Op::Burst),
        2 => Just(Op::Settle),
        1 => Just(Op::Trickle),
        1 => (2usize..=4).prop_map(Op::ParallelBurst),
        1 => race,
        resize => (1usize..=4).prop_map(Op::Resize),
        1 => (mode, any::<bool>()).prop_map(|(mode, concurrent)| Op::Shutdown { mode, concurrent }),
    ]
}

/// Random cases for a strategy with these promises.
pub fn any_case(promises: &StrategyCase) -> impl Strategy<Value = Case> {
    let mut policies = vec![
        Policy::Block,
        Policy::FailFast,
        Policy::BlockTimeout,
        Policy::Discard,
        Policy::CallerRuns,
    ];
    if promises.queues {
        policies.push(Policy::DiscardOldest);
    }
    (
        1usize..=3,
        1usize..=4,
        proptest::sample::select(policies),
        proptest::collection::vec(any_op(promises.resizable), 1..24),
    )
        .prop_map(|(workers, queue_capacity, policy, ops)| Case {
            workers,
            queue_capacity,
            policy,
            ops,
        })
}

/// What the reference model tracks while a case runs.
#[derive(Default)]
struct Books {
    submits: usize,
    accepted: usize,
    ran_on_caller: usize,
    discarded_new: usize,
    returned_closed: Vec<Job>,
    handed_back: Vec<Job>,
    max_bound: usize,
    closed: bool,
    /// Whether submits from other threads raced a shutdown.
    raced: bool,
    /// The most threads that submitted at once (each may run a job of its
    /// own under caller-runs); 0 counts as the one main thread.
    submitters: usize,
}

/// What became of a case that broke nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ran {
    /// It ran, and every invariant held.
    Checked,
    /// The subject refused the case's configuration: nothing was checked.
    Refused,
}

/// Runs one case against a fresh executor, under the subject's watchdog;
/// `Err` names the broken invariant (or the step a hang stopped at).
pub fn run_case(subject: &PoolSubject, case: &Case) -> Result<Ran, String> {
    let (subject_here, case_here) = (subject.clone(), case.clone());
    let limit = subject.watchdog;
    watchdog::guard(subject.name(), limit, move |crumbs| {
        run_steps(&subject_here, &case_here, crumbs)
    })
    .map_err(|failure| match failure.contains(EXPECTED_PANIC) {
        true => format!("a job's panic escaped the executor: {failure}"),
        false => failure,
    })
    .and_then(|checked| checked)
}

fn run_steps(subject: &PoolSubject, case: &Case, crumbs: &Breadcrumbs) -> Result<Ran, String> {
    crate::quiet_expected_panics();
    let promises = &subject.promises;
    crumbs.at("building the executor");
    let Some(pool) = subject.build(case.config()) else {
        // A refused configuration is no failure; the case checks nothing.
        return Ok(Ran::Refused);
    };
    // Its last reference is dropped under the watchdog, with a breadcrumb:
    // an executor whose `Drop` hangs fails as that.
    let pool = watchdog::DroppedUnderWatch::new(Arc::new(pool), crumbs, "the executor");
    let probe = Probe::new();
    {
        // A weak reference: the hang report never keeps the executor alive.
        let (pool, probe) = (Arc::downgrade(&pool), probe.clone());
        crumbs.detail(move || match pool.upgrade() {
            Some(pool) => format!(
                "{:?}; inside the jobs: {} ran, {} running",
                pool.stats(),
                probe.ran(),
                probe.running()
            ),
            None => "(the executor is being dropped)".to_owned(),
        });
    }
    let mut token = CancelToken::new();
    let mut books = Books {
        max_bound: case.workers,
        ..Books::default()
    };
    let steps = case.ops.len();
    for (step, op) in case.ops.iter().enumerate() {
        crumbs.at(format!("step {} of {steps}: {op:?}", step + 1));
        match op {
            Op::Submit(kind) => submit(&pool, &probe, &token, *kind, case.policy, &mut books)?,
            Op::Burst => {
                for _ in 0..BURST {
                    submit(
                        &pool,
                        &probe,
                        &token,
                        JobKind::Quick,
                        case.policy,
                        &mut books,
                    )?;
                }
            }
            Op::Settle => {
                crumbs.at(format!(
                    "step {} of {steps}: {op:?}, waiting for the accepted jobs to run \
                     (a worker asleep with a job queued: a lost wake-up?)",
                    step + 1
                ));
                settle(&pool, &probe, &books, subject.watchdog, Poll::Sleep)?
            }
            Op::Trickle => {
                for job in 1..=TRICKLE {
                    submit(
                        &pool,
                        &probe,
                        &token,
                        JobKind::Quick,
                        case.policy,
                        &mut books,
                    )?;
                    crumbs.at(format!(
                        "step {} of {steps}: {op:?}, waiting for trickled job {job} of \
                         {TRICKLE} to run (a worker asleep with a job queued: a lost wake-up?)",
                        step + 1
                    ));
                    settle(&pool, &probe, &books, subject.watchdog, Poll::Spin)?;
                }
            }
            Op::ParallelBurst(threads) => {
                let control = Submitters::new(*threads, books.closed, 0);
                let submitters =
                    submit_from_threads(&pool, &probe, &token, *threads, BURST / 4, &control);
                control.start.wait();
                let tallies = join_submitters(submitters);
                tally_into(&mut books, case.policy, tallies?)?;
            }
            Op::SubmitRacingShutdown {
                mode,
                submitters,
                lead,
            } => race_shutdown(
                &pool,
                &probe,
                &token,
                (*mode, *submitters, *lead),
                case.policy,
                &mut books,
            )?,
            Op::Cancel => {
                token.cancel();
                token = CancelToken::new();
            }
            Op::Resize(workers) => match (pool.resize(*workers), promises.resizable) {
                (Ok(()), true) => books.max_bound = books.max_bound.max(*workers),
                (Err(ConfigError::ResizeUnsupported { .. }), false) => {}
                (outcome, _) => return Err(format!("resize({workers}) answered {outcome:?}")),
            },
            Op::Shutdown { mode, concurrent } => {
                shut_down(&pool, &probe, *mode, *concurrent, &mut books)?
            }
        }
    }
    if !books.closed {
        crumbs.at("the final drain");
        shut_down(&pool, &probe, Mode::Drain, false, &mut books)?;
    }
    crumbs.at("checking the books");
    check_books(promises, &***pool, &probe, case, books).map(|()| Ran::Checked)
}

/// Waits until every job the open executor accepted has run, was
/// cancelled, or was displaced by discard-oldest: an executor must make
/// progress without being shut down. Gives up after `limit`, which the
/// case's watchdog reaches first; the wait ends then so that the thread
/// of a hung case does not poll for ever.
fn settle(
    pool: &Arc<Box<dyn Executor>>,
    probe: &Probe,
    books: &Books,
    limit: Duration,
    poll: Poll,
) -> Result<(), String> {
    if books.closed {
        return Ok(());
    }
    let admitted = books.accepted + books.ran_on_caller;
    let give_up = Instant::now() + limit;
    loop {
        let stats = pool.stats();
        let displaced = stats.discarded.saturating_sub(books.discarded_new);
        if probe.ran() + stats.cancelled + displaced >= admitted && probe.running() == 0 {
            return Ok(());
        }
        if Instant::now() > give_up {
            return Err(format!(
                "the open executor did not run the jobs it accepted: {admitted} accepted, \
                 {} ran, {} cancelled, {displaced} displaced, after {limit:?}: {stats:?} \
                 (a worker asleep with a job queued: a lost wake-up?)",
                probe.ran(),
                stats.cancelled
            ));
        }
        match poll {
            Poll::Sleep => thread::sleep(Duration::from_micros(200)),
            Poll::Spin => thread::yield_now(),
        }
    }
}

/// How [`settle`] polls.
#[derive(Clone, Copy)]
enum Poll {
    /// Every 200 µs.
    Sleep,
    /// At once, yielding in between: the next submit then follows the
    /// last job's end by microseconds.
    Spin,
}

fn job(probe: &Probe, kind: JobKind, token: &CancelToken) -> Job {
    probe
        .job(move || match kind {
            JobKind::Quick => {}
            JobKind::Slow => thread::sleep(Duration::from_micros(300)),
            JobKind::Panicking => std::panic::panic_any(EXPECTED_PANIC),
        })
        .with_cancel(token.clone())
}

fn submit(
    pool: &Arc<Box<dyn Executor>>,
    probe: &Probe,
    token: &CancelToken,
    kind: JobKind,
    policy: Policy,
    books: &mut Books,
) -> Result<(), String> {
    books.submits += 1;
    let answer = pool.submit(job(probe, kind, token));
    if books.closed {
        return match answer {
            Err(rejected) if rejected.reason() == RejectReason::Closed => {
                books.returned_closed.push(rejected.into_job());
                Ok(())
            }
            Err(rejected) => Err(format!(
                "submit after shutdown rejected as {:?}, not Closed",
                rejected.reason()
            )),
            Ok(admission) => Err(format!("submit after shutdown answered {admission:?}")),
        };
    }
    let answer = answer.map_err(|rejected| rejected.reason());
    if !policy.allows(&answer) {
        return Err(format!(
            "policy {policy:?} does not allow the answer {answer:?}"
        ));
    }
    match answer {
        Ok(Admission::Accepted | Admission::AcceptedDroppingOldest) => books.accepted += 1,
        Ok(Admission::RanOnCaller) => books.ran_on_caller += 1,
        Ok(Admission::Discarded) => books.discarded_new += 1,
        Err(_) => {}
    }
    Ok(())
}

/// What one submitting thread saw.
#[derive(Default)]
struct Tally {
    submits: usize,
    /// Every answer but a refusal as closed.
    answers: Vec<Result<Admission, RejectReason>>,
    /// The jobs refused as closed, to check that they come back whole.
    returned_closed: Vec<Job>,
}

/// What this thread shares with the submitting threads.
struct Submitters {
    /// Set once the shutdown has returned: every submit begun after must
    /// be refused as closed.
    shut: AtomicBool,
    /// Submits made so far, by every thread.
    made: AtomicUsize,
    /// How many submits [`Submitters::wait_for_lead`] waits for.
    lead: usize,
    led: std::sync::Mutex<bool>,
    reached: std::sync::Condvar,
    /// Every thread starts submitting at once, with this one.
    start: std::sync::Barrier,
}

impl Submitters {
    fn new(threads: usize, closed: bool, lead: usize) -> Arc<Self> {
        Arc::new(Self {
            shut: AtomicBool::new(closed),
            made: AtomicUsize::new(0),
            lead,
            led: std::sync::Mutex::new(false),
            reached: std::sync::Condvar::new(),
            start: std::sync::Barrier::new(threads + 1),
        })
    }

    /// Blocks (a spinning thread would lose its turn to the submitters)
    /// until the threads have made `lead` submits, or for `limit` at
    /// most: a submitter blocked by a full queue may never get there.
    fn wait_for_lead(&self, limit: Duration) {
        let led = self.led.lock().unwrap_or_else(|poison| poison.into_inner());
        let _ = self.reached.wait_timeout_while(led, limit, |led| !*led);
    }

    fn count_submit(&self) {
        if self.made.fetch_add(1, Ordering::SeqCst) + 1 == self.lead {
            *self.led.lock().unwrap_or_else(|poison| poison.into_inner()) = true;
            self.reached.notify_all();
        }
    }
}

/// Starts `threads` threads that each submit up to `count` quick jobs,
/// all at once once this thread passes `control.start`. A refusal as
/// closed ends a thread's submits; one from an executor still open is a
/// failure for [`tally_into`].
fn submit_from_threads(
    pool: &Arc<Box<dyn Executor>>,
    probe: &Probe,
    token: &CancelToken,
    threads: usize,
    count: usize,
    control: &Arc<Submitters>,
) -> Vec<thread::JoinHandle<Result<Tally, String>>> {
    (0..threads)
        .map(|_| {
            let (pool, probe, token) = (Arc::clone(pool), probe.clone(), token.clone());
            let control = Arc::clone(control);
            thread::spawn(move || {
                let mut tally = Tally::default();
                control.start.wait();
                for _ in 0..count {
                    let after_shutdown = control.shut.load(Ordering::SeqCst);
                    let answer = pool.submit(job(&probe, JobKind::Quick, &token));
                    tally.submits += 1;
                    control.count_submit();
                    match answer {
                        Err(rejected) if rejected.reason() == RejectReason::Closed => {
                            tally.returned_closed.push(rejected.into_job());
                            break;
                        }
                        Err(rejected) if after_shutdown => {
                            return Err(format!(
                                "submit after shutdown (from another thread) rejected as {:?}, \
                                 not Closed",
                                rejected.reason()
                            ))
                        }
                        Ok(admission) if after_shutdown => {
                            return Err(format!(
                                "submit after shutdown (from another thread) answered {admission:?}"
                            ))
                        }
                        answer => tally
                            .answers
                            .push(answer.map_err(|rejected| rejected.reason())),
                    }
                }
                Ok(tally)
            })
        })
        .collect()
}

/// Joins the submitting threads: a panic in `submit` is a failure.
fn join_submitters(
    threads: Vec<thread::JoinHandle<Result<Tally, String>>>,
) -> Result<Vec<Tally>, String> {
    let mut tallies = Vec::new();
    let mut failure = None;
    for thread in threads {
        match thread.join() {
            Ok(Ok(tally)) => tallies.push(tally),
            Ok(Err(why)) => failure = failure.or(Some(why)),
            Err(payload) => {
                let why = format!(
                    "a submit from another thread panicked: {}",
                    watchdog::panic_message(payload.as_ref())
                );
                failure = failure.or(Some(why));
            }
        }
    }
    failure.map_or(Ok(tallies), Err)
}

/// Books what the submitting threads saw. A refusal as closed is allowed
/// only once a shutdown began (`books.closed` or `raced`); every other
/// answer must be one the policy allows.
fn tally_into(books: &mut Books, policy: Policy, tallies: Vec<Tally>) -> Result<(), String> {
    books.submitters = books.submitters.max(tallies.len());
    for tally in tallies {
        books.submits += tally.submits;
        if !books.closed && !books.raced && !tally.returned_closed.is_empty() {
            return Err(
                "submit to an open executor (from another thread) rejected as Closed".into(),
            );
        }
        books.returned_closed.extend(tally.returned_closed);
        for answer in tally.answers {
            if !policy.allows(&answer) {
                return Err(format!(
                    "policy {policy:?} does not allow the answer {answer:?} (to a submit from \
                     another thread)"
                ));
            }
            match answer {
                Ok(Admission::Accepted | Admission::AcceptedDroppingOldest) => books.accepted += 1,
                Ok(Admission::RanOnCaller) => books.ran_on_caller += 1,
                Ok(Admission::Discarded) => books.discarded_new += 1,
                Err(_) => {}
            }
        }
    }
    Ok(())
}

/// [`Op::SubmitRacingShutdown`]: submitting threads race a shutdown.
/// Each submit is accepted (and its job must then run or come back: the
/// books check at the end) or refused as closed; once the shutdown has
/// returned, every submit must be refused.
fn race_shutdown(
    pool: &Arc<Box<dyn Executor>>,
    probe: &Probe,
    token: &CancelToken,
    (mode, submitters, lead): (Mode, usize, usize),
    policy: Policy,
    books: &mut Books,
) -> Result<(), String> {
    let control = Submitters::new(submitters, books.closed, lead);
    let threads = submit_from_threads(pool, probe, token, submitters, RACE_CAP, &control);
    control.start.wait();
    control.wait_for_lead(Duration::from_millis(5));
    books.raced = true;
    // Under caller-runs a submitter may be running a job of its own when
    // the shutdown returns: nothing-runs is checked once they are joined.
    let caller_runs = policy == Policy::CallerRuns;
    let shutdown = shut_down_checking(pool, probe, mode, false, !caller_runs, books);
    control.shut.store(true, Ordering::SeqCst);
    let tallies = join_submitters(threads);
    shutdown?;
    tally_into(books, policy, tallies?)?;
    if caller_runs {
        let none_left = ShutdownReport {
            completed: 0,
            handed_back: Vec::new(),
            still_running: 0,
        };
        let which = format!("{mode:?}, raced by submits, once they returned");
        workers_joined(&**pool, probe, &none_left, &which)?;
    }
    Ok(())
}

fn shutdown_mode(mode: Mode) -> ShutdownMode {
    match mode {
        Mode::Drain => ShutdownMode::DRAIN,
        Mode::DrainWithDeadline => ShutdownMode::Drain {
            deadline: Some(Duration::from_millis(1)),
        },
        Mode::Abort => ShutdownMode::Abort,
    }
}

fn shut_down(
    pool: &Arc<Box<dyn Executor>>,
    probe: &Probe,
    mode: Mode,
    concurrent: bool,
    books: &mut Books,
) -> Result<(), String> {
    shut_down_checking(pool, probe, mode, concurrent, true, books)
}

/// [`shut_down`]; without `joined_now`, the check that nothing runs once
/// a call returned is left to the caller (jobs run on submitting threads
/// under caller-runs may still be running).
fn shut_down_checking(
    pool: &Arc<Box<dyn Executor>>,
    probe: &Probe,
    mode: Mode,
    concurrent: bool,
    joined_now: bool,
    books: &mut Books,
) -> Result<(), String> {
    let racer = concurrent.then(|| {
        let (pool, probe) = (Arc::clone(pool), probe.clone());
        thread::spawn(move || {
            let report = pool.shutdown(ShutdownMode::Abort);
            // Checked at once, before the other call can finish the job.
            let joined = workers_joined(&**pool, &probe, &report, "a second, concurrent abort");
            (report, joined)
        })
    });
    let joined = |report: &ShutdownReport, which: &str| match joined_now {
        true => workers_joined(&**pool, probe, report, which),
        false => no_deadline_no_stragglers(report, which),
    };
    let first = pool.shutdown(shutdown_mode(mode));
    if mode != Mode::DrainWithDeadline || first.still_running == 0 {
        joined(&first, &format!("{mode:?}"))?;
    }
    let mut reports: Vec<ShutdownReport> = vec![first];
    if let Some(racer) = racer {
        let (report, joined) = racer.join().map_err(|payload| {
            format!(
                "a concurrent shutdown panicked: {}",
                watchdog::panic_message(payload.as_ref())
            )
        })?;
        joined?;
        reports.push(report);
    }
    if mode == Mode::DrainWithDeadline && reports[0].still_running > 0 {
        // Past the deadline some jobs ran on; a plain drain joins them.
        let last = pool.shutdown(ShutdownMode::DRAIN);
        joined(&last, "the drain after a deadline")?;
        reports.push(last);
    }
    for report in reports {
        books.handed_back.extend(report.handed_back);
    }
    books.closed = true;
    Ok(())
}

/// A shutdown with no deadline reports no job still running.
fn no_deadline_no_stragglers(report: &ShutdownReport, which: &str) -> Result<(), String> {
    if report.still_running != 0 {
        return Err(format!(
            "shutdown ({which}) returned with {} jobs still running and no deadline",
            report.still_running
        ));
    }
    Ok(())
}

/// What must hold the moment a shutdown call returns with no job reported
/// still running: nothing runs, inside the jobs or in the pool's books.
fn workers_joined(
    pool: &dyn Executor,
    probe: &Probe,
    report: &ShutdownReport,
    which: &str,
) -> Result<(), String> {
    no_deadline_no_stragglers(report, which)?;
    let (in_jobs, in_books) = (probe.running(), pool.stats().running);
    if in_jobs > 0 {
        return Err(format!(
            "shutdown ({which}) returned while {in_jobs} job(s) still ran: it did not wait \
             for the workers to be joined"
        ));
    }
    if in_books > 0 {
        return Err(format!(
            "after shutdown ({which}) the executor counts {in_books} job(s) as running, yet none \
             is: a job that panicked killed its worker before it was counted out (run every \
             job under catch_unwind, as JobContext::execute does)"
        ));
    }
    Ok(())
}

fn check_books(
    promises: &StrategyCase,
    pool: &dyn Executor,
    probe: &Probe,
    case: &Case,
    books: Books,
) -> Result<(), String> {
    let stats = pool.stats();
    if stats.unaccounted() != 0 {
        return Err(format!("the stats do not add up: {stats:?}"));
    }
    if stats.submitted != books.submits {
        return Err(format!(
            "{} submits, stats say {}",
            books.submits, stats.submitted
        ));
    }
    if probe.ran() != stats.completed {
        return Err(format!(
            "{} jobs ran, stats say {} completed",
            probe.ran(),
            stats.completed
        ));
    }
    let displaced = stats.discarded - books.discarded_new;
    let admitted = books.accepted + books.ran_on_caller;
    let settled = stats.completed + stats.cancelled + displaced + books.handed_back.len();
    if admitted != settled {
        return Err(format!(
            "{admitted} jobs accepted but {settled} accounted for (ran {}, cancelled {}, displaced {displaced}, handed back {}): a job was lost{}",
            stats.completed,
            stats.cancelled,
            books.handed_back.len(),
            match books.raced {
                true => " (submits raced a shutdown: one accepted after the workers were drained?)",
                false => "",
            }
        ));
    }
    let callers = match case.policy {
        Policy::CallerRuns => books.submitters.max(1),
        _ => 0,
    };
    if promises.bounded && probe.peak() > books.max_bound + callers {
        return Err(format!(
            "{} jobs ran at once, bound {}{}",
            probe.peak(),
            books.max_bound,
            match callers {
                0 => String::new(),
                callers => format!(" (and {callers} submitting thread(s) under caller-runs)"),
            }
        ));
    }
    // Handed-back and closed-rejected jobs must be whole and never have run.
    let returned = books.handed_back.len() + books.returned_closed.len();
    let before = probe.ran();
    for job in books.handed_back.into_iter().chain(books.returned_closed) {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.run()));
    }
    if probe.ran() != before + returned || probe.ran_twice() != 0 {
        return Err("a job handed back or rejected had already run: a job ran twice".into());
    }
    Ok(())
}

/// Runs the machine against `subject` with `PROPTEST_CASES` cases (256
/// by default); on failure returns the message with the shrunk case.
/// Prints the cases run on a line the gate collects.
pub fn explore(subject: &PoolSubject) -> Result<u32, String> {
    explore_with(subject, crate::support::proptest_cases(), u32::MAX)
}

/// [`explore`] with `cases` cases and at most `shrink_steps` shrinking
/// steps (a mutant gate that needs only the first failure takes few).
pub fn explore_with(subject: &PoolSubject, cases: u32, shrink_steps: u32) -> Result<u32, String> {
    if crate::support::skipped_under_shuttle("pool_machine") {
        return Ok(0);
    }
    let config = Config {
        cases,
        max_shrink_iters: shrink_steps,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    // Once a case has failed, every run is a shrinking candidate: tried
    // several times, so that a race that shows now and then still shrinks.
    let failed_once = Cell::new(false);
    let refused = Cell::new(0u32);
    // A hang's shrinking candidates run under a short limit.
    let limit = watchdog::CaseLimit::new(subject.watchdog);
    // The facade's locks now and then yield or sleep while the cases run,
    // so that the windows of lost wake-ups and racing submits open.
    #[cfg(not(feature = "shuttle"))]
    let _perturbed = contend_strategies::sync::perturb::enable();
    let outcome = runner.run(&any_case(&subject.promises), |case| {
        let tries = if failed_once.get() { SHRINK_TRIES } else { 1 };
        for _ in 0..tries {
            let ran = limit.run(|within| run_case(&subject.clone().watchdog(within), &case));
            match ran {
                Ok(Ran::Checked) => {}
                Ok(Ran::Refused) => {
                    refused.set(refused.get() + 1);
                    break;
                }
                Err(why) => {
                    failed_once.set(true);
                    return Err(TestCaseError::fail(why));
                }
            }
        }
        Ok(())
    });
    let name = subject.name();
    match outcome {
        Ok(()) => {
            let (cases, refused) = (runner.config().cases, refused.get());
            let checked = cases.saturating_sub(refused);
            match refused {
                0 => crate::support::proptest_gate_line(format_args!("{name}: {checked} cases")),
                // Ends in "N cases", as the gate's count expects.
                _ => crate::support::proptest_gate_line(format_args!(
                    "{name}: {refused} skipped (the executor refused their configuration), \
                     {checked} cases"
                )),
            }
            Ok(checked)
        }
        Err(TestError::Fail(why, case)) => {
            let replay = if crate::strategies::is_builtin(name) {
                format!("contend_tests::pool_machine::replay_builtin({name:?}, &{case:?});")
            } else {
                format!("contend_tests::pool_machine::replay(&your_subject, &{case:?});")
            };
            Err(format!(
                "{name}: invariant broken: {why}\nminimal case ({} ops); replay it with:\n    {replay}",
                case.ops.len()
            ))
        }
        Err(TestError::Abort(why)) => Err(format!("{name}: proptest aborted: {why}")),
    }
}

/// Checks an executor of yours with the whole machine: one call in a test.
/// Panics with the broken invariant and a shrunk, replayable case.
pub fn check(subject: &PoolSubject) -> u32 {
    explore(subject).unwrap_or_else(|failure| panic!("{failure}"))
}

/// [`check`] for an executor built the same way for every configuration.
pub fn check_executor(
    promises: &StrategyCase,
    build: impl Fn(PoolConfig) -> Box<dyn Executor> + Send + Sync + 'static,
) -> u32 {
    check(&PoolSubject::new(*promises, build))
}

/// Replays one case against `subject`; paste the line a failure prints
/// into a test, with your subject, to keep it as a regression test.
pub fn replay(subject: &PoolSubject, case: &Case) {
    // Perturbed as the machine's own runs are.
    #[cfg(not(feature = "shuttle"))]
    let _perturbed = contend_strategies::sync::perturb::enable();
    match run_case(subject, case) {
        Ok(Ran::Checked) => {}
        Ok(Ran::Refused) => panic!(
            "{}: the executor refused the case's configuration: nothing was replayed",
            subject.name()
        ),
        Err(why) => panic!(
            "{}: invariant broken: {why}\ncase: {case:?}",
            subject.name()
        ),
    }
}

/// Replays one case against the built-in strategy `name`.
pub fn replay_builtin(name: &str, case: &Case) {
    replay(&PoolSubject::builtin(name), case);
}
