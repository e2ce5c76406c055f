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

use super::cache::CacheBooks;
use super::fanin::FanInBooks;

/// The books of one repetition, by kind. Each kind checks its own
/// invariants; a failure marks the repetition `books_failed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CellBooks {
    /// Executors: every submitted job accounted for exactly once.
    Pool(Books),
    /// Caches: refreshes never torn where promised, never lost.
    Cache(CacheBooks),
    /// Fan-in: every item received once, in order, and the stream ended
    /// after the last producer.
    FanIn(FanInBooks),
}

impl Default for CellBooks {
    fn default() -> Self {
        CellBooks::Pool(Books::default())
    }
}

impl CellBooks {
    /// `Ok` when the books balance; otherwise every discrepancy.
    pub fn check(&self) -> Result<(), String> {
        match self {
            CellBooks::Pool(books) => books.check(),
            CellBooks::Cache(books) => books.check(),
            CellBooks::FanIn(books) => books.check(),
        }
    }

    /// Work lost or done twice: jobs (pool), items (fan-in); 0 for a
    /// cache, whose failures are torn reads and lost refreshes.
    pub fn lost(&self) -> u64 {
        match self {
            CellBooks::Pool(books) => books.lost().unsigned_abs() + books.duplicates,
            CellBooks::Cache(_) => 0,
            CellBooks::FanIn(books) => books.missing + books.duplicates,
        }
    }

    /// Units of work done, as progress counts them: jobs that ran,
    /// reader operations, items received.
    pub fn done(&self) -> u64 {
        match self {
            CellBooks::Pool(books) => books.completed,
            CellBooks::Cache(books) => books.reader_ops,
            CellBooks::FanIn(books) => books.received,
        }
    }

    /// Units of work offered: `submit` calls (pool), reader operations
    /// (cache), items sent (fan-in). Goodput's failed share divides by it.
    pub fn offered(&self) -> u64 {
        match self {
            CellBooks::Pool(books) => books.submitted,
            CellBooks::Cache(books) => books.reader_ops,
            CellBooks::FanIn(books) => books.sent,
        }
    }

    /// Jobs `submit` refused (pool only).
    pub fn rejected(&self) -> u64 {
        match self {
            CellBooks::Pool(books) => books.rejected.total(),
            _ => 0,
        }
    }

    /// Jobs the overload policy dropped (pool only).
    pub fn discarded(&self) -> u64 {
        match self {
            CellBooks::Pool(books) => books.discarded,
            _ => 0,
        }
    }

    /// `get_many` results that mixed two refreshes (cache only).
    pub fn torn_reads(&self) -> u64 {
        match self {
            CellBooks::Cache(books) => books.torn_reads,
            _ => 0,
        }
    }
}

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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Books {
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
}

impl Books {
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
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balanced() -> Books {
        Books {
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
            ..Books::default()
        }
    }

    #[test]
    fn balanced_books_pass() {
        assert_eq!(balanced().check(), Ok(()));
        assert_eq!(balanced().lost(), 0);
    }

    #[test]
    fn a_lost_job_fails_the_books() {
        let books = Books {
            completed: 89,
            pool_completed: 89,
            ..balanced()
        };
        let message = books.check().unwrap_err();
        assert!(message.contains("off by 1"), "{message}");
    }

    #[test]
    fn a_job_run_twice_fails_the_books() {
        let books = Books {
            duplicates: 1,
            ..balanced()
        };
        assert!(books.check().unwrap_err().contains("more than once"));
    }

    #[test]
    fn an_executor_that_disagrees_with_the_harness_fails_the_books() {
        let books = Books {
            pool_completed: 91,
            ..balanced()
        };
        assert!(books.check().unwrap_err().contains("executor counted 91"));
        let books = Books {
            pool_unaccounted: 2,
            ..balanced()
        };
        assert!(books.check().is_err());
    }
}
