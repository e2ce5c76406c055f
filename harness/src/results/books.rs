//! A repetition's books, whatever its kind: the work offered, done and
//! lost, the counts reports and gates read by name, whether they balance,
//! and the kind's own ledger as it kept it.
//!
//! Each kind keeps its own ledger (a pool counts submits and rejections,
//! a cache torn reads, a queue redeliveries) and checks its own
//! invariants; it hands the harness a [`Books`] through [`KindBooks`].
//! The results model, the reports and `compare` read only this shape, so
//! a new kind adds counts without a new field here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A kind's own ledger: what it counted and how it checks itself.
pub trait KindBooks: Serialize {
    /// `Ok` when the ledger balances; otherwise every discrepancy.
    fn check(&self) -> Result<(), String>;
    /// Units of work offered (`submit` calls, reader operations, items
    /// sent): goodput's failed share divides by it.
    fn offered(&self) -> u64;
    /// Units of work done, as progress counts them.
    fn done(&self) -> u64;
    /// Units lost or done twice.
    fn lost(&self) -> u64;
    /// Counts the reports and gates read by name (`rejected`,
    /// `torn_reads`, …).
    fn counts(&self) -> Vec<(&'static str, u64)>;
}

/// The books of one repetition, as `results.json` holds them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "OnDisk")]
pub struct Books {
    /// Units of work offered.
    pub offered: u64,
    /// Units of work done.
    pub done: u64,
    /// Units lost or done twice.
    pub lost: u64,
    /// Named counts (`rejected`, `discarded`, `torn_reads`, …).
    pub counts: BTreeMap<String, u64>,
    /// What does not balance; empty when the books do.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// The kind's ledger, field by field.
    pub ledger: serde_json::Value,
}

impl Books {
    /// The books a kind's `ledger` keeps, checked now.
    pub fn of(ledger: &impl KindBooks) -> Books {
        Books {
            offered: ledger.offered(),
            done: ledger.done(),
            lost: ledger.lost(),
            counts: ledger
                .counts()
                .into_iter()
                .map(|(name, n)| (name.to_owned(), n))
                .collect(),
            problems: ledger.check().err().into_iter().collect(),
            ledger: serde_json::to_value(ledger).unwrap_or_default(),
        }
    }

    /// `Ok` when the books balance; otherwise every discrepancy.
    pub fn check(&self) -> Result<(), String> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(self.problems.join("; "))
        }
    }

    /// The count `name`, 0 if the kind does not keep it.
    pub fn count(&self, name: &str) -> u64 {
        self.counts.get(name).copied().unwrap_or(0)
    }
}

/// The books as a file holds them: this shape (schema 4 on), or a
/// kind's own ledger (schemas 1 to 3).
#[derive(Deserialize)]
#[serde(untagged)]
enum OnDisk {
    Current {
        offered: u64,
        done: u64,
        lost: u64,
        #[serde(default)]
        counts: BTreeMap<String, u64>,
        #[serde(default)]
        problems: Vec<String>,
        #[serde(default)]
        ledger: serde_json::Value,
    },
    Legacy(serde_json::Value),
}

impl From<OnDisk> for Books {
    fn from(disk: OnDisk) -> Self {
        match disk {
            OnDisk::Current {
                offered,
                done,
                lost,
                counts,
                problems,
                ledger,
            } => Books {
                offered,
                done,
                lost,
                counts,
                problems,
                ledger,
            },
            OnDisk::Legacy(ledger) => legacy(ledger),
        }
    }
}

/// The books of a file of schema 1 to 3, which wrote the kind's ledger
/// itself; its fields say which kind kept it. Whether it balanced is in
/// the repetition's status, which those files wrote too.
fn legacy(ledger: serde_json::Value) -> Books {
    let n = |key: &str| {
        ledger
            .get(key)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0)
    };
    let mut counts = BTreeMap::new();
    let mut keep = |names: &[&str]| {
        for name in names {
            counts.insert((*name).to_owned(), n(name));
        }
    };
    let (offered, done, lost) = if ledger.get("submitted").is_some() {
        // A pool: submitted = completed + rejected + discarded + cancelled
        // + handed back.
        let rejected: u64 = ["full", "closed", "timed_out", "exhausted"]
            .iter()
            .filter_map(|reason| ledger.get("rejected")?.get(reason)?.as_u64())
            .sum();
        keep(&[
            "discarded",
            "cancelled",
            "panicked",
            "handed_back",
            "duplicates",
        ]);
        counts.insert("rejected".to_owned(), rejected);
        let settled =
            n("completed") + rejected + n("discarded") + n("cancelled") + n("handed_back");
        let off = (n("submitted") as i64 - settled as i64).unsigned_abs();
        (n("submitted"), n("completed"), off + n("duplicates"))
    } else if ledger.get("reader_ops").is_some() {
        keep(&["torn_reads", "stale_keys"]);
        (n("reader_ops"), n("reader_ops"), 0)
    } else {
        keep(&["duplicates", "missing", "out_of_order"]);
        (n("sent"), n("received"), n("missing") + n("duplicates"))
    };
    Books {
        offered,
        done,
        lost,
        counts,
        problems: Vec::new(),
        ledger,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_ledger_of_schema_3_reads_as_books() {
        let old = r#"{"submitted":100,"completed":90,"panicked":1,
            "rejected":{"full":4,"closed":0,"timed_out":0,"exhausted":0},
            "discarded":3,"cancelled":2,"handed_back":1,"duplicates":0,
            "pool_submitted":100,"pool_completed":90,"pool_unaccounted":0}"#;
        let books: Books = serde_json::from_str(old).unwrap();
        assert_eq!((books.offered, books.done, books.lost), (100, 90, 0));
        assert_eq!(books.count("rejected"), 4);
        assert_eq!(books.count("panicked"), 1);
        assert_eq!(books.ledger["pool_completed"], 90);
    }

    #[test]
    fn cache_and_fanin_ledgers_of_schema_3_read_as_books() {
        let cache: Books = serde_json::from_str(
            r#"{"reader_ops":50,"get_many":5,"refreshes":2,"torn_reads":3,
                "atomic_refresh":false,"stale_keys":0,"recorded":52}"#,
        )
        .unwrap();
        assert_eq!((cache.done, cache.count("torn_reads")), (50, 3));
        let fanin: Books = serde_json::from_str(
            r#"{"producers":2,"sent":10,"received":9,"duplicates":0,"out_of_order":0,
                "missing":1,"phantom":0,"send_failures":0,"unfinished_at_end":0,"recorded":9}"#,
        )
        .unwrap();
        assert_eq!((fanin.offered, fanin.done, fanin.lost), (10, 9, 1));
    }

    #[test]
    fn books_round_trip_with_their_problems() {
        let books = Books {
            offered: 3,
            done: 2,
            lost: 1,
            counts: [("rejected".to_owned(), 0)].into(),
            problems: vec!["1 job lost".to_owned()],
            ledger: serde_json::json!({"submitted": 3}),
        };
        let text = serde_json::to_string(&books).unwrap();
        assert_eq!(serde_json::from_str::<Books>(&text).unwrap(), books);
        assert_eq!(books.check().unwrap_err(), "1 job lost");
    }
}
