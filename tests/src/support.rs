//! What the checks share: a small seeded random generator (so that a
//! failing stress round can be replayed from its seed), the number of
//! stress rounds, and a watchdog that turns a hang into a failure.

/// Stress rounds: `CONTEND_STRESS_ROUNDS` if set, else `default`.
pub fn stress_rounds(default: usize) -> usize {
    std::env::var("CONTEND_STRESS_ROUNDS")
        .ok()
        .and_then(|rounds| rounds.parse().ok())
        .unwrap_or(default)
}

/// Runs `check` on its own thread and returns its result; panics with its
/// own message (the invariant it broke, on whichever thread) if it
/// panicked, or, if it has not finished within the watchdog's limit
/// ([`crate::watchdog::default_limit`], `CONTEND_WATCHDOG_SECS`), with
/// `what` and the limit (the stuck thread is leaked).
pub fn within_deadline<R: Send + 'static>(
    what: &str,
    check: impl FnOnce() -> R + Send + 'static,
) -> R {
    crate::watchdog::within(what, crate::watchdog::default_limit(), move |_| check())
}

/// A seeded pseudo-random generator (splitmix64): reproducible rounds
/// without a dependency.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator for `seed`; equal seeds give equal sequences.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `range` (which must not be empty).
    pub fn below(&mut self, range: std::ops::Range<u64>) -> u64 {
        assert!(!range.is_empty(), "empty range");
        range.start + self.next_u64() % (range.end - range.start)
    }

    /// An index into a slice of `len` elements.
    pub fn index(&mut self, len: usize) -> usize {
        self.below(0..len as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.below(0..100) < percent
    }
}

/// Runs a fan-in or cache machine: `PROPTEST_CASES` cases of `cases`,
/// each through `run` with the limit it may take (the watchdog's, or a
/// short one for a hang's shrinking candidates, see
/// [`crate::watchdog::CaseLimit`]); the cases run, or the shrunk failure.
pub fn run_cases<S: proptest::strategy::Strategy>(
    cases: S,
    watchdog: std::time::Duration,
    run: impl Fn(&S::Value, std::time::Duration) -> Result<(), String>,
) -> Result<u32, proptest::test_runner::TestError<S::Value>> {
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    let config = Config {
        cases: proptest_cases(),
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let limit = crate::watchdog::CaseLimit::new(watchdog);
    runner
        .run(&cases, |case| {
            limit
                .run(|within| run(&case, within))
                .map_err(TestCaseError::fail)
        })
        .map(|()| runner.config().cases)
}

/// Property cases per variant: `PROPTEST_CASES` if set, else 256.
pub fn proptest_cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(256)
}

/// `T`'s path as a user writes it: `contend_strategies::<module>::Type`
/// for a type of that module (whatever private file defines it), without
/// generic arguments; for it to be pasted into a replay line.
pub fn public_path<T>(module: &str) -> String {
    let full = std::any::type_name::<T>();
    let path = full.split('<').next().unwrap_or(full);
    let prefix = format!("contend_strategies::{module}::");
    match path.strip_prefix(&prefix) {
        Some(inner) => format!("{prefix}{}", inner.rsplit("::").next().unwrap_or(inner)),
        None => path.to_owned(),
    }
}

/// Whether a check on real threads must skip because this build swaps
/// contend-strategies' sync facade to shuttle's types (feature
/// `shuttle`), whose locks exist only inside a shuttle schedule: it then
/// says so in one loud line and the caller returns having checked
/// nothing. Run the std checks without the feature and the shuttle
/// suite with it (`cargo test --features shuttle --test shuttle`), so no
/// test file needs a `cfg` of its own.
pub fn skipped_under_shuttle(check: &str) -> bool {
    let skipped = cfg!(feature = "shuttle");
    if skipped {
        println!(
            "SKIPPED: {check}: this build has the shuttle facade (feature `shuttle`), and the \
             check runs real threads: run it without the feature"
        );
    }
    skipped
}

/// Where the checks keep what replays a failure (shuttle's schedules):
/// `CONTEND_FAILURES_DIR` if set, else `contend-failures` in the target
/// folder of the running test binary (`<target>/<profile>/deps/<test>`),
/// else `contend-failures` in the current folder.
pub fn failures_dir() -> std::path::PathBuf {
    if let Some(dir) = std::env::var_os("CONTEND_FAILURES_DIR") {
        return dir.into();
    }
    let exe = std::env::current_exe().unwrap_or_default();
    let target = exe
        .parent()
        .filter(|deps| deps.file_name().is_some_and(|name| name == "deps"))
        .and_then(|deps| deps.parent())
        .and_then(|profile| profile.parent());
    match target {
        Some(target) => target.join("contend-failures"),
        None => std::path::PathBuf::from("contend-failures"),
    }
}

/// The command that runs this test binary again, for a replay line that
/// works in whichever crate runs the check (yours or contend's): `env`
/// first (variables, ending in a space), `rustflags` if the build needs
/// them (`--cfg loom`), then the package (cargo sets `CARGO_PKG_NAME`
/// for the tests it runs), the target folder and profile (read off the
/// binary's path, `<target>/<profile>/deps/<test>-<hash>`) and the test.
pub fn rerun_command(env: &str, rustflags: &str) -> String {
    let exe = std::env::current_exe().unwrap_or_default();
    let test = exe
        .file_stem()
        .and_then(|stem| stem.to_str())
        .map(|stem| {
            stem.rsplit_once('-')
                .map_or(stem, |(name, _hash)| name)
                .to_owned()
        })
        .unwrap_or_else(|| "<test>".to_owned());
    let profile_dir = exe.parent().and_then(|deps| deps.parent());
    let profile = profile_dir
        .and_then(|dir| dir.file_name())
        .and_then(|name| name.to_str())
        .unwrap_or("debug");
    let target = profile_dir.and_then(|dir| dir.parent());
    let profile_flag = match profile {
        "debug" => String::new(),
        "release" => " --release".to_owned(),
        other => format!(" --profile {other}"),
    };
    let package = std::env::var("CARGO_PKG_NAME").unwrap_or_else(|_| "<your package>".to_owned());
    let features = match package.as_str() {
        // contend's own shuttle suites need its feature; yours, your own.
        "contend-tests" if cfg!(feature = "shuttle") => " --features shuttle",
        _ => "",
    };
    let flags = match rustflags {
        "" => String::new(),
        flags => format!("RUSTFLAGS=\"{flags}\" "),
    };
    let target = target
        .map(|dir| format!("CARGO_TARGET_DIR={} ", dir.display()))
        .unwrap_or_default();
    format!(
        "{env}{flags}{target}cargo test -p {package}{profile_flag}{features} --test {test} -- --nocapture"
    )
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::public_path;

    #[test]
    fn the_rerun_command_names_this_package_profile_and_test() {
        let command = super::rerun_command("X=1 ", "--cfg loom");
        assert!(
            command.starts_with("X=1 RUSTFLAGS=\"--cfg loom\" CARGO_TARGET_DIR="),
            "{command}"
        );
        assert!(command.contains("cargo test -p contend-tests"), "{command}");
        // A unit-test binary is named after the library.
        assert!(
            command.contains("--test contend_tests -- --nocapture"),
            "{command}"
        );
    }

    #[test]
    fn a_type_s_public_path_drops_its_private_module_and_generics() {
        assert_eq!(
            public_path::<contend_strategies::cache::SnapshotCache<u64, u64>>("cache"),
            "contend_strategies::cache::SnapshotCache"
        );
        assert_eq!(
            public_path::<contend_strategies::fanin::Closer>("fanin"),
            "contend_strategies::fanin::Closer"
        );
        assert_eq!(public_path::<String>("cache"), "alloc::string::String");
    }
}

/// Prints a proptest machine's `contend-gate:` count line, which
/// `scripts/test-all` adds up, unless a mutant is switched on: a machine
/// run in search of a mutant checks the mutant, not the strategy, and
/// counts no cases.
pub fn proptest_gate_line(line: std::fmt::Arguments<'_>) {
    #[cfg(feature = "mutants")]
    if contend_strategies::mutants::any_active() {
        return;
    }
    println!("contend-gate: proptest {line}");
}
