//! The books of a cell: every job submitted is accounted for exactly once.
//!
//! `submitted = completed + rejected + discarded + cancelled + handed back`,
//! no job runs twice, and the executor's own counters agree with the
//! harness's. The harness counts what it can see from outside the
//! executor (submit answers, which job ids ran); the executor's counters
//! supply what only it knows (which queued job a `discard-oldest` dropped,
//! which cancelled job it skipped). A mismatch means a strategy lost or
//! duplicated work, and fails the run loudly.

use serde::{Deserialize, Serialize};

use crate::load::postgres::PostgresBooks;
use crate::results::KindBooks;

/// Rejections by reason, as `submit` answered them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectCounts {
    /// The bound was reached.
    pub full: u64,
    /// The executor was shut down.
    pub closed: u64,
    /// A blocked submit timed out.
    pub timed_out: u64,
    /// No thread could be started.
    pub exhausted: u64,
}

impl RejectCounts {
    /// Every rejection.
    pub fn total(&self) -> u64 {
        self.full + self.closed + self.timed_out + self.exhausted
    }

    /// Adds `other`.
    pub fn add(&mut self, other: &RejectCounts) {
        self.full += other.full;
        self.closed += other.closed;
        self.timed_out += other.timed_out;
        self.exhausted += other.exhausted;
    }
}

/// A cell's books, checked after the executor has shut down.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolBooks {
    /// `submit` calls.
    pub submitted: u64,
    /// Distinct jobs whose work started (panicked ones included).
    pub completed: u64,
    /// Jobs that panicked (executor's count).
    pub panicked: u64,
    /// Jobs `submit` gave back, by reason.
    pub rejected: RejectCounts,
    /// Jobs the overload policy dropped (executor's count).
    pub discarded: u64,
    /// Jobs skipped because their token was cancelled (executor's count).
    pub cancelled: u64,
    /// Jobs handed back unstarted by the shutdown.
    pub handed_back: u64,
    /// Job ids that started more than once.
    pub duplicates: u64,
    /// `submitted` as the executor counted it.
    pub pool_submitted: u64,
    /// `completed` as the executor counted it.
    pub pool_completed: u64,
    /// The executor's `stats().unaccounted()` after shutdown.
    pub pool_unaccounted: i64,
    /// The PostgreSQL downstream's books, read from its table: calls
    /// committed, refused, timed out, failed, and every committed record
    /// there exactly once. Absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<PostgresBooks>,
    /// Why the database's table could not be read at the end, if it
    /// could not (the server went away): the books cannot be checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_unread: Option<String>,
}

impl PoolBooks {
    /// Submitted jobs not accounted for (negative: counted twice).
    pub fn lost(&self) -> i64 {
        let settled = self.completed
            + self.rejected.total()
            + self.discarded
            + self.cancelled
            + self.handed_back;
        self.submitted as i64 - settled as i64
    }

    /// `Ok` when the books balance; otherwise every discrepancy.
    pub fn check(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if self.lost() != 0 {
            problems.push(format!(
                "submitted {} != completed {} + rejected {} + discarded {} + cancelled {} + handed back {} (off by {})",
                self.submitted,
                self.completed,
                self.rejected.total(),
                self.discarded,
                self.cancelled,
                self.handed_back,
                self.lost()
            ));
        }
        if self.duplicates != 0 {
            problems.push(format!("{} jobs ran more than once", self.duplicates));
        }
        if self.pool_submitted != self.submitted {
            problems.push(format!(
                "the executor counted {} submitted, the harness {}",
                self.pool_submitted, self.submitted
            ));
        }
        if self.pool_completed != self.completed {
            problems.push(format!(
                "the executor counted {} completed, the harness saw {} start",
                self.pool_completed, self.completed
            ));
        }
        if self.pool_unaccounted != 0 {
            problems.push(format!(
                "the executor's stats leave {} jobs unaccounted",
                self.pool_unaccounted
            ));
        }
        if let Some(message) = &self.database_unread {
            problems.push(format!(
                "the database's table could not be checked: {message}"
            ));
        }
        if let Some(Err(message)) = self.database.as_ref().map(PostgresBooks::check) {
            problems.push(format!("the database: {message}"));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

/// The names [`PoolBooks`] counts by; the database's only with a
/// PostgreSQL downstream.
pub const COUNT_NAMES: &[&str] = &[
    "rejected",
    "discarded",
    "cancelled",
    "panicked",
    "handed_back",
    "duplicates",
    "committed",
    "refused",
    "db_timeouts",
    "db_failed",
    "rows_missing",
    "rows_duplicated",
    "rows_in_doubt",
];

impl KindBooks for PoolBooks {
    fn check(&self) -> Result<(), String> {
        PoolBooks::check(self)
    }

    fn offered(&self) -> u64 {
        self.submitted
    }

    fn done(&self) -> u64 {
        self.completed
    }

    fn lost(&self) -> u64 {
        PoolBooks::lost(self).unsigned_abs() + self.duplicates
    }

    fn counts(&self) -> Vec<(&'static str, u64)> {
        let mut counts = vec![
            ("rejected", self.rejected.total()),
            ("discarded", self.discarded),
            ("cancelled", self.cancelled),
            ("panicked", self.panicked),
            ("handed_back", self.handed_back),
            ("duplicates", self.duplicates),
        ];
        if let Some(database) = &self.database {
            counts.extend([
                ("committed", database.committed),
                ("refused", database.refused),
                ("db_timeouts", database.timed_out),
                ("db_failed", database.failed),
                ("rows_missing", database.missing.len() as u64),
                ("rows_duplicated", database.duplicated.len() as u64),
                ("rows_in_doubt", database.in_doubt.len() as u64),
            ]);
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balanced() -> PoolBooks {
        PoolBooks {
            submitted: 100,
            completed: 90,
            rejected: RejectCounts {
                full: 4,
                ..RejectCounts::default()
            },
            discarded: 3,
            cancelled: 2,
            handed_back: 1,
            pool_submitted: 100,
            pool_completed: 90,
            ..PoolBooks::default()
        }
    }

    #[test]
    fn balanced_books_pass() {
        assert_eq!(balanced().check(), Ok(()));
        assert_eq!(balanced().lost(), 0);
    }

    #[test]
    fn a_lost_job_fails_the_books() {
        let books = PoolBooks {
            completed: 89,
            pool_completed: 89,
            ..balanced()
        };
        let message = books.check().unwrap_err();
        assert!(message.contains("off by 1"), "{message}");
    }

    #[test]
    fn a_job_run_twice_fails_the_books() {
        let books = PoolBooks {
            duplicates: 1,
            ..balanced()
        };
        assert!(books.check().unwrap_err().contains("more than once"));
    }

    #[test]
    fn an_executor_that_disagrees_with_the_harness_fails_the_books() {
        let books = PoolBooks {
            pool_completed: 91,
            ..balanced()
        };
        assert!(books.check().unwrap_err().contains("executor counted 91"));
        let books = PoolBooks {
            pool_unaccounted: 2,
            ..balanced()
        };
        assert!(books.check().is_err());
    }

    #[test]
    fn the_counts_with_a_database_are_the_names_gates_may_read() {
        let books = PoolBooks {
            database: Some(PostgresBooks::default()),
            ..balanced()
        };
        let names: Vec<&str> = KindBooks::counts(&books)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, COUNT_NAMES);
    }
}
