//! Models of every hand-written family, written once as library code so
//! that three kinds of caller run the same models: the suites in
//! `tests/loom_*.rs` and `tests/shuttle_*.rs` (against the built-in
//! variants), the mutant gates (where each mutant must fail a model), and
//! users checking their own implementation built on
//! `contend_strategies::sync`.
//!
//! A model is a closure a checker runs once per interleaving (loom, which
//! enumerates them within a preemption bound) or per schedule (shuttle,
//! which samples them: see [`crate::shuttle_models`]); each family's
//! `suite()` lists its models with names of the form `variant: what`.
//! The models use only `contend_strategies::sync`, so they mean the same
//! under either checker.

pub mod cache;
pub mod counter;
pub mod crowded;
pub mod fanin;
pub mod pool;
#[cfg(not(loom))]
pub mod tokio;

/// A model, ready for [`explore`].
pub type Model = Box<dyn Fn() + Send + Sync + 'static>;

/// A model with the name the gate prints.
pub struct NamedModel {
    /// `variant: what races what`.
    pub name: String,
    /// The model.
    pub model: Model,
}

impl NamedModel {
    /// Names `model`.
    pub fn new(name: impl Into<String>, model: Model) -> Self {
        Self {
            name: name.into(),
            model,
        }
    }
}

#[cfg(loom)]
/// A loom builder with the preemption bound of `LOOM_MAX_PREEMPTIONS`
/// (default 2: most concurrency bugs need at most two preemptions to
/// show) and room for the pools' longer executions.
pub fn builder() -> loom::model::Builder {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = builder.preemption_bound.or(Some(2));
    builder.max_branches = builder.max_branches.max(100_000);
    builder
}

#[cfg(loom)]
/// Runs `model` under loom, prints the interleavings explored on a line
/// the gate collects, and returns their number. Panics, as loom does, on
/// the first interleaving that breaks an invariant, deadlocks or races.
pub fn explore(name: &str, model: impl Fn() + Send + Sync + 'static) -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};

    crate::quiet_expected_panics();
    let explored = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&explored);
    let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        builder().check(move || {
            counter.fetch_add(1, Ordering::Relaxed);
            model();
        })
    }));
    if let Err(failure) = checked {
        println!(
            "contend-gate: loom {name}: FAILED after {} interleavings; the message above names \
             the broken invariant. Replay the failing interleaving with its trace:\n    \
             LOOM_LOG=trace LOOM_LOCATION=1 LOOM_CHECKPOINT_INTERVAL=1 \
             LOOM_CHECKPOINT_FILE=target/loom-failure.json RUSTFLAGS=\"--cfg loom\" \
             CARGO_TARGET_DIR=target/loom cargo test -p contend-tests --profile loom \
             --test 'loom_*' -- --nocapture",
            explored.load(Ordering::Relaxed)
        );
        std::panic::resume_unwind(failure);
    }
    let explored = explored.load(Ordering::Relaxed);
    println!("contend-gate: loom {name}: {explored} interleavings");
    explored
}

#[cfg(loom)]
/// Explores every model of `suite`, then prints the suite's totals. With
/// `CONTEND_LOOM_ONLY=text` set, only the models whose name contains
/// `text` (say `CONTEND_LOOM_ONLY="dispatcher: cancel"`), to study one.
pub fn explore_suite(family: &str, suite: Vec<NamedModel>) {
    let only = std::env::var("CONTEND_LOOM_ONLY").unwrap_or_default();
    let suite: Vec<NamedModel> = suite
        .into_iter()
        .filter(|named| named.name.contains(&only))
        .collect();
    let models = suite.len();
    let interleavings: usize = suite
        .into_iter()
        .map(|named| explore(&named.name, named.model))
        .sum();
    println!("contend-gate: loom {family} suite: {models} models, {interleavings} interleavings");
}

/// A family of models: the strategies of one module of
/// `contend-strategies`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// The pools ([`pool`]).
    Pool,
    /// The fan-in channels ([`fanin`]).
    FanIn,
    /// The read-mostly caches ([`cache`]).
    Cache,
    /// The counters ([`counter`]).
    Counter,
    /// The tokio strategies and `tokio-mpsc` (`tokio`, shuttle only: none
    /// under loom).
    Tokio,
}

impl Family {
    /// Every family, in the order [`all_suites`] runs them.
    pub const ALL: [Family; 5] = [
        Family::Pool,
        Family::FanIn,
        Family::Cache,
        Family::Counter,
        Family::Tokio,
    ];

    /// The family whose models a mutant breaks (its strategy's), which a
    /// mutant gate explores first; the other families follow if none of
    /// those fail.
    #[cfg(feature = "mutants")]
    pub fn home_of(mutant: contend_strategies::mutants::Mutant) -> Family {
        use contend_strategies::mutants::Mutant;
        match mutant {
            Mutant::LossyDrain
            | Mutant::EarlyPermitRelease
            | Mutant::FragileWorker
            | Mutant::RacyCounter
            | Mutant::StrandingExpiry
            | Mutant::IgnoredWaitMark => Family::Pool,
            Mutant::EagerCloser => Family::FanIn,
            Mutant::UnlockedMapWrite => Family::Cache,
            Mutant::EarlyTaskPermit | Mutant::LossyChannelClose | Mutant::LossyAsyncSend => {
                Family::Tokio
            }
        }
    }

    /// The family's models.
    pub fn suite(self) -> Vec<NamedModel> {
        match self {
            Family::Pool => pool::suite(),
            Family::FanIn => fanin::suite(),
            Family::Cache => cache::suite(),
            Family::Counter => counter::suite(),
            #[cfg(not(loom))]
            Family::Tokio => tokio::suite(),
            #[cfg(loom)]
            Family::Tokio => Vec::new(),
        }
    }
}

/// Every family's models.
pub fn all_suites() -> Vec<NamedModel> {
    all_suites_from(Family::Pool)
}

/// Every family's models, `first`'s first. The mutant gate looks for a
/// mutant's failure where the mutant lives before anywhere else: a fan-in
/// mutant then fails in seconds, not after a million pool interleavings.
pub fn all_suites_from(first: Family) -> Vec<NamedModel> {
    let rest = Family::ALL.into_iter().filter(|family| *family != first);
    std::iter::once(first)
        .chain(rest)
        .flat_map(Family::suite)
        .collect()
}

#[cfg(loom)]
/// Runs a model expecting it to fail; `Some(what loom said)` if loom
/// reported a failure (a broken assertion, a deadlock, a data race on a
/// cell). The panic output is silenced while it runs.
pub fn failure(model: NamedModel) -> Option<String> {
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        builder().check(model.model);
    }));
    std::panic::set_hook(quiet);
    let payload = outcome.err()?;
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("a failure without a message");
    Some(message.lines().next().unwrap_or_default().to_owned())
}
