//! The proptest machine for caches, in two phases per case:
//! - one thread applies a random sequence of get, get-many, insert,
//!   remove and refresh (replace or merge) to the cache and to a
//!   `HashMap`, and every answer must match the map's;
//! - then a writer refreshes a fixed key set to version 1, 2, … while
//!   readers read the set with `get_many`: a key never vanishes or goes
//!   back to an older version, and in a cache that promises untorn
//!   refreshes ([`Cache::atomic_refresh`]) one read never mixes versions.
//!
//! A failure shrinks to a minimal case, printed as a line of Rust to paste
//! into a regression test (see [`replay`]).

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

use contend_strategies::cache::{Cache, RefreshMode};
use proptest::prelude::*;
use proptest::test_runner::TestError;

/// One operation of the sequential phase, on keys 0 to 7.
#[derive(Clone, PartialEq, Eq)]
pub enum Op {
    /// `get(key)`.
    Get(u64),
    /// `get_many` of these keys.
    GetMany(Vec<u64>),
    /// `insert(key, value)`.
    Insert(u64, u64),
    /// `remove(key)`.
    Remove(u64),
    /// `refresh(batch, Replace)`.
    Replace(Vec<(u64, u64)>),
    /// `refresh(batch, Merge)`.
    Merge(Vec<(u64, u64)>),
}

/// One generated case.
#[derive(Clone, PartialEq, Eq)]
pub struct Case {
    /// The sequential phase.
    pub ops: Vec<Op>,
    /// Refreshes of the concurrent phase.
    pub versions: u64,
    /// Reader threads of the concurrent phase.
    pub readers: usize,
}

impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Get(key) => write!(f, "Op::Get({key})"),
            Op::GetMany(keys) => write!(f, "Op::GetMany(vec!{keys:?})"),
            Op::Insert(key, value) => write!(f, "Op::Insert({key}, {value})"),
            Op::Remove(key) => write!(f, "Op::Remove({key})"),
            Op::Replace(batch) => write!(f, "Op::Replace(vec!{batch:?})"),
            Op::Merge(batch) => write!(f, "Op::Merge(vec!{batch:?})"),
        }
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Case {{ ops: vec!{:?}, versions: {}, readers: {} }}",
            self.ops, self.versions, self.readers
        )
    }
}

/// Random cases: up to 40 operations on 8 keys, then up to 30 versions
/// read by one or two readers.
pub fn any_case() -> impl Strategy<Value = Case> {
    let key = 0u64..8;
    let batch = proptest::collection::vec((0u64..8, 0u64..100), 0..6);
    let op = prop_oneof![
        3 => key.clone().prop_map(Op::Get),
        1 => proptest::collection::vec(key.clone(), 0..4).prop_map(Op::GetMany),
        3 => (key.clone(), 0u64..100).prop_map(|(key, value)| Op::Insert(key, value)),
        2 => key.prop_map(Op::Remove),
        1 => batch.clone().prop_map(Op::Replace),
        1 => batch.prop_map(Op::Merge),
    ];
    (proptest::collection::vec(op, 0..40), 1u64..30, 1usize..=2).prop_map(
        |(ops, versions, readers)| Case {
            ops,
            versions,
            readers,
        },
    )
}

/// The keys the concurrent phase refreshes and reads.
const KEYS: [u64; 4] = [0, 1, 2, 3];

/// Runs one case on a fresh cache; `Err` names the broken promise.
pub fn run_case<C: Cache<u64, u64> + 'static>(
    make: &dyn Fn() -> C,
    case: &Case,
) -> Result<(), String> {
    sequential(&make(), &case.ops)?;
    concurrent(Arc::new(make()), case.versions, case.readers)
}

fn sequential<C: Cache<u64, u64>>(cache: &C, ops: &[Op]) -> Result<(), String> {
    let mut model: HashMap<u64, u64> = HashMap::new();
    for (step, op) in ops.iter().enumerate() {
        let (got, expected) = match op {
            Op::Get(key) => (vec![cache.get(key)], vec![model.get(key).copied()]),
            Op::GetMany(keys) => (
                cache.get_many(keys),
                keys.iter().map(|key| model.get(key).copied()).collect(),
            ),
            Op::Insert(key, value) => (
                vec![cache.insert(*key, *value)],
                vec![model.insert(*key, *value)],
            ),
            Op::Remove(key) => (vec![cache.remove(key)], vec![model.remove(key)]),
            Op::Replace(batch) | Op::Merge(batch) => {
                let mode = if matches!(op, Op::Replace(_)) {
                    model.clear();
                    RefreshMode::Replace
                } else {
                    RefreshMode::Merge
                };
                cache.refresh(batch.clone(), mode);
                model.extend(batch.iter().copied());
                (Vec::new(), Vec::new())
            }
        };
        if got != expected {
            return Err(format!(
                "step {step} ({op:?}) answered {got:?}, a HashMap {expected:?}"
            ));
        }
        if cache.len() != model.len() {
            return Err(format!(
                "after step {step} ({op:?}) len is {}, a HashMap's {}",
                cache.len(),
                model.len()
            ));
        }
    }
    Ok(())
}

fn concurrent<C: Cache<u64, u64> + 'static>(
    cache: Arc<C>,
    versions: u64,
    readers: usize,
) -> Result<(), String> {
    let version = |v: u64| KEYS.iter().map(|key| (*key, v)).collect::<Vec<_>>();
    cache.refresh(version(0), RefreshMode::Replace);
    let promises_untorn = cache.atomic_refresh();
    // The writer starts once every reader has read once: without it the
    // writer is often done before the first read, and a torn refresh has
    // nothing to be seen by.
    let reading = Arc::new(AtomicUsize::new(0));
    let reader_count = readers;
    let readers: Vec<_> = (0..readers)
        .map(|_| {
            let (cache, reading) = (Arc::clone(&cache), Arc::clone(&reading));
            thread::spawn(move || -> Result<(), String> {
                let mut last = [0u64; KEYS.len()];
                let mut first = true;
                loop {
                    let read = cache.get_many(&KEYS);
                    if std::mem::take(&mut first) {
                        reading.fetch_add(1, Ordering::SeqCst);
                    }
                    let mut seen = [0u64; KEYS.len()];
                    for (slot, value) in read.iter().enumerate() {
                        seen[slot] = value.ok_or_else(|| {
                            format!("key {} vanished during a refresh", KEYS[slot])
                        })?;
                        if seen[slot] < last[slot] {
                            return Err(format!(
                                "key {} went back from version {} to {}",
                                KEYS[slot], last[slot], seen[slot]
                            ));
                        }
                    }
                    if promises_untorn && seen.iter().any(|v| *v != seen[0]) {
                        return Err(format!("a read saw a half-applied refresh: {seen:?}"));
                    }
                    last = seen;
                    if seen.iter().all(|v| *v == versions) {
                        return Ok(());
                    }
                }
            })
        })
        .collect();
    while reading.load(Ordering::SeqCst) < reader_count {
        thread::yield_now();
    }
    for v in 1..=versions {
        let mode = if v % 2 == 0 {
            RefreshMode::Replace
        } else {
            RefreshMode::Merge
        };
        cache.refresh(version(v), mode);
    }
    for reader in readers {
        reader.join().map_err(|payload| {
            format!(
                "a reader panicked: {}",
                crate::watchdog::panic_message(payload.as_ref())
            )
        })??;
    }
    Ok(())
}

/// A cache under check: how to build a fresh one, and how long one case
/// may run before it counts as hung ([`crate::watchdog::default_limit`]
/// unless set). Any builder closure converts into one, so
/// `check_cache(Mine::new)` and
/// `check_cache(CacheSubject::new(Mine::new).watchdog(limit))` both work.
pub struct CacheSubject<C> {
    make: Arc<dyn Fn() -> C + Send + Sync>,
    /// The limit on one case.
    pub watchdog: std::time::Duration,
}

impl<C> Clone for CacheSubject<C> {
    fn clone(&self) -> Self {
        Self {
            make: Arc::clone(&self.make),
            watchdog: self.watchdog,
        }
    }
}

impl<C: Cache<u64, u64> + 'static> CacheSubject<C> {
    /// The caches `make` builds, under the default watchdog.
    pub fn new(make: impl Fn() -> C + Send + Sync + 'static) -> Self {
        Self {
            make: Arc::new(make),
            watchdog: crate::watchdog::default_limit(),
        }
    }

    /// The same subject with the watchdog's limit on one case set to `limit`.
    pub fn watchdog(mut self, limit: std::time::Duration) -> Self {
        self.watchdog = limit;
        self
    }
}

impl<C: Cache<u64, u64> + 'static, M: Fn() -> C + Send + Sync + 'static> From<M>
    for CacheSubject<C>
{
    fn from(make: M) -> Self {
        Self::new(make)
    }
}

/// Runs one case on its own thread under the subject's watchdog: a hang
/// fails within it, naming the case.
fn guarded_case<C: Cache<u64, u64> + 'static>(
    subject: &CacheSubject<C>,
    case: &Case,
) -> Result<(), String> {
    let (make, inside) = (Arc::clone(&subject.make), case.clone());
    let name = (subject.make)().name();
    crate::watchdog::guard(name, subject.watchdog, move |crumbs| {
        crumbs.at(format!("running {inside:?}"));
        run_case(&*make, &inside)
    })
    .and_then(|checked| checked)
}

/// Runs the machine on `subject` (a builder closure, or a
/// [`CacheSubject`]); `Err` carries the shrunk case. Prints the cases run
/// on a line the gate collects.
pub fn explore<C: Cache<u64, u64> + 'static>(
    subject: impl Into<CacheSubject<C>>,
) -> Result<u32, String> {
    if crate::support::skipped_under_shuttle("the machine") {
        return Ok(0);
    }
    let subject = subject.into();
    let name = (subject.make)().name();
    let outcome = crate::support::run_cases(any_case(), subject.watchdog, |case, within| {
        guarded_case(&subject.clone().watchdog(within), case)
    });
    match outcome {
        Ok(cases) => {
            crate::support::proptest_gate_line(format_args!("cache {name}: {cases} cases"));
            Ok(cases)
        }
        Err(TestError::Fail(why, case)) => Err(format!(
            "{name}: invariant broken: {why}\nminimal case; replay it with:\n    contend_tests::cache_machine::replay({path}::new, &{case:?});",
            path = crate::support::public_path::<C>("cache")
        )),
        Err(TestError::Abort(why)) => Err(format!("{name}: proptest aborted: {why}")),
    }
}

/// Checks a cache of yours with the whole machine: one call in a test.
/// `subject` is any closure (a cache built with a configuration of
/// yours) or a [`CacheSubject`].
pub fn check_cache<C: Cache<u64, u64> + 'static>(subject: impl Into<CacheSubject<C>>) -> u32 {
    explore(subject).unwrap_or_else(|failure| panic!("{failure}"))
}

/// Replays one case (paste the line a failure prints into a test).
pub fn replay<C: Cache<u64, u64> + 'static>(subject: impl Into<CacheSubject<C>>, case: &Case) {
    let subject = subject.into();
    if let Err(why) = guarded_case(&subject, case) {
        panic!(
            "{}: invariant broken: {why}\ncase: {case:?}",
            (subject.make)().name()
        );
    }
}
