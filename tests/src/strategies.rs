//! The strategies every generic pool test runs against.

use contend_strategies::pool::{build, Executor, PoolConfig};

/// A strategy under test: its name and what it promises.
#[derive(Clone, Copy, Debug)]
pub struct StrategyCase {
    /// The name it is built by.
    pub name: &'static str,
    /// Whether it bounds concurrency to `PoolConfig::workers`.
    pub bounded: bool,
    /// Whether a submit can meet that bound (a full queue, no free
    /// permit), so that the overload policy decides what happens: the
    /// policy checks apply. An executor with a bounded number of workers
    /// behind an unbounded queue is `bounded` but not `overload`.
    pub overload: bool,
    /// Whether accepted jobs can wait unstarted (and so be handed back).
    pub queues: bool,
    /// Whether a job runs on the submitter's thread.
    pub runs_on_caller: bool,
    /// Whether `resize` works.
    pub resizable: bool,
}

impl StrategyCase {
    /// The built-in strategy called `name`.
    pub fn named(name: &str) -> StrategyCase {
        thread_strategies()
            .into_iter()
            .chain(tokio_strategies())
            .find(|case| case.name == name)
            .unwrap_or_else(|| panic!("no built-in strategy called {name}"))
    }

    /// Builds it with `config`. Tokio strategies get a runtime thread per
    /// job a test may hold blocked at once (16), as goroutines blocked in
    /// a system call each hold an OS thread.
    pub fn build(&self, config: PoolConfig) -> Box<dyn Executor> {
        let config = if self.name.starts_with("tokio") {
            config.runtime_threads(16)
        } else {
            config
        };
        build(self.name, config).unwrap_or_else(|error| panic!("{}: {error}", self.name))
    }
}

/// Every strategy built on OS threads.
pub fn thread_strategies() -> Vec<StrategyCase> {
    let case = |name, bounded, queues| StrategyCase {
        name,
        bounded,
        overload: bounded,
        queues,
        runs_on_caller: false,
        resizable: false,
    };
    vec![
        StrategyCase {
            runs_on_caller: true,
            overload: false,
            ..case("serial", true, false)
        },
        case("unbounded", false, false),
        case("semaphore", true, false),
        case("fixed", true, true),
        case("dispatcher", true, true),
        StrategyCase {
            resizable: true,
            ..case("elastic", true, true)
        },
    ]
}

/// Every strategy built on tokio tasks.
pub fn tokio_strategies() -> Vec<StrategyCase> {
    let case = |name, bounded, queues| StrategyCase {
        name,
        bounded,
        overload: bounded,
        queues,
        runs_on_caller: false,
        resizable: false,
    };
    vec![
        case("tokio-spawn", false, false),
        case("tokio-semaphore", true, false),
        case("tokio-workers", true, true),
        case("tokio-multiplex", true, true),
        case("tokio-raw", true, false),
    ]
}

/// Every built-in strategy: threads, then tokio tasks.
pub fn all_strategies() -> Vec<StrategyCase> {
    let mut all = thread_strategies();
    all.extend(tokio_strategies());
    all
}

/// Whether `name` is a built-in strategy's.
pub fn is_builtin(name: &str) -> bool {
    all_strategies().iter().any(|case| case.name == name)
}
