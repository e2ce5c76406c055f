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

#[cfg(all(not(loom), feature = "shuttle"))]
pub mod awaiting;
pub mod cache;
pub mod counter;
pub mod crowded;
pub mod fanin;
pub mod pool;
#[cfg(all(not(loom), feature = "builtins"))]
pub mod tokio;

/// Models whose executor refused the configuration they asked for, by
/// name. Kept in `std` (not the checker's view): a refusal is a fact
/// about the subject, the same in every execution.
static REFUSED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Notes that the model `name` found its configuration refused.
pub fn note_refused(name: &str) {
    let mut refused = REFUSED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !refused.iter().any(|seen| seen == name) {
        refused.push(name.to_owned());
    }
}

/// Whether the model `name` found its configuration refused: the
/// checkers then report it as skipped, never as held.
pub fn was_refused(name: &str) -> bool {
    REFUSED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .any(|seen| seen == name)
}

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
    report_blocked_waits_on_deadlock();
    let explored = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&explored);
    let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        builder().check(move || {
            counter.fetch_add(1, Ordering::Relaxed);
            contend_strategies::sync::waits::reset();
            model();
        })
    }));
    if let Err(failure) = checked {
        let only = format!("CONTEND_LOOM_ONLY=\"{name}\" ");
        println!(
            "contend-gate: loom {name}: FAILED after {} interleavings; the message above names \
             the broken invariant. Replay the failing interleaving with its trace:\n    \
             LOOM_LOG=trace LOOM_LOCATION=1 LOOM_CHECKPOINT_INTERVAL=1 \
             LOOM_CHECKPOINT_FILE=loom-failure.json {}",
            explored.load(Ordering::Relaxed),
            crate::support::rerun_command(&only, "--cfg loom")
        );
        std::panic::resume_unwind(failure);
    }
    let explored = explored.load(Ordering::Relaxed);
    if was_refused(name) {
        println!(
            "contend-gate: loom {name}: skipped: the executor refused the model's configuration"
        );
        return 0;
    }
    println!("contend-gate: loom {name}: {explored} interleavings");
    explored
}

/// How a child names the waits its threads were blocked in.
#[cfg(loom)]
const BLOCKED: &str = "blocked at the failure: ";

/// Installs, once, a panic hook that prints each blocked thread's wait
/// (see `contend_strategies::sync::waits`) when loom reports a deadlock,
/// before anything else: loom's deadlock panic can abort the process
/// while it unwinds, and the parent reads the line from the child's
/// output.
#[cfg(loom)]
fn report_blocked_waits_on_deadlock() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let said = crate::watchdog::panic_message(info.payload());
            if said.starts_with("deadlock") {
                if let Some(waits) = contend_strategies::sync::waits::blocked() {
                    let name = std::env::var(CHILD).unwrap_or_default();
                    println!("contend-gate: loom {name}: {BLOCKED}{waits}");
                    use std::io::Write;
                    let _ = std::io::stdout().flush();
                }
            }
            previous(info);
        }));
    });
}

#[cfg(loom)]
/// Set in a child process to the one model it explores.
const CHILD: &str = "CONTEND_LOOM_CHILD";

/// Explores every model of `suite`, each in a child process of its own
/// (this test binary, run again with [`CHILD`] naming the model), then
/// prints the suite's totals and fails naming every model that failed.
/// A model loom finds deadlocked can take its process down with it (the
/// pool's threads abort as loom's panic unwinds them): in a child, that
/// is one failed model, and the others still run. With
/// `CONTEND_LOOM_ONLY=text` set, only the models whose name contains
/// `text` (say `CONTEND_LOOM_ONLY="dispatcher: cancel"`), to study one.
#[cfg(loom)]
pub fn explore_suite(family: &str, suite: Vec<NamedModel>) {
    explore_suite_within(family, suite, crate::watchdog::loom_watchdog());
}

/// [`explore_suite`] with the watchdog's limit on each model's
/// exploration set to `limit`: a child still exploring when it passes is
/// killed, and the model fails as hung.
#[cfg(loom)]
pub fn explore_suite_within(family: &str, suite: Vec<NamedModel>, limit: std::time::Duration) {
    if let Ok(name) = std::env::var(CHILD) {
        for named in suite.into_iter().filter(|named| named.name == name) {
            explore(&named.name, named.model);
        }
        return;
    }
    let only = std::env::var("CONTEND_LOOM_ONLY").unwrap_or_default();
    let names: Vec<String> = suite
        .into_iter()
        .map(|named| named.name)
        .filter(|name| name.contains(&only))
        .collect();
    // Each child explores on one core: `CONTEND_LOOM_JOBS` of them at
    // once (default: one per core), each model's report printed whole.
    // Read here: the children are started from threads of their own.
    let test = calling_test();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let outcomes: std::sync::Mutex<Vec<(usize, Result<usize, String>)>> =
        std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..loom_jobs().min(names.len().max(1)) {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(name) = names.get(index) else { break };
                let outcome = explore_in_child(name, test.as_deref(), limit);
                if let Err(why) = &outcome {
                    let _whole = PRINTING
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    println!("contend-gate: loom {name}: FAILED: {why}");
                }
                outcomes
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push((index, outcome));
            });
        }
    });
    let mut outcomes = outcomes
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    outcomes.sort_by_key(|(index, _)| *index);
    let (mut interleavings, mut failed) = (0, Vec::new());
    for (index, outcome) in outcomes {
        match outcome {
            Ok(explored) => interleavings += explored,
            Err(why) => failed.push(format!("{}: {why}", names[index])),
        }
    }
    println!(
        "contend-gate: loom {family} suite: {} models, {interleavings} interleavings",
        names.len()
    );
    assert!(
        failed.is_empty(),
        "{} of {} {family} models failed under loom:\n{}",
        failed.len(),
        names.len(),
        failed.join("\n")
    );
}

/// How many child processes explore at once: `CONTEND_LOOM_JOBS` if set,
/// else one per core.
#[cfg(loom)]
pub fn loom_jobs() -> usize {
    std::env::var("CONTEND_LOOM_JOBS")
        .ok()
        .and_then(|jobs| jobs.parse().ok())
        .filter(|jobs: &usize| *jobs > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |cores| cores.get()))
}

/// Held while one child's report is printed, so reports never interleave.
#[cfg(loom)]
static PRINTING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs this test binary again to explore the model `name` alone, passes
/// its output on, and returns the interleavings it explored, or why it
/// failed (its last words, or the signal that ended it).
#[cfg(loom)]
fn explore_in_child(
    name: &str,
    test: Option<&str>,
    limit: std::time::Duration,
) -> Result<usize, String> {
    use std::process::Command;

    let exe =
        std::env::current_exe().map_err(|error| format!("cannot find the test binary: {error}"))?;
    let mut child = Command::new(exe);
    child.args(["--nocapture", "--test-threads=1"]);
    // The child runs only the test that called the suite (libtest names
    // each test's thread after it): a test file that holds other tests
    // than `explore_suite` calls does not run them once per model.
    if let Some(test) = test {
        child.args(["--exact", test]);
    }
    child.env(CHILD, name);
    let output = crate::watchdog::output_within(&mut child, limit)?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let _whole = PRINTING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if output.status.success() {
        // Its gate lines; the test harness's own lines stay in the child.
        for line in stdout.lines() {
            if let Some(at) = line.find("contend-gate:") {
                println!("{}", &line[at..]);
            }
        }
    } else {
        print!("{stdout}");
    }
    let explored = stdout
        .lines()
        .filter_map(|line| line.split(&format!("contend-gate: loom {name}: ")).nth(1))
        .find_map(|rest| rest.strip_suffix(" interleavings")?.parse().ok());
    let skipped = stdout.contains(&format!("contend-gate: loom {name}: skipped"));
    match (output.status.success(), explored) {
        (true, Some(explored)) => Ok(explored),
        (true, None) if skipped => Ok(0),
        (true, None) => Err("the child explored nothing (no model of that name)".to_owned()),
        (false, _) => {
            eprint!("{stderr}");
            let mut said = last_words(&stderr);
            // A deadlock: where each thread was blocked, as the child saw.
            let blocked = format!("contend-gate: loom {name}: {BLOCKED}");
            if let Some(waits) = stdout.lines().find_map(|line| line.split(&blocked).nth(1)) {
                said = format!("{said}; blocked: {waits}");
            }
            Err(match signal(&output.status) {
                Some(signal) => format!(
                    "aborted by signal {signal} (a deadlock, or a panic while unwinding): {said}"
                ),
                None => said,
            })
        }
    }
}

/// The name of the test running on this thread, as libtest names its
/// threads; `None` on the main thread (a test run with
/// `--test-threads=1` on a libtest that does not spawn) or outside
/// libtest.
#[cfg(loom)]
fn calling_test() -> Option<String> {
    std::thread::current()
        .name()
        .filter(|name| *name != "main")
        .map(str::to_owned)
}

/// What a failed child said of its failure: the message of its first
/// panic (the line after "panicked at …", with the place), else the last
/// thing it wrote (an abort's words), never nothing.
#[cfg(loom)]
pub(crate) fn last_words(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    if let Some(at) = lines.iter().position(|line| line.contains("panicked at")) {
        let place = lines[at]
            .split("panicked at ")
            .nth(1)
            .map(|place| place.trim_end_matches(':').trim().to_owned())
            .unwrap_or_default();
        let message = lines
            .get(at + 1)
            .map(|line| line.trim())
            .filter(|line| !line.is_empty() && !line.starts_with("note:"))
            .unwrap_or("a panic without a message");
        return match place.is_empty() {
            true => message.to_owned(),
            false => format!("{message} (at {place})"),
        };
    }
    lines
        .iter()
        .rev()
        .map(|line| line.trim())
        .find(|line| !line.is_empty() && !line.starts_with("note:"))
        .map(|line| format!("no panic message; its last words: {line}"))
        .unwrap_or_else(|| "it wrote nothing to stderr".to_owned())
}

#[cfg(loom)]
fn signal(status: &std::process::ExitStatus) -> Option<i32> {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        status.signal()
    }
    #[cfg(not(unix))]
    {
        let _ = status;
        None
    }
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
            | Mutant::IgnoredWaitMark
            | Mutant::LostWakeUp
            | Mutant::SecondShutdownEarly => Family::Pool,
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
            #[cfg(all(not(loom), feature = "builtins"))]
            Family::Tokio => tokio::suite(),
            #[cfg(any(loom, not(feature = "builtins")))]
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

/// Every model, in the order a mutant gate looks for `mutant`'s failure:
/// the models of the strategies it edits, then the rest of its family's,
/// then the other families'.
#[cfg(feature = "mutants")]
pub fn suites_for(mutant: contend_strategies::mutants::Mutant) -> Vec<NamedModel> {
    let (mut models, others): (Vec<NamedModel>, Vec<NamedModel>) =
        all_suites_from(Family::home_of(mutant))
            .into_iter()
            .partition(|model| mutant.is_home_of(&model.name));
    models.extend(others);
    models
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
