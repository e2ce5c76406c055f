//! The strategies every generic pool test runs against.

use contend_strategies::pool::{build, Executor, PoolConfig};

/// A strategy under test: its name and what it promises.
#[derive(Clone, Copy, Debug)]
pub struct StrategyCase {
    /// The name it is built by.
    pub name: &'static str,
    /// Whether it bounds concurrency to `PoolConfig::workers`.
    pub bounded: bool,
    /// Whether accepted jobs can wait unstarted (and so be handed back).
    pub queues: bool,
    /// Whether a job runs on the submitter's thread.
    pub runs_on_caller: bool,
}

impl StrategyCase {
    /// Builds it with `config`.
    pub fn build(&self, config: PoolConfig) -> Box<dyn Executor> {
        build(self.name, config).unwrap_or_else(|error| panic!("{}: {error}", self.name))
    }
}

/// Every strategy built on OS threads.
pub fn thread_strategies() -> Vec<StrategyCase> {
    let case = |name, bounded, queues| StrategyCase {
        name,
        bounded,
        queues,
        runs_on_caller: false,
    };
    vec![
        StrategyCase {
            runs_on_caller: true,
            ..case("serial", true, false)
        },
        case("unbounded", false, false),
        case("semaphore", true, false),
        case("fixed", true, true),
        case("dispatcher", true, true),
        case("elastic", true, false),
    ]
}
