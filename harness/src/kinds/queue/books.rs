//! A queue cell's books, read from the broker at the end of the run.
//!
//! A consumer may be SIGKILLed mid-run, taking what it counted with it, so
//! the books that decide pass or fail are the broker's
//! ([`BrokerLedger`]): every published job had its effect exactly once, no
//! message is missing, waiting or pending. Redeliveries (a claimed message
//! completed twice) are counted, not failures: the effect is idempotent.
//! Beside the ledger, what the run did to get there: the consumers killed,
//! the messages survivors claimed, the backlog's peak and its samples, and
//! how long the consumers took to drain it once publishing ended.

use serde::{Deserialize, Serialize};

use super::backlog::BacklogSample;
use crate::broker::BrokerLedger;
use crate::results::KindBooks;

/// A queue cell's books.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueBooks {
    /// Jobs the producer published.
    pub published: u64,
    /// Messages acknowledged (published, neither waiting nor pending).
    pub acknowledged: u64,
    /// Distinct jobs whose side effect happened.
    pub effects: u64,
    /// Completions beyond a job's first (redeliveries): counted, not a
    /// failure.
    pub duplicates: u64,
    /// Published jobs without an effect.
    pub missing: u64,
    /// Messages delivered and never acknowledged.
    pub pending: u64,
    /// Consumer processes started.
    pub consumers: u64,
    /// Consumers SIGKILLed mid-run.
    pub killed: u64,
    /// Messages the surviving consumers claimed from others (as they
    /// reported them; a killed consumer's own claims died with it).
    pub claimed: u64,
    /// The most messages waiting or pending at one sample.
    pub backlog_peak: u64,
    /// From the end of publishing to the last acknowledgement, in ms.
    pub drain_ms: u64,
    /// The backlog every 50 ms.
    pub backlog: Vec<BacklogSample>,
    /// The broker's own books, which [`QueueBooks::check`] checks.
    pub broker: BrokerLedger,
}

impl QueueBooks {
    /// The books of a run that published `published` jobs, from the
    /// broker's `ledger` and what the run saw.
    pub fn new(ledger: BrokerLedger, run: RunCounts, backlog: Vec<BacklogSample>) -> QueueBooks {
        let acknowledged = ledger
            .stream_len
            .saturating_sub(ledger.waiting + ledger.pending);
        QueueBooks {
            published: ledger.published,
            acknowledged,
            effects: ledger.effects,
            duplicates: ledger.duplicates,
            missing: ledger.missing_count,
            pending: ledger.pending,
            consumers: run.consumers,
            killed: run.killed,
            claimed: run.claimed,
            backlog_peak: backlog
                .iter()
                .map(|s| s.waiting + s.pending)
                .max()
                .unwrap_or(0),
            drain_ms: run.drain_ms,
            backlog,
            broker: ledger,
        }
    }

    /// `Ok` when every published job was acknowledged and had its effect
    /// exactly once, none missing, waiting or pending (the broker
    /// ledger's check); otherwise every problem, with the ids involved.
    pub fn check(&self) -> Result<(), String> {
        self.broker.check()
    }
}

/// What the coordinator and the consumers counted, beside the ledger.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunCounts {
    /// Consumer processes started.
    pub consumers: u64,
    /// Consumers SIGKILLed.
    pub killed: u64,
    /// Messages claimed by survivors.
    pub claimed: u64,
    /// From the end of publishing to the last acknowledgement, in ms.
    pub drain_ms: u64,
}

/// The names [`QueueBooks`] counts by, which gates may read
/// (`claimed(fixed) > 0`, `duplicates(*) == 0`).
pub const COUNT_NAMES: &[&str] = &[
    "published",
    "duplicates",
    "claimed",
    "killed",
    "backlog_peak",
    "drain_ms",
    "missing",
    "pending",
];

impl KindBooks for QueueBooks {
    fn check(&self) -> Result<(), String> {
        QueueBooks::check(self)
    }

    fn offered(&self) -> u64 {
        self.published
    }

    fn done(&self) -> u64 {
        self.effects
    }

    fn lost(&self) -> u64 {
        self.missing
    }

    /// Named as in [`COUNT_NAMES`].
    fn counts(&self) -> Vec<(&'static str, u64)> {
        vec![
            ("published", self.published),
            ("duplicates", self.duplicates),
            ("claimed", self.claimed),
            ("killed", self.killed),
            ("backlog_peak", self.backlog_peak),
            ("drain_ms", self.drain_ms),
            ("missing", self.missing),
            ("pending", self.pending),
        ]
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::broker::PendingJob;
    use crate::results::Books;

    fn ledger() -> BrokerLedger {
        BrokerLedger {
            published: 100,
            stream_len: 100,
            effects: 100,
            unexpected_effects: 0,
            missing_count: 0,
            missing: vec![],
            duplicates: 4,
            completed_by: BTreeMap::from([("c0".to_owned(), 30), ("c1".to_owned(), 74)]),
            waiting: 0,
            pending: 0,
            pending_jobs: vec![],
            acknowledged_all: true,
        }
    }

    fn run() -> RunCounts {
        RunCounts {
            consumers: 2,
            killed: 1,
            claimed: 4,
            drain_ms: 12,
        }
    }

    fn samples() -> Vec<BacklogSample> {
        vec![
            BacklogSample {
                at_ms: 0,
                waiting: 3,
                pending: 2,
                published: 5,
                completed: 0,
            },
            BacklogSample {
                at_ms: 50,
                waiting: 10,
                pending: 8,
                published: 40,
                completed: 22,
            },
        ]
    }

    #[test]
    fn redeliveries_alone_balance_and_are_counted() {
        let books = QueueBooks::new(ledger(), run(), samples());
        assert_eq!(books.check(), Ok(()));
        let books = Books::of(&books);
        assert_eq!(books.check(), Ok(()));
        assert_eq!(books.count("duplicates"), 4);
        assert_eq!(books.count("claimed"), 4);
        assert_eq!(books.count("killed"), 1);
        assert_eq!(books.count("backlog_peak"), 18);
        assert_eq!((books.offered, books.done, books.lost), (100, 100, 0));
    }

    #[test]
    fn a_missing_effect_and_a_pending_message_fail_the_books() {
        let ledger = BrokerLedger {
            effects: 99,
            missing_count: 1,
            missing: vec![41],
            pending: 1,
            pending_jobs: vec![PendingJob {
                job: Some(41),
                id: "7-0".into(),
                consumer: "consumer-0".into(),
                times_delivered: 1,
            }],
            acknowledged_all: false,
            ..ledger()
        };
        let books = QueueBooks::new(ledger, run(), samples());
        assert_eq!(
            (books.missing, books.pending, books.acknowledged),
            (1, 1, 99)
        );
        let message = books.check().unwrap_err();
        assert!(
            message.contains("1 of 100 jobs never had their effect: 41"),
            "{message}"
        );
        assert!(message.contains("held by consumer-0"), "{message}");
        let books = Books::of(&books);
        assert_eq!(books.lost, 1);
        assert!(books.check().is_err());
    }

    #[test]
    fn the_counts_are_the_names_gates_may_read() {
        let books = QueueBooks::new(ledger(), run(), samples());
        let names: Vec<&str> = KindBooks::counts(&books)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, COUNT_NAMES);
    }
}
