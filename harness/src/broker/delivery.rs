//! A message as a consumer receives it, and what completing it did.
//!
//! A delivery carries what the consumer needs to run the job and to
//! measure it: the job's id, when the producer published it (for the
//! publish-to-completion latency), and how often the broker has handed it
//! out (more than once after a consumer died holding it). Completing it
//! says whether this completion was the job's first effect, so a consumer
//! can count its own duplicates; the run's books do not rely on that
//! count, which dies with a killed consumer, but on the broker's.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// A message handed to a consumer: delivered, not yet acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The broker's id for the message (a Redis stream entry id such as
    /// `1700000000000-0`); [`Broker::complete`](super::Broker::complete)
    /// acknowledges it.
    pub id: String,
    /// The job's id, as published.
    pub job: u64,
    /// When the producer published it, in nanoseconds since the Unix
    /// epoch, by the producer's clock.
    pub published_at_unix_nanos: u64,
    /// How many times the broker has delivered this message, this time
    /// included: 1 for a first delivery, more once it was claimed from a
    /// consumer that did not acknowledge it.
    pub times_delivered: u64,
}

/// What [`Broker::complete`](super::Broker::complete) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    /// This completion performed the job's side effect for the first time;
    /// `false` for a duplicate (another consumer completed it already).
    pub first_effect: bool,
    /// This completion acknowledged the message; `false` when it had been
    /// acknowledged already (by a consumer it was claimed from, or by an
    /// earlier completion).
    pub acked: bool,
}

/// Now, in nanoseconds since the Unix epoch: the producer's
/// `published_at_unix_nanos`. Compared across hosts, it carries their
/// clocks' difference.
pub fn unix_nanos_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
        })
}
