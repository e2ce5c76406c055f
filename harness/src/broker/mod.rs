//! The message broker of the `queue` scenario, behind a trait.
//!
//! In a `queue` scenario an open-loop producer publishes jobs and consumer
//! *processes* (maybe on other hosts, or in another network namespace),
//! each running a worker pool, take them, run them, perform an idempotent
//! side effect and acknowledge them. A consumer may be SIGKILLed mid-run;
//! the messages it held (delivered, unacknowledged) are then claimed by
//! the survivors, so none is lost. Since a killed consumer's memory is
//! gone, the run's books come from the broker's own state
//! ([`Broker::ledger`]), not from what the consumers counted.
//!
//! The [`Broker`] trait is what the scenario sees, so another broker
//! (Kafka, NATS) can stand behind it. The one here:
//!
//! - [`RedisStreams`]: Redis Streams with a consumer group; completion is
//!   one server-side script, atomic, so a crash around it loses nothing and
//!   books no extra effect.
//! - [`RedisServer`]: a throwaway `redis-server` for a run or a test, gone
//!   with its data when dropped.
//! - [`BrokerLedger`] and [`Backlog`]: the books at the end, the queue's
//!   depth meanwhile.
//! - [`BrokerError`]: a bad URL, an unreachable broker and a lost one, each
//!   told apart.

mod delivery;
mod error;
mod ledger;
mod pool;
mod redis_streams;
mod server;
#[cfg(test)]
mod tests;

use std::time::Duration;

pub use delivery::{unix_nanos_now, Completion, Delivery};
pub(crate) use error::redact as redact_url;
pub use error::BrokerError;
pub use ledger::{Backlog, BrokerLedger, PendingJob, LISTED};
pub use pool::Timeouts;
pub use redis_streams::RedisStreams;
pub use server::RedisServer;

/// A message broker with consumer groups and at-least-once delivery: every
/// published job is delivered to one consumer, and stays pending until
/// completed; a consumer's pending messages can be claimed by another.
///
/// Shared by a consumer's worker threads (behind an `Arc`): every method
/// may be called from many threads at once.
pub trait Broker: Send + Sync {
    /// Publishes job `job`, stamped with the producer's clock.
    fn publish(&self, job: u64, published_at_unix_nanos: u64) -> Result<(), BrokerError>;

    /// Up to `max` messages never delivered before, for `consumer`; waits
    /// up to `block` for the first one if none is there (no wait if
    /// `block` is zero), then returns what it has, maybe nothing. They stay
    /// pending at `consumer` until completed.
    fn fetch(
        &self,
        consumer: &str,
        max: usize,
        block: Duration,
    ) -> Result<Vec<Delivery>, BrokerError>;

    /// Up to `max` messages pending at any consumer and idle for at least
    /// `min_idle`, now pending at `consumer`: how survivors take over a
    /// dead consumer's messages. `min_idle` must exceed the longest time a
    /// live consumer holds a message, or live work is taken too (and
    /// completed twice: a counted duplicate, not a loss).
    fn claim_stale(
        &self,
        consumer: &str,
        min_idle: Duration,
        max: usize,
    ) -> Result<Vec<Delivery>, BrokerError>;

    /// Performs `delivery`'s side effect (idempotent: a job's effect
    /// happens once however often it is completed) and acknowledges it, as
    /// one step: a consumer killed around the call leaves both done or
    /// neither. Every call counts as a completion attempt of `consumer`.
    fn complete(&self, delivery: &Delivery, consumer: &str) -> Result<Completion, BrokerError>;

    /// How many messages wait for a first delivery, and how many are
    /// pending.
    fn backlog(&self) -> Result<Backlog, BrokerError>;

    /// The books at the end of a run in which the producer published jobs
    /// `0..published`, read from the broker's state; see
    /// [`BrokerLedger::check`].
    fn ledger(&self, published: u64) -> Result<BrokerLedger, BrokerError>;
}
