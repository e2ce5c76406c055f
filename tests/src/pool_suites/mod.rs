//! The pool suites, as checks any executor can be put through: the
//! lifecycle (shutdown and the books), the concurrency bound, panic
//! isolation, cancellation and batches, the overload policies, and the
//! edge cases a review found.
//!
//! Each suite ([`lifecycle`], [`bounds`], [`panics`], [`cancel`],
//! [`policies`], [`edges`]) is a list of named [`Check`]s. A check decides
//! from the subject's promises whether it applies (the bound checks only to
//! an executor that promises `bounded` and does not run jobs on the
//! caller, `DiscardOldest` only to one that `queues`), builds the executor
//! with the configuration it needs through [`PoolSubject::build`], and runs
//! under the subject's watchdog, leaving a breadcrumb (what it waits for,
//! and the executor's stats) at each step, so that a hang fails as
//! `lifecycle: abort_hands_back_every_unstarted_job: hung for 30s (the
//! watchdog's limit) at: waiting for ...; PoolStats { .. }` instead of
//! stalling the test run.
//!
//! A configuration the subject refuses (its build answers `None`) makes
//! the check **skipped**, reported with the configuration it wanted, never
//! passed. A check that does not depend on a worker count offers a few
//! ([`workers_down_from`]): the first one accepted is used, and a pass says
//! so when it was not the first.
//!
//! ```no_run
//! # use contend_tests::{pool_suites, PoolSubject};
//! # fn your_subject() -> PoolSubject { PoolSubject::builtin("fixed") }
//! // In a test: every check of every suite, one line each; panics naming
//! // every failed check once all have run.
//! let report = pool_suites::check_all(&your_subject());
//! assert!(report.skipped().is_empty(), "{report}");
//! ```
//!
//! No check asserts a time. States are forced with gates: a job waiting at
//! a closed [`AsyncGate`](fixtures::AsyncGate) holds its worker, permit or
//! task, so what is submitted after it provably waits; every wait for a
//! state ends when the state is reached, and only the watchdog bounds it.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use contend_strategies::pool::{Executor, PoolConfig};

use crate::awaiting_pool::{AsyncPool, Driven};
use crate::watchdog::{self, Breadcrumbs};
use crate::{PoolSubject, Probe, StrategyCase, PATIENCE};

pub mod awaiting;
pub mod bounds;
pub mod cancel;
pub mod edges;
pub mod fixtures;
pub mod lifecycle;
pub mod panics;
pub mod policies;

/// An executor under check, shared with the threads a check starts.
pub type Pool = Arc<Box<dyn Executor>>;

/// Every suite, in the order [`check_all`] runs them.
pub const SUITES: [&Suite; 7] = [
    &lifecycle::SUITE,
    &bounds::SUITE,
    &panics::SUITE,
    &cancel::SUITE,
    &policies::SUITE,
    &edges::SUITE,
    &awaiting::SUITE,
];

/// Runs every check of every suite on `subject`, printing one line per
/// check, and returns the report; panics once all have run if any failed,
/// naming each failed check. Skipped checks do not fail it: look at
/// [`SuiteReport::skipped`] to hold your executor to more of them.
pub fn check_all(subject: &PoolSubject) -> SuiteReport {
    let report = report_all(subject);
    report.assert_passed();
    report
}

/// [`check_all`] without the panic: for a test that expects failures.
pub fn report_all(subject: &PoolSubject) -> SuiteReport {
    let mut report = SuiteReport::new(subject.name());
    if crate::support::skipped_under_shuttle("pool_suites") {
        return report;
    }
    for suite in SUITES {
        report.extend(suite.report(subject));
    }
    report
}

/// What a check needs the subject to promise: `Some(value)` for each
/// promise it depends on, `None` for those it does not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// `StrategyCase::bounded`.
    pub bounded: Option<bool>,
    /// `StrategyCase::overload`.
    pub overload: Option<bool>,
    /// `StrategyCase::queues`.
    pub queues: Option<bool>,
    /// `StrategyCase::runs_on_caller`.
    pub runs_on_caller: Option<bool>,
    /// Whether the subject is an
    /// [`AsyncExecutor`](contend_strategies::pool::AsyncExecutor)
    /// ([`PoolSubject::awaiting`]).
    pub awaits: Option<bool>,
}

impl Needs {
    /// Applies to every executor.
    pub const ANY: Needs = Needs {
        bounded: None,
        overload: None,
        queues: None,
        runs_on_caller: None,
        awaits: None,
    };

    /// Also needs `bounded == value`.
    pub const fn bounded(self, value: bool) -> Self {
        Needs {
            bounded: Some(value),
            ..self
        }
    }

    /// Also needs `overload == value`.
    pub const fn overload(self, value: bool) -> Self {
        Needs {
            overload: Some(value),
            ..self
        }
    }

    /// Also needs `queues == value`.
    pub const fn queues(self, value: bool) -> Self {
        Needs {
            queues: Some(value),
            ..self
        }
    }

    /// Also needs `runs_on_caller == value`.
    pub const fn runs_on_caller(self, value: bool) -> Self {
        Needs {
            runs_on_caller: Some(value),
            ..self
        }
    }

    /// Also needs an async subject ([`PoolSubject::awaiting`]).
    pub const fn awaits(self) -> Self {
        Needs {
            awaits: Some(true),
            ..self
        }
    }

    /// `None` if `subject` meets these needs, else which it misses
    /// (`"needs bounded && !runs_on_caller"`).
    pub fn unmet_by(&self, subject: &PoolSubject) -> Option<String> {
        let promises = &subject.promises;
        let wants = [
            ("awaits", self.awaits, subject.awaits()),
            ("bounded", self.bounded, promises.bounded),
            ("overload", self.overload, promises.overload),
            ("queues", self.queues, promises.queues),
            (
                "runs_on_caller",
                self.runs_on_caller,
                promises.runs_on_caller,
            ),
        ];
        let mut needed = Vec::new();
        let mut met = true;
        for (name, wanted, promised) in wants {
            if let Some(wanted) = wanted {
                needed.push(if wanted {
                    name.to_owned()
                } else {
                    format!("!{name}")
                });
                met &= wanted == promised;
            }
        }
        (!met).then(|| format!("needs {}", needed.join(" && ")))
    }
}

/// What a check's body returns: `Err` when the subject refused every
/// configuration the check offered. A broken invariant is a panic (an
/// `assert!`), which the watchdog turns into the failure's message.
pub type Checked = Result<(), Refused>;

/// The subject refused the configurations a check needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused(pub String);

/// One named check of a suite.
#[derive(Clone, Copy)]
pub struct Check {
    /// Its name, as reported.
    pub name: &'static str,
    /// The promises it needs; it does not apply to other executors.
    pub needs: Needs,
    /// What it does, on the watchdog's thread.
    pub body: fn(&Run<'_>) -> Checked,
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Check")
            .field("name", &self.name)
            .field("needs", &self.needs)
            .finish_non_exhaustive()
    }
}

impl Check {
    /// Runs this check of `suite` on `subject`, under its watchdog.
    pub fn run(&self, suite: &str, subject: &PoolSubject) -> Outcome {
        if let Some(why) = self.needs.unmet_by(subject) {
            return Outcome::NotApplicable(why);
        }
        let what = format!("{suite}: {}", self.name);
        let (body, here) = (self.body, subject.clone());
        let outcome = watchdog::guard(&what, subject.watchdog, move |crumbs| {
            fixtures::quiet_deliberate_panics();
            let run = Run {
                subject: &here,
                crumbs,
                notes: RefCell::new(Vec::new()),
                built: RefCell::new(Vec::new()),
            };
            let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(&run)));
            // The executors are dropped here, under the watchdog, with the
            // check's outcome in the breadcrumb: an executor whose `Drop`
            // hangs (joining a worker stuck in a job the failed check
            // still holds) is reported as that, not as a silent hang.
            let after = match &checked {
                Ok(Ok(())) => "after the check passed".to_owned(),
                Ok(Err(Refused(why))) => format!("after the check was skipped: {why}"),
                Err(payload) => format!(
                    "after the check failed: {}",
                    watchdog::panic_message(payload.as_ref())
                ),
            };
            let reached = crumbs.last();
            crumbs.at(format!(
                "dropping the executor ({after}): its Drop did not return"
            ));
            let notes = run.finish();
            // Dropped: a failure is reported at the step it failed at.
            crumbs.at(reached);
            match checked {
                Ok(checked) => (checked, notes),
                Err(payload) => std::panic::resume_unwind(payload),
            }
        });
        match outcome {
            Ok((Ok(()), notes)) => Outcome::Passed(notes),
            Ok((Err(Refused(why)), _)) => Outcome::Skipped(why),
            // A hang's message already starts with `what`; a panic's is the
            // bare message.
            Err(failure) if failure.starts_with(&what) => Outcome::Failed(failure),
            Err(failure) => Outcome::Failed(format!("{what}: {failure}")),
        }
    }
}

/// How one check came out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It held, with notes (which configuration it ran with, when the
    /// subject refused the first it offered).
    Passed(Vec<String>),
    /// The subject's promises exclude it (it checks something the subject
    /// does not promise): why.
    NotApplicable(String),
    /// It applies, but the subject refused every configuration it offered:
    /// which. Not a pass: nothing was checked.
    Skipped(String),
    /// The invariant broke, or the check hung: the message.
    Failed(String),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Passed(notes) if notes.is_empty() => write!(f, "passed"),
            Outcome::Passed(notes) => write!(f, "passed ({})", notes.join("; ")),
            Outcome::NotApplicable(why) => write!(f, "not applicable: {why}"),
            Outcome::Skipped(why) => write!(f, "skipped: {why}"),
            Outcome::Failed(message) => write!(f, "FAILED: {message}"),
        }
    }
}

/// A suite: a name and its checks.
#[derive(Debug)]
pub struct Suite {
    /// Its name, the first part of every check's report line.
    pub name: &'static str,
    /// Its checks, run in this order.
    pub checks: &'static [Check],
}

impl Suite {
    /// Runs every check on `subject`, printing a line per check, and
    /// returns how each came out (whether or not some failed).
    pub fn report(&self, subject: &PoolSubject) -> SuiteReport {
        let mut report = SuiteReport::new(subject.name());
        for check in self.checks {
            let outcome = check.run(self.name, subject);
            println!(
                "contend-suite {}: {}: {}: {outcome}",
                subject.name(),
                self.name,
                check.name
            );
            report.checks.push(CheckReport {
                suite: self.name,
                check: check.name,
                outcome,
            });
        }
        report
    }

    /// [`Suite::report`], then panics naming every failed check.
    pub fn check(&self, subject: &PoolSubject) -> SuiteReport {
        let report = self.report(subject);
        report.assert_passed();
        report
    }

    /// The check called `name`, to run it alone.
    pub fn get(&self, name: &str) -> Option<&'static Check> {
        self.checks.iter().find(|check| check.name == name)
    }
}

/// One line of a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckReport {
    /// The suite's name.
    pub suite: &'static str,
    /// The check's name.
    pub check: &'static str,
    /// How it came out.
    pub outcome: Outcome,
}

/// How the checks run on one subject came out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuiteReport {
    /// The subject's name.
    pub subject: &'static str,
    /// One entry per check, in the order they ran.
    pub checks: Vec<CheckReport>,
}

impl SuiteReport {
    /// An empty report for `subject`.
    pub fn new(subject: &'static str) -> Self {
        Self {
            subject,
            checks: Vec::new(),
        }
    }

    /// Appends `other`'s checks.
    pub fn extend(&mut self, other: SuiteReport) {
        self.checks.extend(other.checks);
    }

    fn with(&self, keep: impl Fn(&Outcome) -> bool) -> Vec<&CheckReport> {
        self.checks
            .iter()
            .filter(|check| keep(&check.outcome))
            .collect()
    }

    /// The checks that passed.
    pub fn passed(&self) -> Vec<&CheckReport> {
        self.with(|outcome| matches!(outcome, Outcome::Passed(_)))
    }

    /// The checks that applied but were refused their configuration.
    pub fn skipped(&self) -> Vec<&CheckReport> {
        self.with(|outcome| matches!(outcome, Outcome::Skipped(_)))
    }

    /// The checks the subject's promises exclude.
    pub fn not_applicable(&self) -> Vec<&CheckReport> {
        self.with(|outcome| matches!(outcome, Outcome::NotApplicable(_)))
    }

    /// The checks that failed (or hung).
    pub fn failed(&self) -> Vec<&CheckReport> {
        self.with(|outcome| matches!(outcome, Outcome::Failed(_)))
    }

    /// Panics, naming every failed check and its message, if any failed.
    pub fn assert_passed(&self) {
        let failed = self.failed();
        if failed.is_empty() {
            return;
        }
        let lines: Vec<String> = failed
            .iter()
            .map(|check| match &check.outcome {
                Outcome::Failed(message) => format!("  {message}"),
                other => format!("  {}: {}: {other}", check.suite, check.check),
            })
            .collect();
        panic!(
            "{}: {} of {} pool checks FAILED:\n{}",
            self.subject,
            failed.len(),
            self.checks.len(),
            lines.join("\n")
        );
    }
}

impl fmt::Display for SuiteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} passed, {} skipped, {} not applicable, {} failed",
            self.subject,
            self.passed().len(),
            self.skipped().len(),
            self.not_applicable().len(),
            self.failed().len()
        )?;
        for check in &self.checks {
            writeln!(f, "  {}: {}: {}", check.suite, check.check, check.outcome)?;
        }
        Ok(())
    }
}

/// What a check's body works with: the subject, and the breadcrumbs the
/// watchdog reports if the check hangs.
pub struct Run<'a> {
    subject: &'a PoolSubject,
    crumbs: &'a Breadcrumbs,
    notes: RefCell<Vec<String>>,
    /// Every executor the check built, kept so that the last reference is
    /// dropped in [`Run::finish`], under the watchdog, and never on the
    /// caller's thread or inside the hang report.
    built: RefCell<Vec<Pool>>,
}

impl fmt::Debug for Run<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Run")
            .field("subject", &self.subject)
            .field("crumbs", &self.crumbs)
            .finish_non_exhaustive()
    }
}

impl Run<'_> {
    /// Drops every executor the check built and returns its notes.
    fn finish(self) -> Vec<String> {
        drop(self.built.into_inner());
        self.notes.into_inner()
    }

    /// The subject under check.
    pub fn subject(&self) -> &PoolSubject {
        self.subject
    }

    /// What the subject promises.
    pub fn promises(&self) -> &StrategyCase {
        &self.subject.promises
    }

    /// Records the step the check has reached, for a hang's report.
    pub fn at(&self, state: impl Into<String>) {
        self.crumbs.at(state);
    }

    /// Builds the subject for `config`, or `Err` (the check is skipped) if
    /// it refuses. From then on a hang's report carries the executor's
    /// stats.
    pub fn build(&self, config: PoolConfig) -> Result<Pool, Refused> {
        self.build_first(vec![config]).map(|(pool, _)| pool)
    }

    /// Builds the subject for the first of `configs` it accepts, and says
    /// which in the pass line when it was not the first; `Err` if it
    /// refuses them all.
    pub fn build_first(&self, configs: Vec<PoolConfig>) -> Result<(Pool, PoolConfig), Refused> {
        let mut refused: Vec<PoolConfig> = Vec::new();
        for config in configs {
            self.at(format!("building the executor with {config:?}"));
            let Some(pool) = self.subject.build(config.clone()) else {
                refused.push(config);
                continue;
            };
            if !refused.is_empty() {
                let counts: Vec<String> = refused
                    .iter()
                    .map(|refused| refused.workers.to_string())
                    .collect();
                self.notes.borrow_mut().push(format!(
                    "with workers = {}: it refused workers = {}",
                    config.workers,
                    counts.join(", ")
                ));
            }
            let pool: Pool = Arc::new(pool);
            self.built.borrow_mut().push(Arc::clone(&pool));
            self.watch(&pool, None);
            return Ok((pool, config));
        }
        let refused: Vec<String> = refused.iter().map(|config| format!("{config:?}")).collect();
        Err(Refused(format!("refused {}", refused.join(" and "))))
    }

    /// Builds the subject as an async executor for `config` (it must be a
    /// [`PoolSubject::awaiting`]), with the same executor as a [`Pool`]
    /// driven from threads, to put it into a state with the fixtures;
    /// `Err` if it refuses.
    pub fn build_awaiting(&self, config: PoolConfig) -> Result<(AsyncPool, Pool), Refused> {
        self.at(format!("building the async executor with {config:?}"));
        let Some(awaiting) = self.subject.build_awaiting(config.clone()) else {
            return Err(Refused(format!("refused {config:?}")));
        };
        let pool: Pool = Arc::new(Box::new(Driven(Arc::clone(&awaiting))));
        self.built.borrow_mut().push(Arc::clone(&pool));
        self.watch(&pool, None);
        Ok((awaiting, pool))
    }

    /// Makes a hang's report carry `pool`'s stats (and, with a probe, what
    /// the probe's jobs saw from inside).
    pub fn watch(&self, pool: &Pool, probe: Option<&Probe>) {
        // A weak reference: the report never keeps the executor alive.
        let (pool, probe) = (Arc::downgrade(pool), probe.cloned());
        self.crumbs.detail(move || {
            let Some(pool) = pool.upgrade() else {
                return "(the executor is being dropped)".to_owned();
            };
            match &probe {
                Some(probe) => format!(
                    "{:?}; inside the jobs: {} ran, {} running",
                    pool.stats(),
                    probe.ran(),
                    probe.running()
                ),
                None => format!("{:?}", pool.stats()),
            }
        });
    }

    /// Waits until `condition` holds, with "waiting for `what`" as the
    /// breadcrumb. Unbounded but for the watchdog; the waiting thread gives
    /// up (long after the watchdog has failed the check) only so that a
    /// leaked check does not poll for ever.
    pub fn wait_until(&self, what: &str, mut condition: impl FnMut() -> bool) {
        self.at(format!("waiting for {what}"));
        let give_up = Instant::now() + PATIENCE.max(self.subject.watchdog) * 4;
        while !condition() {
            assert!(Instant::now() < give_up, "gave up waiting for {what}");
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// The configurations a check that needs no particular worker count
/// offers: `config(workers)` for `workers`, then 2, then 1 (those below
/// `workers`). A built-in accepts the first; an executor that runs fewer
/// jobs at once refuses down to one it can honour.
pub fn workers_down_from(workers: usize, config: impl Fn(usize) -> PoolConfig) -> Vec<PoolConfig> {
    let mut counts = vec![workers];
    counts.extend([2, 1].into_iter().filter(|&fewer| fewer < workers));
    counts.into_iter().map(config).collect()
}
