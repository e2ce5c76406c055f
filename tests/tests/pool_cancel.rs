//! Cancellation and the batch helper (WaitGroup with a deadline), on
//! every built-in strategy: the library's cancel suite
//! (`contend_tests::pool_suites::cancel`), plus the batch on its own.
#![cfg(not(any(loom, feature = "shuttle")))]

use contend_strategies::pool::{Batch, Job};
use contend_tests::pool_suites;

mod support;

#[test]
fn the_cancel_suite_passes_on_every_built_in_strategy() {
    support::check_every_builtin(&pool_suites::cancel::SUITE);
}

/// No executor involved: a job the caller runs itself still reports.
#[test]
fn a_handed_back_job_run_by_the_caller_reports_to_its_batch() {
    let batch = Batch::new();
    let job: Job = batch.job(|| {});
    job.run();
    assert_eq!(batch.wait(None).finished, 1);
}
