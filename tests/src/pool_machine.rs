//! The proptest state machine for executors: random sequences of submits
//! (quick, slow, panicking), cancels, resizes and shutdowns (drain, drain
//! with a deadline, abort, sometimes two at once) run against any
//! [`Executor`], checked against a reference model of what may happen.
//!
//! The model cannot predict which of several legal outcomes a race picks,
//! so it checks what must hold whatever the interleaving:
//! - submit after shutdown is rejected as closed, with the job intact;
//! - each answer of `submit` is one the overload policy allows;
//! - no accepted job is lost or run twice: it ran, was cancelled, was
//!   displaced by discard-oldest, or came back unstarted at shutdown;
//! - the concurrency bound in force is never exceeded;
//! - every worker is joined when shutdown returns (nothing runs after);
//! - the stats add up: submitted = completed + rejected + discarded +
//!   cancelled + handed back.
//!
//! A failure shrinks to a minimal sequence and prints it as a line of Rust
//! to paste into a regression test (see [`replay_builtin`]).

use std::fmt;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use contend_strategies::pool::{
    Admission, CancelToken, ConfigError, Executor, Job, OverloadPolicy, PoolConfig, RejectReason,
    ShutdownMode, ShutdownReport,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

use crate::{Probe, StrategyCase, EXPECTED_PANIC};

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
            Op::Resize(workers) => write!(f, "Op::Resize({workers})"),
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
    let resize = if resizable { 2 } else { 1 };
    prop_oneof![
        12 => kind.prop_map(Op::Submit),
        1 => Just(Op::Cancel),
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
}

/// Runs one case against a fresh executor; `Err` names the broken invariant.
pub fn run_case(
    promises: &StrategyCase,
    build: &dyn Fn(PoolConfig) -> Box<dyn Executor>,
    case: &Case,
) -> Result<(), String> {
    crate::quiet_expected_panics();
    let pool: Arc<Box<dyn Executor>> = Arc::new(build(case.config()));
    let probe = Probe::new();
    let mut token = CancelToken::new();
    let mut books = Books {
        max_bound: case.workers,
        ..Books::default()
    };
    for op in &case.ops {
        match op {
            Op::Submit(kind) => submit(&pool, &probe, &token, *kind, case.policy, &mut books)?,
            Op::Cancel => {
                token.cancel();
                token = CancelToken::new();
            }
            Op::Resize(workers) => match (pool.resize(*workers), promises.resizable) {
                (Ok(()), true) => books.max_bound = books.max_bound.max(*workers),
                (Err(ConfigError::ResizeUnsupported { .. }), false) => {}
                (outcome, _) => return Err(format!("resize({workers}) answered {outcome:?}")),
            },
            Op::Shutdown { mode, concurrent } => shut_down(&pool, *mode, *concurrent, &mut books)?,
        }
    }
    if !books.closed {
        shut_down(&pool, Mode::Drain, false, &mut books)?;
    }
    check_books(promises, &**pool, &probe, case, books)
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
    mode: Mode,
    concurrent: bool,
    books: &mut Books,
) -> Result<(), String> {
    let racer = concurrent.then(|| {
        let pool = Arc::clone(pool);
        thread::spawn(move || pool.shutdown(ShutdownMode::Abort))
    });
    let mut reports: Vec<ShutdownReport> = vec![pool.shutdown(shutdown_mode(mode))];
    if let Some(racer) = racer {
        reports.push(
            racer
                .join()
                .map_err(|_| "a concurrent shutdown panicked".to_owned())?,
        );
    }
    if mode == Mode::DrainWithDeadline && reports[0].still_running > 0 {
        // Past the deadline some jobs ran on; a plain drain joins them.
        reports.push(pool.shutdown(ShutdownMode::DRAIN));
    }
    let last = reports.last().expect("at least one report");
    if last.still_running != 0 {
        return Err(format!(
            "shutdown returned with {} jobs still running",
            last.still_running
        ));
    }
    if pool.stats().running != 0 {
        return Err("a job was running after shutdown returned: a worker was not joined".into());
    }
    for report in reports {
        books.handed_back.extend(report.handed_back);
    }
    books.closed = true;
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
            "{admitted} jobs accepted but {settled} accounted for (ran {}, cancelled {}, displaced {displaced}, handed back {}): a job was lost",
            stats.completed,
            stats.cancelled,
            books.handed_back.len()
        ));
    }
    let caller = usize::from(case.policy == Policy::CallerRuns);
    if promises.bounded && probe.peak() > books.max_bound + caller {
        return Err(format!(
            "{} jobs ran at once, bound {}",
            probe.peak(),
            books.max_bound
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

/// Runs the machine against `build`; on failure returns the message with
/// the shrunk case. Prints the cases run on a line the gate collects.
pub fn explore(
    promises: &StrategyCase,
    build: &dyn Fn(PoolConfig) -> Box<dyn Executor>,
) -> Result<u32, String> {
    let config = Config {
        cases: crate::support::proptest_cases(),
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let outcome = runner.run(&any_case(promises), |case| {
        run_case(promises, build, &case).map_err(TestCaseError::fail)
    });
    match outcome {
        Ok(()) => {
            println!("contend-gate: proptest {}: {} cases", promises.name, runner.config().cases);
            Ok(runner.config().cases)
        }
        Err(TestError::Fail(why, case)) => Err(format!(
            "{}: invariant broken: {why}\nminimal case; replay it with:\n    contend_tests::pool_machine::replay_builtin({:?}, &{case:?});",
            promises.name, promises.name
        )),
        Err(TestError::Abort(why)) => Err(format!("{}: proptest aborted: {why}", promises.name)),
    }
}

/// Checks an executor of yours with the whole machine: one call in a test.
/// Panics with the broken invariant and a shrunk, replayable case.
pub fn check_executor(
    promises: &StrategyCase,
    build: impl Fn(PoolConfig) -> Box<dyn Executor>,
) -> u32 {
    explore(promises, &build).unwrap_or_else(|failure| panic!("{failure}"))
}

/// Replays one case against the built-in strategy `name`; paste the line a
/// failure prints into a test to keep it as a regression test.
pub fn replay_builtin(name: &str, case: &Case) {
    let promises = StrategyCase::named(name);
    if let Err(why) = run_case(&promises, &|config| promises.build(config), case) {
        panic!("{name}: invariant broken: {why}\ncase: {case:?}");
    }
}
