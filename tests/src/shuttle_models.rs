//! The models of [`crate::loom_models`] under shuttle: sampled schedules
//! where loom enumerates interleavings, so models too large for loom
//! (more threads, more steps) still get a probabilistic guarantee.
//!
//! Each model runs under three schedulers, in this order:
//!
//! - PCT of depth 2 and PCT of depth 3: with `n` threads and `k` steps, one
//!   run finds a bug that needs `d` ordering constraints with probability
//!   at least `1 / (n * k^(d - 1))`;
//! - the random scheduler, for bugs no small depth describes.
//!
//! Shuttle treats every atomic ordering as `SeqCst` and does not check
//! `UnsafeCell` accesses: weak-memory bugs and cell races are loom's to
//! find. What shuttle adds is depth: it samples schedules of models loom
//! cannot enumerate.
//!
//! `CONTEND_SHUTTLE_SCHEDULES` sets the schedules of each scheduler per
//! model (default [`DEFAULT_SCHEDULES`]), as `PROPTEST_CASES` and
//! `LOOM_MAX_PREEMPTIONS` do for the other checkers. Each model prints the
//! schedules it ran on a `contend-gate:` line. A failing schedule is kept
//! in [`failures_dir`] (your target folder's `contend-failures/shuttle/`,
//! or `CONTEND_FAILURES_DIR`) and the failure prints the command that
//! replays it (`CONTEND_SHUTTLE_REPLAY=file`, with
//! `CONTEND_SHUTTLE_ONLY=model` to run just that model).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use shuttle::scheduler::{PctScheduler, RandomScheduler, ReplayScheduler, Scheduler};
use shuttle::{Config, FailurePersistence, Runner};

use crate::loom_models::{Model, NamedModel};

/// Schedules per scheduler and model when `CONTEND_SHUTTLE_SCHEDULES` is
/// not set: the whole shuttle suite then runs in seconds on 2 cores.
pub const DEFAULT_SCHEDULES: usize = 1000;

/// Where failing schedules are written: `CONTEND_FAILURES_DIR/shuttle` if
/// set, else `contend-failures/shuttle` in the target folder of the test
/// binary running the check (read off its path,
/// `<target>/<profile>/deps/<test>-<hash>`): your crate's `target/`, not
/// contend-tests' folder, which for a registry dependency lies inside
/// cargo's registry.
pub fn failures_dir() -> PathBuf {
    crate::support::failures_dir().join("shuttle")
}

/// shuttle's panic hook persists the schedule of the first panic of every
/// execution, caught or not, and prints it: a job panicking on purpose
/// (caught by its worker, which is what the model checks) would write a
/// file and two lines per schedule. So shuttle's hook is installed first
/// (by a one-schedule run), [`crate::quiet_expected_panics`] on top of
/// it, which keeps those panics from reaching it, and on top of both the
/// hook that records a check's first real panic ([`FIRST_PANIC`]) while
/// the check runs on this thread, silently: the failure is reported with
/// its message and the schedule that replays it. Installed once, never
/// swapped per check, so that checks running side by side on cargo's test
/// threads keep each other's hooks and messages.
fn install_panic_hooks() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        shuttle::check_random(|| {}, 1);
        crate::quiet_expected_panics();
        let others = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let recorded = FIRST_PANIC.with(|first| {
                let mut first = first.borrow_mut();
                let Some(slot) = first.as_mut() else {
                    return false;
                };
                let expected =
                    info.payload().downcast_ref::<&str>() == Some(&crate::EXPECTED_PANIC);
                if !expected && slot.is_none() {
                    let said = message(info.payload()).lines().next().unwrap_or_default();
                    let at = info
                        .location()
                        .map(|l| format!(" ({}:{})", l.file(), l.line()));
                    *slot = Some(format!("{said}{}", at.unwrap_or_default()));
                }
                true
            });
            if !recorded {
                others(info);
            }
        }));
    });
}

/// The schedules each scheduler runs per model.
pub fn schedules() -> usize {
    std::env::var("CONTEND_SHUTTLE_SCHEDULES")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_SCHEDULES)
}

/// One of the schedulers a model runs under.
#[derive(Clone, Copy, Debug)]
enum Sampler {
    Pct(usize),
    Random,
}

impl Sampler {
    const ALL: [Sampler; 3] = [Sampler::Pct(2), Sampler::Pct(3), Sampler::Random];

    fn name(self) -> String {
        match self {
            Sampler::Pct(depth) => format!("pct depth {depth}"),
            Sampler::Random => "random".to_owned(),
        }
    }
}

fn config(failures: &Path) -> Config {
    let mut config = Config::new();
    // The pools' code runs deeper than shuttle's default 32 KiB stacks.
    config.stack_size = 1 << 20;
    // Its warning that every ordering is treated as SeqCst: said once in
    // the module docs instead of once per run.
    config.silence_warnings = true;
    config.failure_persistence = FailurePersistence::File(Some(failures.to_path_buf()));
    config
}

fn run(scheduler: impl Scheduler + 'static, failures: &Path, model: Arc<Model>) {
    Runner::new(scheduler, config(failures)).run(move || model());
}

/// What became of one model.
#[derive(Debug)]
pub enum Outcome {
    /// Every schedule held: how many ran.
    Held(usize),
    /// A schedule broke an invariant, deadlocked or ran away.
    Failed {
        /// The scheduler that found it.
        scheduler: String,
        /// What the model said (its first line).
        message: String,
        /// The file holding the failing schedule, if shuttle wrote one.
        schedule: Option<PathBuf>,
    },
}

/// Runs `model` under every scheduler, `schedules` schedules each, and
/// stops at the first failure. Panics inside the model are caught: a
/// failure is an [`Outcome`], never an abort of the test process.
pub fn check(model: Model, schedules: usize) -> Outcome {
    install_panic_hooks();
    let ran = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&ran);
    let model: Arc<Model> = Arc::new(Box::new(move || {
        counted.fetch_add(1, Ordering::Relaxed);
        contend_strategies::sync::waits::reset();
        model();
    }));
    let failures = this_tests_failures();
    let _ = std::fs::create_dir_all(&failures);
    for sampler in Sampler::ALL {
        let model = Arc::clone(&model);
        // Silent while it runs: a failure is reported below, with its
        // message and the schedule that replays it, and shuttle still
        // persists the schedule when it catches the panic.
        FIRST_PANIC.with(|first| *first.borrow_mut() = Some(None));
        let before = schedule_files(&failures);
        let outcome = catch_unwind(AssertUnwindSafe(|| match sampler {
            Sampler::Pct(depth) => run(PctScheduler::new(depth, schedules), &failures, model),
            Sampler::Random => run(RandomScheduler::new(schedules), &failures, model),
        }));
        let invariant = FIRST_PANIC.with(|first| first.borrow_mut().take().flatten());
        if let Err(payload) = outcome {
            let said = message(payload.as_ref());
            // shuttle's own message names the task and the schedule file;
            // the model's names the invariant.
            if said.contains(NO_CONCURRENCY) {
                // PCT refuses a model that starts no thread (`serial`'s):
                // there is nothing to schedule, and the other schedulers
                // run it as it is.
                continue;
            }
            let mut message =
                invariant.unwrap_or_else(|| said.lines().next().unwrap_or_default().to_owned());
            if message.contains("deadlock") {
                if let Some(waits) = contend_strategies::sync::waits::blocked() {
                    message = format!("{message}; blocked: {waits}");
                }
            }
            return Outcome::Failed {
                scheduler: sampler.name(),
                message,
                // shuttle names the file on stderr, not in the panic's
                // message: the file is the one this run added.
                schedule: said
                    .lines()
                    .find_map(|line| line.split(PERSISTED).nth(1))
                    .map(|path| PathBuf::from(path.trim()))
                    .or_else(|| newest_added(&failures, &before)),
            };
        }
    }
    Outcome::Held(ran.load(Ordering::Relaxed))
}

/// The schedule files in `folder`, with their modification times.
fn schedule_files(folder: &Path) -> Vec<(PathBuf, std::time::SystemTime)> {
    std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| Some((entry.path(), entry.metadata().ok()?.modified().ok()?)))
        .collect()
}

/// The newest file in `folder` that was not in `before` (or was, older).
fn newest_added(folder: &Path, before: &[(PathBuf, std::time::SystemTime)]) -> Option<PathBuf> {
    schedule_files(folder)
        .into_iter()
        .filter(|(path, modified)| {
            !before
                .iter()
                .any(|(old, then)| old == path && then == modified)
        })
        .max_by_key(|(_, modified)| *modified)
        .map(|(path, _)| path)
}

/// Replays the schedule in `file` on `model` once; panics as the model
/// does.
pub fn replay(model: Model, file: &Path) {
    let scheduler = ReplayScheduler::new_from_file(file)
        .unwrap_or_else(|error| panic!("cannot read the schedule {}: {error}", file.display()));
    run(scheduler, &failures_dir(), Arc::new(model));
}

/// Runs every model of `suite` (or, with `CONTEND_SHUTTLE_ONLY=text`, the
/// ones whose name contains `text`), prints a gate line per model and
/// the suite's totals, and panics at the end naming every model that
/// failed, each with the command that replays it (in whichever crate runs
/// the suite, see [`crate::support::rerun_command`]).
pub fn explore_suite(family: &str, suite: Vec<NamedModel>) {
    explore_suite_within(family, suite, watchdog());
}

/// The limit on one model's schedules when none is given:
/// `CONTEND_SHUTTLE_WATCHDOG_SECS` if set, else 10 minutes. Shuttle fails
/// a schedule that spins (after a million steps) or deadlocks by itself;
/// the watchdog is for what it cannot see, a model blocked outside its
/// view (a `std` lock or channel inside the code under test).
pub fn watchdog() -> std::time::Duration {
    std::env::var("CONTEND_SHUTTLE_WATCHDOG_SECS")
        .ok()
        .and_then(|secs| secs.parse().ok())
        .map(std::time::Duration::from_secs_f64)
        .unwrap_or(std::time::Duration::from_secs(10 * 60))
}

/// [`explore_suite`] with the watchdog's limit on each model set to
/// `limit`: a model still running when it passes fails as hung (its
/// thread is left behind).
pub fn explore_suite_within(family: &str, suite: Vec<NamedModel>, limit: std::time::Duration) {
    let only = std::env::var("CONTEND_SHUTTLE_ONLY").unwrap_or_default();
    let suite: Vec<NamedModel> = suite
        .into_iter()
        .filter(|named| named.name.contains(&only))
        .collect();
    if let Ok(file) = std::env::var("CONTEND_SHUTTLE_REPLAY") {
        for named in suite {
            println!("contend-gate: shuttle {}: replaying {file}", named.name);
            replay(named.model, Path::new(&file));
        }
        return;
    }
    let schedules = schedules();
    let (models, mut total, mut failed) = (suite.len(), 0, Vec::new());
    for named in suite {
        let model = named.model;
        let outcome = crate::watchdog::guard(&named.name, limit, move |_| check(model, schedules))
            .unwrap_or_else(|hung| Outcome::Failed {
                scheduler: "the watchdog".to_owned(),
                message: hung,
                schedule: None,
            });
        match outcome {
            Outcome::Held(_) if crate::loom_models::was_refused(&named.name) => println!(
                "contend-gate: shuttle {}: skipped: the executor refused the model's configuration",
                named.name
            ),
            Outcome::Held(ran) => {
                total += ran;
                println!("contend-gate: shuttle {}: {ran} schedules", named.name);
            }
            Outcome::Failed {
                scheduler,
                message,
                schedule,
            } => {
                let replay = match &schedule {
                    Some(file) => crate::support::rerun_command(
                        &format!(
                            "CONTEND_SHUTTLE_REPLAY={} CONTEND_SHUTTLE_ONLY=\"{}\" ",
                            file.display(),
                            named.name
                        ),
                        "",
                    ),
                    None => "shuttle wrote no schedule (see its output above)".to_owned(),
                };
                println!(
                    "contend-gate: shuttle {}: FAILED under {scheduler}: {message}\n    replay: {replay}",
                    named.name
                );
                failed.push(format!(
                    "{} ({scheduler}): {message}\n    replay: {replay}",
                    named.name
                ));
            }
        }
    }
    println!("contend-gate: shuttle {family} suite: {models} models, {total} schedules");
    assert!(
        failed.is_empty(),
        "{} of {models} {family} models failed under shuttle:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// Runs a model expecting it to fail: `Some(what it said)` if a schedule
/// broke it. For the mutant gate.
pub fn failure(model: NamedModel, schedules: usize) -> Option<String> {
    match check(model.model, schedules) {
        Outcome::Held(_) => None,
        Outcome::Failed {
            scheduler, message, ..
        } => Some(format!("{scheduler}: {message}")),
    }
}

std::thread_local! {
    /// While a check runs on this thread, `Some`: its first unexpected
    /// panic, the model's own message, which names the invariant
    /// (shuttle's payload names only the task). Shuttle runs every task of
    /// an execution on the thread that explores it.
    static FIRST_PANIC: std::cell::RefCell<Option<Option<String>>> =
        const { std::cell::RefCell::new(None) };
}

/// The failures folder of the test running on this thread (named after
/// it): tests exploring side by side each find the schedule file they
/// wrote, never another's.
fn this_tests_failures() -> PathBuf {
    let thread = std::thread::current();
    let test: String = thread
        .name()
        .unwrap_or("main")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    failures_dir().join(test)
}

/// What shuttle's PCT says of a model that starts no thread.
const NO_CONCURRENCY: &str = "did not exercise any concurrency";

/// How shuttle's failure message names the file it wrote the schedule to.
const PERSISTED: &str = "failing schedule persisted to file: ";

fn message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("a failure without a message")
}
