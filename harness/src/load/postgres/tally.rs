//! The downstream's own count of its calls, kept while the jobs run.
//!
//! The counts are atomics, bumped by every job on every thread or task.
//! The committed record ids are kept in full: at the end they are checked
//! against the table, which is how a lost or doubled commit shows up. The
//! error messages are kept only while there are few distinct ones: the
//! report wants to show what went wrong, not every instance of it.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use super::outcome::{CallOutcome, Failure};

/// How many distinct error messages are kept.
pub const MAX_ERRORS: usize = 8;

/// Counts of a downstream's calls so far.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    committed: AtomicU64,
    refused: AtomicU64,
    timed_out: AtomicU64,
    failed: AtomicU64,
    kept_errors: AtomicUsize,
    errors: Mutex<Vec<String>>,
    committed_ids: Mutex<Vec<u64>>,
}

/// A copy of the counts, taken when the calls are over.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub committed: u64,
    pub refused: u64,
    pub timed_out: u64,
    pub failed: u64,
    pub errors: Vec<String>,
    pub committed_ids: Vec<u64>,
}

impl Tally {
    /// Counts the call for `record` and returns its outcome.
    pub(crate) fn record(&self, record: u64, result: Result<(), Failure>) -> CallOutcome {
        let failure = match result {
            Ok(()) => {
                self.committed_ids
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .push(record);
                self.committed.fetch_add(1, Ordering::Relaxed);
                return CallOutcome::Committed;
            }
            Err(failure) => failure,
        };
        let counter = match failure {
            Failure::Refused(_) => &self.refused,
            Failure::TimedOut(_) => &self.timed_out,
            Failure::Failed(_) => &self.failed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.keep_error(failure.describe());
        failure.outcome()
    }

    fn keep_error(&self, message: String) {
        // Once the list is full, failures (often a storm of them) skip
        // the lock.
        if self.kept_errors.load(Ordering::Relaxed) >= MAX_ERRORS {
            return;
        }
        let mut errors = self
            .errors
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if errors.len() < MAX_ERRORS && !errors.contains(&message) {
            errors.push(message);
            self.kept_errors.store(errors.len(), Ordering::Relaxed);
        }
    }

    /// The counts so far.
    pub(crate) fn counts(&self) -> Counts {
        fn lock<T: Clone>(list: &Mutex<Vec<T>>) -> Vec<T> {
            list.lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone()
        }
        Counts {
            committed: self.committed.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            timed_out: self.timed_out.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            errors: lock(&self.errors),
            committed_ids: lock(&self.committed_ids),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_counted_and_distinct_errors_kept_up_to_the_limit() {
        let tally = Tally::default();
        assert_eq!(tally.record(1, Ok(())), CallOutcome::Committed);
        assert_eq!(
            tally.record(2, Err(Failure::Refused("full".into()))),
            CallOutcome::Refused
        );
        tally.record(3, Err(Failure::Refused("full".into())));
        tally.record(4, Err(Failure::TimedOut("slow".into())));
        for n in 0..20 {
            tally.record(5, Err(Failure::Failed(format!("broke {n}"))));
        }
        let counts = tally.counts();
        assert_eq!(
            (
                counts.committed,
                counts.refused,
                counts.timed_out,
                counts.failed
            ),
            (1, 2, 1, 20)
        );
        assert_eq!(counts.committed_ids, vec![1]);
        assert_eq!(counts.errors.len(), MAX_ERRORS);
        assert_eq!(counts.errors[0], "refused: full");
        assert_eq!(counts.errors[1], "timed out: slow");
        assert_eq!(counts.errors[2], "failed: broke 0");
    }
}
