//! The adapters around rayon, threadpool and tokio's blocking pool under
//! contend's own checks, as a user's executor would be: the proptest pool
//! machine and the pool suites, so their books are shown honest by the
//! same invariants as the built-in strategies' (every accepted job run,
//! cancelled or handed back once; the stats adding up; both of two
//! concurrent shutdowns returning with nothing running).

use contend::catalog::Catalog;
use contend_tests::{pool_machine, pool_suites, PoolSubject, StrategyCase};

/// An adapter as a subject: no bound (the libraries queue without
/// limit). Not `queues` in the checks' sense: a job waiting in the
/// library's queue cannot be taken back, so a drain whose deadline passes
/// cannot hand it back at once (it comes back to a later call, once the
/// library reaches it), and the checks that expect it at once do not
/// apply; the machine still checks that it comes back, once.
fn adapter(name: &'static str) -> PoolSubject {
    let promises = StrategyCase {
        name,
        bounded: false,
        overload: false,
        queues: false,
        runs_on_caller: false,
        resizable: false,
    };
    PoolSubject::refusing(promises, move |config| {
        Catalog::standard().build(name, config).ok()
    })
}

#[test]
fn every_adapter_survives_the_pool_state_machine() {
    for name in ["rayon", "threadpool", "tokio-spawn-blocking"] {
        let cases = pool_machine::check(&adapter(name));
        assert!(cases > 0, "{name}: no case ran");
    }
}

#[test]
fn every_adapter_passes_the_pool_suites() {
    for name in ["rayon", "threadpool", "tokio-spawn-blocking"] {
        let report = pool_suites::check_all(&adapter(name));
        assert!(
            report.passed().len() >= 8,
            "{name}: too little was checked: {report}"
        );
    }
}
