//! Deliberately broken variants, one per bug class: the proof that the
//! checks have teeth.
//!
//! Each mutant is a small edit of a real strategy, written at the very
//! place the real code does the right thing and guarded by [`mutant!`]:
//! with the `mutants` feature off the guard is the constant `false` and
//! the compiler removes the broken branch, so release builds carry none of
//! it. With the feature on, [`activate`] switches one mutant on for the
//! whole process until its guard drops; activations are serialised, so
//! one mutant runs at a time.
//!
//! The loom models and proptest machines of `contend-tests` are run with
//! each mutant active, and each must fail: the gate reports
//! `caught N of N mutants`.
//!
//! This module uses `std::sync` directly on purpose: it is the test
//! switchboard, set before a model runs, not shared state under test.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// One deliberately broken edit of a real strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mutant {
    /// `fixed`/`dispatcher`: closing the queue for a drain drops the jobs
    /// still queued instead of letting the workers run them.
    LossyDrain,
    /// `semaphore`: the permit goes back before the job's work ends.
    EarlyPermitRelease,
    /// Every thread strategy: a panicking job is not caught and kills its
    /// worker.
    FragileWorker,
    /// The statistics: the pools' `completed` and the atomic counter are
    /// bumped with a load then a store, so two threads at once lose a count.
    RacyCounter,
    /// `elastic`: an idle worker whose time is up exits without looking
    /// for a job a submit has just handed it, stranding the job.
    StrandingExpiry,
    /// `closer` fan-in: the closer closes the channel once the first
    /// producer is done instead of waiting for every producer.
    EagerCloser,
    /// `snapshot` cache: a writer writes the map's slot without taking the
    /// writers' lock, so two writers can write one cell at once.
    UnlockedMapWrite,
    /// `fixed`/`dispatcher`: a submitter publishes its job with a plain
    /// store, so it never reads the mark of a worker that went to sleep
    /// waiting for that very job, which then sleeps with the job waiting.
    IgnoredWaitMark,
    /// `tokio-semaphore`: the permit goes back when the task is spawned,
    /// not when the job's future ends.
    EarlyTaskPermit,
    /// `tokio-workers`/`tokio-multiplex`: closing the channel for a drain
    /// drops the jobs still buffered in it.
    LossyChannelClose,
    /// `tokio-mpsc`: an async send cancelled while it waits for room
    /// drops its item and reports success.
    LossyAsyncSend,
    /// `fixed`/`dispatcher`: a worker checks the queue, unlocks, and waits
    /// on the condition variable later, so a submit between the two wakes
    /// no one and the job waits while the worker sleeps.
    LostWakeUp,
    /// Every thread strategy and the tokio ones built on the same
    /// shutdown: a second, concurrent `shutdown` returns at once, before
    /// the first has joined the workers.
    SecondShutdownEarly,
}

impl Mutant {
    /// Every mutant.
    pub const ALL: [Mutant; 13] = [
        Mutant::LossyDrain,
        Mutant::EarlyPermitRelease,
        Mutant::FragileWorker,
        Mutant::RacyCounter,
        Mutant::StrandingExpiry,
        Mutant::EagerCloser,
        Mutant::UnlockedMapWrite,
        Mutant::IgnoredWaitMark,
        Mutant::EarlyTaskPermit,
        Mutant::LossyChannelClose,
        Mutant::LossyAsyncSend,
        Mutant::LostWakeUp,
        Mutant::SecondShutdownEarly,
    ];

    /// A short name, as the gate prints it.
    pub fn name(self) -> &'static str {
        match self {
            Mutant::LossyDrain => "lossy-drain",
            Mutant::EarlyPermitRelease => "early-permit-release",
            Mutant::FragileWorker => "fragile-worker",
            Mutant::RacyCounter => "racy-counter",
            Mutant::StrandingExpiry => "stranding-expiry",
            Mutant::EagerCloser => "eager-closer",
            Mutant::UnlockedMapWrite => "unlocked-map-write",
            Mutant::IgnoredWaitMark => "ignored-wait-mark",
            Mutant::EarlyTaskPermit => "early-task-permit",
            Mutant::LossyChannelClose => "lossy-channel-close",
            Mutant::LossyAsyncSend => "lossy-async-send",
            Mutant::LostWakeUp => "lost-wake-up",
            Mutant::SecondShutdownEarly => "second-shutdown-early",
        }
    }

    /// The bug class it stands for.
    pub fn bug(self) -> &'static str {
        match self {
            Mutant::LossyDrain => "shutdown cancels before draining and loses queued jobs",
            Mutant::EarlyPermitRelease => "a semaphore permit released before the job ends",
            Mutant::FragileWorker => "a worker that dies on a panic",
            Mutant::RacyCounter => "a counter incremented with load-then-store",
            Mutant::StrandingExpiry => {
                "an elastic pool whose expiry races a submit and strands the job"
            }
            Mutant::EagerCloser => "a closer that does not wait for every producer",
            Mutant::UnlockedMapWrite => "a map written without its lock",
            Mutant::IgnoredWaitMark => "a worker asleep on a job its publisher never wakes it for",
            Mutant::EarlyTaskPermit => {
                "a tokio-semaphore permit released before the job's future completes"
            }
            Mutant::LossyChannelClose => {
                "a tokio-workers shutdown that drops the jobs buffered in its channel"
            }
            Mutant::LossyAsyncSend => "an async fan-in send that loses its item when cancelled",
            Mutant::LostWakeUp => "a worker that unlocks between checking the queue and waiting",
            Mutant::SecondShutdownEarly => {
                "a second, concurrent shutdown that returns before the workers are joined"
            }
        }
    }

    /// The strategies whose code it edits, by the names scenario files and
    /// the checks' models use: a mutant gate looks at their models first.
    /// Empty for a shared part every strategy runs (the job runner, the
    /// counters, the shutdown sequence).
    pub fn strategies(self) -> &'static [&'static str] {
        match self {
            Mutant::LossyDrain | Mutant::LostWakeUp => &["fixed", "dispatcher"],
            Mutant::EarlyPermitRelease => &["semaphore"],
            Mutant::FragileWorker | Mutant::RacyCounter | Mutant::SecondShutdownEarly => &[],
            Mutant::StrandingExpiry => &["elastic-queued", "elastic"],
            Mutant::EagerCloser => &["closer"],
            Mutant::UnlockedMapWrite => &["snapshot"],
            Mutant::IgnoredWaitMark => &["fixed", "dispatcher"],
            Mutant::EarlyTaskPermit => &["tokio-semaphore"],
            Mutant::LossyChannelClose => &["tokio-workers", "tokio-multiplex"],
            Mutant::LossyAsyncSend => &["tokio-mpsc"],
        }
    }

    /// Whether a check named `name` ("fixed: submit racing drain",
    /// "snapshot cache") is of one of [`Mutant::strategies`].
    pub fn is_home_of(self, name: &str) -> bool {
        self.strategies().iter().any(|strategy| {
            name.strip_prefix(strategy)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', ' ']))
        })
    }

    fn index(self) -> usize {
        Mutant::ALL
            .iter()
            .position(|mutant| *mutant == self)
            .expect("every mutant is in ALL")
            + 1
    }
}

impl fmt::Display for Mutant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which mutant is on: 0 for none, else its index in [`Mutant::ALL`] + 1.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);
/// Held while a mutant is on, so two cannot overlap.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Keeps a mutant switched on; dropping it switches the mutant off.
#[derive(Debug)]
pub struct ActiveMutant {
    mutant: Mutant,
    _turn: MutexGuard<'static, ()>,
}

impl ActiveMutant {
    /// The mutant switched on.
    pub fn mutant(&self) -> Mutant {
        self.mutant
    }
}

impl Drop for ActiveMutant {
    fn drop(&mut self) {
        ACTIVE.store(0, Ordering::SeqCst);
    }
}

/// Switches `mutant` on for the whole process until the guard drops,
/// waiting for any other active mutant to be switched off first.
pub fn activate(mutant: Mutant) -> ActiveMutant {
    let turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    ACTIVE.store(mutant.index(), Ordering::SeqCst);
    ActiveMutant {
        mutant,
        _turn: turn,
    }
}

/// Whether any mutant is switched on now.
pub fn any_active() -> bool {
    ACTIVE.load(Ordering::Relaxed) != 0
}

/// Whether `mutant` is switched on now.
pub fn is_active(mutant: Mutant) -> bool {
    ACTIVE.load(Ordering::Relaxed) == mutant.index()
}
