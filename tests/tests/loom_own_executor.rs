//! The worked example's executor under the loom models: anything built on
//! `contend_strategies::sync` can be model-checked this way.
#![cfg(loom)]

mod common;

use contend_tests::loom_models::{explore_suite, pool as loom_models};

#[test]
fn a_user_executor_passes_the_loom_models() {
    explore_suite(
        "single-worker",
        loom_models::subject_suite(&common::single_worker::subject()),
    );
}
