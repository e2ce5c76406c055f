//! The downstream's books: its count of the calls, reconciled with what
//! the database actually holds.
//!
//! A strategy under overload can lose work (a job dropped after it was
//! accepted) or do it twice (a retry after a commit whose answer was
//! lost). The job's own report cannot show either; the table can. So
//! every committed record id must be in the table exactly once: an id
//! the downstream saw commit but the table lacks is *missing*, an id in
//! the table more than once is *duplicated* (the table has no unique
//! constraint, so that a duplicate is counted rather than prevented).
//! Both fail [`PostgresBooks::check`].
//!
//! An id in the table whose call did not report a commit is *in doubt*:
//! typically the call timed out after the server had committed, so the
//! caller could not know. That is what a client timeout means, not a
//! fault, so it is reported and does not fail the check.
//!
//! The id lists are complete and sorted, so a report can name every one;
//! they are short unless something is badly wrong (or, for `in_doubt`,
//! very many calls timed out).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::tally::Counts;

/// How many ids a failed check names.
const NAMED_IDS: usize = 10;

/// A downstream's books at the end of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostgresBooks {
    /// Calls that committed within the timeout.
    pub committed: u64,
    /// Calls the server (or the pool, on its behalf) refused.
    pub refused: u64,
    /// Calls that ran out of time.
    pub timed_out: u64,
    /// Calls that failed otherwise.
    pub failed: u64,
    /// Rows in the run's table at the end.
    pub rows: u64,
    /// Whether the table was reconciled with the committed ids: for
    /// [`Statement::Insert`](super::Statement::Insert), and for any
    /// statement that left rows in the table. A statement that writes
    /// nothing there (a read, `select pg_sleep(..)`) has nothing to
    /// reconcile: then `missing`, `duplicated` and `in_doubt` are empty.
    pub checked: bool,
    /// Committed ids absent from the table (a lost commit).
    pub missing: Vec<u64>,
    /// Ids in the table more than once.
    pub duplicated: Vec<u64>,
    /// Ids in the table whose call did not report a commit.
    pub in_doubt: Vec<u64>,
    /// The first few distinct error messages, each prefixed with its
    /// outcome ("refused: ...").
    pub errors: Vec<String>,
}

impl PostgresBooks {
    /// Reconciles `counts` with the table's `(id, copies)` rows; `check`
    /// says whether to (see [`PostgresBooks::checked`]).
    pub(crate) fn reconcile(counts: Counts, table: &[(u64, u64)], check: bool) -> Self {
        let rows = table.iter().map(|&(_, copies)| copies).sum();
        let mut books = Self {
            committed: counts.committed,
            refused: counts.refused,
            timed_out: counts.timed_out,
            failed: counts.failed,
            rows,
            checked: check || rows > 0,
            errors: counts.errors,
            ..Self::default()
        };
        if !books.checked {
            return books;
        }
        let in_table: BTreeMap<u64, u64> = table.iter().copied().collect();
        let mut committed = counts.committed_ids;
        committed.sort_unstable();
        // The same record committed by two calls is a duplicate too, even
        // if (wrongly) only one row holds it.
        for pair in committed.windows(2) {
            if pair[0] == pair[1] && books.duplicated.last() != Some(&pair[0]) {
                books.duplicated.push(pair[0]);
            }
        }
        committed.dedup();
        books.missing = committed
            .iter()
            .copied()
            .filter(|id| !in_table.contains_key(id))
            .collect();
        for (&id, &copies) in &in_table {
            if copies > 1 {
                books.duplicated.push(id);
            }
            if committed.binary_search(&id).is_err() {
                books.in_doubt.push(id);
            }
        }
        books.duplicated.sort_unstable();
        books.duplicated.dedup();
        books
    }

    /// Every call, whatever became of it.
    pub fn calls(&self) -> u64 {
        self.committed + self.refused + self.timed_out + self.failed
    }

    /// Passes unless a committed id is missing from the table or an id is
    /// there more than once; the error names them.
    pub fn check(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if !self.missing.is_empty() {
            problems.push(format!(
                "{} committed id(s) missing from the table: {}",
                self.missing.len(),
                name_ids(&self.missing)
            ));
        }
        if !self.duplicated.is_empty() {
            problems.push(format!(
                "{} id(s) in the table more than once: {}",
                self.duplicated.len(),
                name_ids(&self.duplicated)
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

fn name_ids(ids: &[u64]) -> String {
    let mut named: Vec<String> = ids.iter().take(NAMED_IDS).map(u64::to_string).collect();
    if ids.len() > NAMED_IDS {
        named.push(format!("and {} more", ids.len() - NAMED_IDS));
    }
    named.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(committed_ids: Vec<u64>) -> Counts {
        Counts {
            committed: committed_ids.len() as u64,
            refused: 1,
            committed_ids,
            ..Counts::default()
        }
    }

    #[test]
    fn balanced_books_pass() {
        let books =
            PostgresBooks::reconcile(counts(vec![2, 1, 3]), &[(1, 1), (2, 1), (3, 1)], true);
        assert_eq!(books.rows, 3);
        assert_eq!(books.calls(), 4);
        assert!(books.checked);
        assert!(books.missing.is_empty() && books.duplicated.is_empty());
        assert!(books.in_doubt.is_empty());
        books.check().unwrap();
    }

    #[test]
    fn missing_and_duplicated_ids_fail_and_are_named_and_in_doubt_ones_do_not() {
        let table = [(1, 1), (3, 2), (9, 1)];
        let books = PostgresBooks::reconcile(counts(vec![1, 2, 3]), &table, true);
        assert_eq!(books.missing, vec![2]);
        assert_eq!(books.duplicated, vec![3]);
        assert_eq!(books.in_doubt, vec![9]);
        let error = books.check().unwrap_err();
        assert!(error.contains("missing from the table: 2"), "{error}");
        assert!(error.contains("more than once: 3"), "{error}");
    }

    #[test]
    fn a_record_committed_twice_is_a_duplicate() {
        let books = PostgresBooks::reconcile(counts(vec![5, 5]), &[(5, 1)], true);
        assert_eq!(books.duplicated, vec![5]);
        assert!(books.check().is_err());
    }

    #[test]
    fn an_empty_table_is_not_reconciled_unless_asked() {
        let books = PostgresBooks::reconcile(counts(vec![1, 2]), &[], false);
        assert!(!books.checked);
        assert!(books.missing.is_empty());
        books.check().unwrap();
        let books = PostgresBooks::reconcile(counts(vec![1, 2]), &[], true);
        assert_eq!(books.missing, vec![1, 2]);
    }

    #[test]
    fn long_lists_are_cut_when_named() {
        let ids: Vec<u64> = (0..25).collect();
        assert_eq!(name_ids(&ids), "0, 1, 2, 3, 4, 5, 6, 7, 8, 9, and 15 more");
    }
}
