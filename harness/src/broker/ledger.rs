//! The queue's books, read from the broker's own state.
//!
//! Consumers are processes, maybe on other hosts, and one may be SIGKILLed
//! mid-run: what it counted in memory is gone. So the books are not summed
//! from consumers' reports but read from the broker at the end: what the
//! stream holds, which jobs had their side effect, how many completions
//! repeated one, what is still waiting or pending. They balance when every
//! published job had its effect and nothing is left unacknowledged.
//! Duplicates are counted, not failures: a consumer that dies after its
//! effect and before its acknowledgement makes one by design (at-least-once
//! delivery), and the effect is idempotent.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// How many ids [`BrokerLedger::missing`] and [`BrokerLedger::pending_jobs`]
/// list at most; the counts beside them are exact.
pub const LISTED: usize = 20;

/// The queue's state now, for progress lines and back-pressure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backlog {
    /// Published, not yet delivered to any consumer.
    pub waiting: u64,
    /// Delivered, not yet acknowledged: being worked on, or held by a
    /// consumer that died and not yet claimed.
    pub pending: u64,
}

/// A message still pending at the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingJob {
    /// Its job id (`None` if its stream entry is gone).
    pub job: Option<u64>,
    /// The broker's id for the message.
    pub id: String,
    /// The consumer holding it.
    pub consumer: String,
    /// How many times it was delivered.
    pub times_delivered: u64,
}

/// The broker's books at the end of a run: see [`BrokerLedger::check`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerLedger {
    /// How many jobs the producer says it published (ids `0..published`).
    pub published: u64,
    /// How many messages the stream holds (`XLEN`).
    pub stream_len: u64,
    /// Jobs whose side effect happened (`SCARD` of the effects set).
    pub effects: u64,
    /// Effects for ids outside `0..published`.
    pub unexpected_effects: u64,
    /// How many ids in `0..published` have no effect.
    pub missing_count: u64,
    /// The first [`LISTED`] of them, in order.
    pub missing: Vec<u64>,
    /// Completions beyond the first, summed over jobs: a job completed
    /// three times counts 2.
    pub duplicates: u64,
    /// Completion attempts per consumer name.
    pub completed_by: BTreeMap<String, u64>,
    /// Messages never delivered.
    pub waiting: u64,
    /// Messages delivered and not acknowledged (`XPENDING`).
    pub pending: u64,
    /// The first [`LISTED`] of them.
    pub pending_jobs: Vec<PendingJob>,
    /// Nothing is pending.
    pub acknowledged_all: bool,
}

impl BrokerLedger {
    /// `Ok` when the books balance: the stream holds what was published,
    /// every published job had its effect (and no other job did), nothing
    /// waits and nothing is pending. Otherwise every problem, with the ids
    /// involved, in one message. Duplicates do not fail.
    pub fn check(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if self.stream_len != self.published {
            problems.push(format!(
                "the stream holds {}, the producer published {}",
                messages(self.stream_len),
                self.published
            ));
        }
        if self.missing_count > 0 {
            let mut line = format!(
                "{} of {} jobs never had their effect: {}",
                self.missing_count,
                self.published,
                list(self.missing.iter())
            );
            if self.missing_count > self.missing.len() as u64 {
                line.push_str(", …");
            }
            problems.push(line);
        }
        if self.unexpected_effects > 0 {
            problems.push(format!(
                "{} effects for jobs outside 0..{}",
                self.unexpected_effects, self.published
            ));
        }
        if self.waiting > 0 {
            problems.push(format!("{} never delivered", messages(self.waiting)));
        }
        if self.pending > 0 {
            let mut line = format!("{} delivered, never acknowledged:", messages(self.pending));
            for (i, pending) in self.pending_jobs.iter().enumerate() {
                let job = pending
                    .job
                    .map_or_else(|| "a deleted entry".to_owned(), |job| format!("job {job}"));
                let _ = write!(
                    line,
                    "{} {job} ({}, held by {}, delivered {}×)",
                    if i == 0 { "" } else { "," },
                    pending.id,
                    pending.consumer,
                    pending.times_delivered
                );
            }
            if self.pending > self.pending_jobs.len() as u64 {
                line.push_str(", …");
            }
            problems.push(line);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

/// "1 message", "2 messages".
fn messages(n: u64) -> String {
    if n == 1 {
        "1 message".to_owned()
    } else {
        format!("{n} messages")
    }
}

fn list<'a>(ids: impl Iterator<Item = &'a u64>) -> String {
    ids.map(u64::to_string).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balanced() -> BrokerLedger {
        BrokerLedger {
            published: 10,
            stream_len: 10,
            effects: 10,
            unexpected_effects: 0,
            missing_count: 0,
            missing: vec![],
            duplicates: 3,
            completed_by: BTreeMap::from([("a".to_owned(), 13)]),
            waiting: 0,
            pending: 0,
            pending_jobs: vec![],
            acknowledged_all: true,
        }
    }

    #[test]
    fn duplicates_alone_balance() {
        assert_eq!(balanced().check(), Ok(()));
    }

    #[test]
    fn every_problem_is_named() {
        let ledger = BrokerLedger {
            stream_len: 11,
            effects: 9,
            missing_count: 1,
            missing: vec![7],
            waiting: 1,
            pending: 1,
            pending_jobs: vec![PendingJob {
                job: Some(7),
                id: "1-0".into(),
                consumer: "b".into(),
                times_delivered: 2,
            }],
            acknowledged_all: false,
            ..balanced()
        };
        let message = ledger.check().unwrap_err();
        assert!(
            message.contains("holds 11 messages, the producer published 10"),
            "{message}"
        );
        assert!(
            message.contains("1 of 10 jobs never had their effect: 7"),
            "{message}"
        );
        assert!(message.contains("1 message never delivered"), "{message}");
        assert!(
            message.contains("job 7 (1-0, held by b, delivered 2×)"),
            "{message}"
        );
    }

    #[test]
    fn a_capped_list_says_so() {
        let ledger = BrokerLedger {
            effects: 0,
            missing_count: 30,
            missing: (0..LISTED as u64).collect(),
            published: 30,
            stream_len: 30,
            ..balanced()
        };
        let message = ledger.check().unwrap_err();
        assert!(message.ends_with("18, 19, …"), "{message}");
    }
}
