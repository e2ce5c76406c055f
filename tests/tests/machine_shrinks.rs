//! The pool machine shrinks a bug that shows only now and then to its
//! smallest case: each candidate is tried several times while shrinking
//! (`pool_machine::SHRINK_TRIES`), so a candidate that passes by luck
//! does not stop the shrink at a long sequence.
#![cfg(not(any(loom, feature = "shuttle")))]

use std::sync::atomic::{AtomicUsize, Ordering};

use contend_strategies::pool::{
    Admission, Executor, Fixed, Job, PoolConfig, PoolStats, Rejected, ShutdownMode, ShutdownReport,
};
use contend_tests::{pool_machine, PoolSubject, StrategyCase};

/// `fixed`, except that about one accepted job in four is dropped unrun:
/// a bug a single submit shows, but only one run in four.
struct LosesSomeJobs {
    inner: Fixed,
}

impl Executor for LosesSomeJobs {
    fn name(&self) -> &'static str {
        "loses-some-jobs"
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        if one_in_four() {
            drop(job);
            return Ok(Admission::Accepted);
        }
        self.inner.submit(job)
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        self.inner.shutdown(mode)
    }

    fn stats(&self) -> PoolStats {
        self.inner.stats()
    }
}

#[test]
fn a_bug_that_shows_one_run_in_three_shrinks_to_a_single_submit() {
    let promises = StrategyCase {
        name: "loses-some-jobs",
        bounded: true,
        overload: true,
        queues: true,
        runs_on_caller: false,
        resizable: false,
    };
    let subject = PoolSubject::new(promises, |config: PoolConfig| {
        Box::new(LosesSomeJobs {
            inner: Fixed::new(config).expect("a valid configuration"),
        }) as Box<dyn Executor>
    })
    // A lost job also hangs a settle step until the watchdog: one second
    // bounds each such candidate while the case shrinks.
    .watchdog(std::time::Duration::from_secs(1));
    let failure = pool_machine::explore(&subject).expect_err("the machine must catch a lost job");
    assert!(
        failure.contains("minimal case (1 ops)"),
        "the shrink stopped early: {failure}"
    );
    assert!(
        failure.contains("pool_machine::replay(&your_subject"),
        "a user's executor gets a replay line for its own subject: {failure}"
    );
}

/// True about one call in four: a counter mixed with the clock, so that
/// which run of a case fails changes from run to run.
fn one_in_four() -> bool {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|since| since.subsec_nanos() as usize)
        .unwrap_or_default();
    let mixed = (CALLS.fetch_add(1, Ordering::SeqCst) ^ (nanos >> 6)).wrapping_mul(0x9E37_79B9);
    (mixed >> 13) % 4 == 0
}
