//! What each suite is expected to catch, and how a suite reports a
//! mutant: one `contend-gate:` line per mutant that `scripts/test-all`
//! adds up into `caught N of N mutants`.

use contend_strategies::mutants::{self, Mutant};

/// A suite that runs against the mutants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suite {
    /// The loom models (`tests/loom_*.rs`).
    Loom,
    /// The proptest state machines (`tests/prop_*.rs`).
    Proptest,
    /// The same models as loom's, under shuttle (`tests/shuttle_*.rs`).
    Shuttle,
}

impl Suite {
    /// The suite's name in the gate's lines.
    pub fn name(self) -> &'static str {
        match self {
            Suite::Loom => "loom",
            Suite::Proptest => "proptest",
            Suite::Shuttle => "shuttle",
        }
    }
}

/// Whether `suite` is expected to catch `mutant`. Every mutant is expected
/// by at least one suite; a mutant a suite is expected to catch and does
/// not fails that suite's test.
pub fn expected(mutant: Mutant, suite: Suite) -> bool {
    match suite {
        // Every pool mutant is a wrong interleaving or a lost count, which
        // the models reach deterministically.
        // Tokio does not build under loom: the async mutants are shuttle's.
        Suite::Loom => !is_async(mutant),
        // The same models, sampled: every mutant breaks one of them on
        // schedules PCT reaches at depth 2. (Shuttle does not check cells
        // for data races; the unlocked map write shows as a lost write.)
        Suite::Shuttle => true,
        // Real threads catch what a run shows often enough: a lost count
        // (bursts make workers finish at once), a lost wake-up (a settle
        // step waits for progress with the pool open), a second shutdown
        // that returns early (each call is checked as it returns). Bugs
        // that need one exact instant (an expiry at the moment of a
        // hand-off, a publisher's store racing a sleeper's mark, two
        // writers in one cell) stay loom's and shuttle's.
        Suite::Proptest => matches!(
            mutant,
            Mutant::LossyDrain
                | Mutant::EarlyPermitRelease
                | Mutant::FragileWorker
                | Mutant::RacyCounter
                | Mutant::EagerCloser
                | Mutant::EarlyTaskPermit
                | Mutant::LossyChannelClose
                | Mutant::LostWakeUp
                | Mutant::SecondShutdownEarly
        ),
    }
}

/// Whether `mutant` lives in the tokio strategies or `tokio-mpsc`.
pub fn is_async(mutant: Mutant) -> bool {
    matches!(
        mutant,
        Mutant::EarlyTaskPermit | Mutant::LossyChannelClose | Mutant::LossyAsyncSend
    )
}

/// Prints the gate line for one mutant and one suite. `caught_by` names
/// the check that failed, if any.
pub fn report(mutant: Mutant, suite: Suite, caught_by: Option<&str>) {
    match caught_by {
        Some(check) => println!(
            "contend-gate: mutant {mutant}: caught by {} ({check})",
            suite.name()
        ),
        None => println!("contend-gate: mutant {mutant}: survived {}", suite.name()),
    }
}

/// Runs `suite` against every mutant, each switched on in turn: `caught_by`
/// says which check failed (or `None`). Prints a gate line per mutant and
/// panics naming every mutant the suite was expected to catch and did not.
///
/// A mutant the suite is not expected to catch is not looked for: looking
/// would run the whole suite for a verdict that fails nothing. Its line
/// says so.
pub fn catch_every_mutant(suite: Suite, caught_by: impl Fn(Mutant) -> Option<String>) {
    let verdicts: Vec<(Mutant, Option<String>)> = looked_for(suite)
        .into_iter()
        .map(|mutant| {
            let _on = mutants::activate(mutant);
            (mutant, caught_by(mutant))
        })
        .collect();
    judge(suite, verdicts);
}

/// [`catch_every_mutant`] for a `caught_by` that looks in a child process
/// of its own (which activates the mutant there): `jobs` mutants are
/// looked for at once, since each child keeps one core busy, and the
/// verdicts are reported in the usual order.
pub fn catch_every_mutant_in_children(
    suite: Suite,
    jobs: usize,
    caught_by: impl Fn(Mutant) -> Option<String> + Sync,
) {
    let wanted = looked_for(suite);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let found = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&mutant) = wanted.get(index) else {
                    break;
                };
                let caught = caught_by(mutant);
                found
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push((index, mutant, caught));
            });
        }
    });
    let mut found = found
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    found.sort_by_key(|(index, _, _)| *index);
    judge(
        suite,
        found
            .into_iter()
            .map(|(_, mutant, caught)| (mutant, caught))
            .collect(),
    );
}

/// The mutants `suite` is expected to catch, in order; prints a line for
/// each of the others, which are not looked for.
fn looked_for(suite: Suite) -> Vec<Mutant> {
    let (wanted, others): (Vec<Mutant>, Vec<Mutant>) = Mutant::ALL
        .into_iter()
        .partition(|&mutant| expected(mutant, suite));
    for mutant in others {
        println!(
            "contend-gate: mutant {mutant}: not looked for by {} (not expected to catch it)",
            suite.name()
        );
    }
    wanted
}

/// Reports each mutant's verdict and fails naming the survivors.
fn judge(suite: Suite, verdicts: Vec<(Mutant, Option<String>)>) {
    let mut survivors = Vec::new();
    for (mutant, caught) in verdicts {
        report(mutant, suite, caught.as_deref());
        if caught.is_none() && expected(mutant, suite) {
            survivors.push(format!("{mutant} ({})", mutant.bug()));
        }
    }
    assert!(
        survivors.is_empty(),
        "mutants the {} suite missed: {survivors:?}",
        suite.name()
    );
}
