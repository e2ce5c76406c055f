//! The proptest machines (pools, fan-ins, caches) against every mutant:
//! each mutant this suite is expected to catch must break an invariant of
//! some machine on some variant. A run that hangs (a dead worker never
//! drains) counts as caught once it has hung for `PATIENCE`.
#![cfg(all(not(loom), not(feature = "shuttle"), feature = "mutants"))]

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use contend_strategies::cache::{MutexCache, RwLockCache, SnapshotCache};
use contend_strategies::fanin::{Closer, DropClose};
use contend_tests::mutant_gate::{catch_every_mutant, Suite};
use contend_tests::{
    all_strategies, cache_machine, fanin_machine, pool_machine, PoolSubject, PATIENCE,
};

/// Runs one machine on its own thread; `Some(why)` when it failed or hung.
fn failure(
    what: String,
    machine: impl FnOnce() -> Result<u32, String> + Send + 'static,
) -> Option<String> {
    let (done, outcome) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(machine().err());
    });
    match outcome.recv_timeout(PATIENCE) {
        Ok(failure) => failure,
        Err(_) => Some(format!("{what}: hung for {PATIENCE:?}")),
    }
}

/// A machine run, not started yet: what it checks, and the run.
type Machine = (String, Box<dyn FnOnce() -> Result<u32, String> + Send>);

/// Every machine on every hand-written variant, in order, as lazy runs.
fn machines() -> Vec<Machine> {
    let mut all: Vec<Machine> = Vec::new();
    for promises in all_strategies() {
        all.push((
            promises.name.to_owned(),
            Box::new(move || {
                // The first failure is all the gate needs: no shrinking,
                // and a hang is conclusive after a few seconds.
                let subject = PoolSubject::builtin(promises.name).watchdog(Duration::from_secs(5));
                pool_machine::explore_with(&subject, contend_tests::support::proptest_cases(), 0)
            }),
        ));
    }
    all.push((
        "drop-close".into(),
        Box::new(|| fanin_machine::explore(DropClose)),
    ));
    all.push(("closer".into(), Box::new(|| fanin_machine::explore(Closer))));
    all.push((
        "mutex cache".into(),
        Box::new(|| cache_machine::explore(MutexCache::new)),
    ));
    all.push((
        "rwlock cache".into(),
        Box::new(|| cache_machine::explore(RwLockCache::new)),
    ));
    all.push((
        "snapshot cache".into(),
        Box::new(|| cache_machine::explore(SnapshotCache::new)),
    ));
    all
}

#[test]
fn the_proptest_suite_catches_every_mutant_it_should() {
    catch_every_mutant(Suite::Proptest, |mutant| {
        // Its own strategies' machines first, then the rest in order.
        let (mut machines, others): (Vec<Machine>, Vec<Machine>) = machines()
            .into_iter()
            .partition(|(what, _)| mutant.is_home_of(what));
        machines.extend(others);
        machines
            .into_iter()
            .find_map(|(what, machine)| failure(what, machine))
            .map(|why| why.lines().next().unwrap_or_default().to_owned())
    });
}
