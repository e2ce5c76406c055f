//! The [`Broker`] on Redis Streams with one consumer group.
//!
//! Why Redis Streams: a consumer group gives each message to one consumer
//! and remembers it as pending until acknowledged, so a consumer that dies
//! holding messages loses none: `XAUTOCLAIM` hands them to a survivor once
//! they have been idle long enough. That is the failure the queue scenario
//! tests, and Redis keeps the books of it.
//!
//! The keys, all under `contend:{namespace}:` so that repetitions and
//! concurrent runs do not mix (the braces make them one hash slot, as a
//! script touching several keys needs on a cluster):
//!
//! | key | type | holds |
//! | --- | --- | --- |
//! | `stream` | stream | one entry per published job: fields `job`, `at` |
//! | `deliveries` | hash | job → completion attempts |
//! | `effects` | set | jobs whose side effect happened |
//! | `duplicates` | string | completion attempts beyond each job's first |
//! | `completed_by` | hash | consumer → completion attempts |
//!
//! The group (`workers`) starts at the stream's beginning, so jobs
//! published before any consumer connected are delivered too.
//! [`Broker::complete`] is one Lua script (`complete.lua`), atomic on the
//! server: a consumer killed around it leaves the effect and the
//! acknowledgement both done or both undone.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use redis::streams::{
    StreamAutoClaimReply, StreamId, StreamInfoGroupsReply, StreamPendingCountReply,
    StreamPendingReply, StreamRangeReply, StreamReadReply,
};
use redis::Script;

use super::error::BrokerError;
use super::ledger::{PendingJob, LISTED};
use super::pool::{Pool, Timeouts};
use super::{Backlog, Broker, BrokerLedger, Completion, Delivery};

/// The consumer group's name.
const GROUP: &str = "workers";

/// Ids checked per `SMISMEMBER` when looking for missing effects.
const MEMBERSHIP_BATCH: u64 = 10_000;

/// A [`Broker`] on Redis Streams: cheap to share between threads (behind an
/// `Arc`), each call on a pooled connection of its own.
pub struct RedisStreams {
    pool: Pool,
    keys: Keys,
    complete: Script,
}

/// The namespace's key names.
struct Keys {
    stream: String,
    deliveries: String,
    effects: String,
    duplicates: String,
    completed_by: String,
}

impl Keys {
    fn new(namespace: &str) -> Keys {
        let key = |name: &str| format!("contend:{{{namespace}}}:{name}");
        Keys {
            stream: key("stream"),
            deliveries: key("deliveries"),
            effects: key("effects"),
            duplicates: key("duplicates"),
            completed_by: key("completed_by"),
        }
    }

    fn all(&self) -> [&str; 5] {
        [
            &self.stream,
            &self.deliveries,
            &self.effects,
            &self.duplicates,
            &self.completed_by,
        ]
    }
}

impl RedisStreams {
    /// Connects to the Redis server at `url` (`redis://host:port/db`) with
    /// the default [`Timeouts`], and creates the stream and its consumer
    /// group under `namespace` if they do not exist yet.
    ///
    /// Errors: [`BrokerError::BadUrl`] for a URL that does not parse,
    /// [`BrokerError::Unreachable`] when nothing answers there.
    pub fn connect(url: &str, namespace: &str) -> Result<RedisStreams, BrokerError> {
        RedisStreams::connect_with(url, namespace, Timeouts::default())
    }

    /// [`RedisStreams::connect`] with other timeouts.
    pub fn connect_with(
        url: &str,
        namespace: &str,
        timeouts: Timeouts,
    ) -> Result<RedisStreams, BrokerError> {
        let broker = RedisStreams {
            pool: Pool::connect(url, timeouts)?,
            keys: Keys::new(namespace),
            complete: Script::new(include_str!("complete.lua")),
        };
        broker.create_group()?;
        Ok(broker)
    }

    /// The server's URL, any password hidden.
    pub fn url(&self) -> &str {
        self.pool.url()
    }

    /// Deletes the namespace's keys: the stream, its group and the books.
    pub fn delete_all(&self) -> Result<(), BrokerError> {
        let keys = self.keys.all();
        self.pool.run("delete", Duration::ZERO, |c| {
            redis::cmd("DEL").arg(&keys[..]).query::<()>(c)
        })
    }

    /// How many pooled connections are idle now.
    #[cfg(test)]
    pub(crate) fn idle_connections(&self) -> usize {
        self.pool.idle_count()
    }

    /// `XGROUP CREATE … MKSTREAM`; a group that exists already is fine.
    fn create_group(&self) -> Result<(), BrokerError> {
        let created = self.pool.run("create the group", Duration::ZERO, |c| {
            redis::cmd("XGROUP")
                .arg("CREATE")
                .arg(&self.keys.stream)
                .arg(GROUP)
                .arg("0")
                .arg("MKSTREAM")
                .query::<()>(c)
        });
        match created {
            Err(BrokerError::Refused { reason, .. }) if reason.contains("BUSYGROUP") => Ok(()),
            other => other,
        }
    }

    /// The deliveries count of each of `ids`, pending at `consumer`.
    fn times_delivered(
        &self,
        consumer: &str,
        ids: &[&str],
    ) -> Result<HashMap<String, u64>, BrokerError> {
        let replies: Vec<StreamPendingCountReply> =
            self.pool.run("claim_stale", Duration::ZERO, |c| {
                let mut pipe = redis::pipe();
                for id in ids {
                    pipe.cmd("XPENDING")
                        .arg(&self.keys.stream)
                        .arg(GROUP)
                        .arg(*id)
                        .arg(*id)
                        .arg(1)
                        .arg(consumer);
                }
                pipe.query(c)
            })?;
        Ok(replies
            .into_iter()
            .flat_map(|reply| reply.ids)
            .map(|pending| (pending.id, pending.times_delivered as u64))
            .collect())
    }

    /// The group's entry in `XINFO GROUPS`.
    fn backlog_of(reply: &StreamInfoGroupsReply, stream_len: u64) -> Result<Backlog, BrokerError> {
        let group = reply
            .groups
            .iter()
            .find(|group| group.name == GROUP)
            .ok_or_else(|| BrokerError::BadReply {
                operation: "backlog",
                reason: format!("no group `{GROUP}` on the stream"),
            })?;
        // `lag` is exact unless entries were deleted; `entries-read`
        // arithmetic is the fallback Redis itself documents.
        let waiting = match (group.lag, group.entries_read) {
            (Some(lag), _) => lag as u64,
            (None, Some(read)) => stream_len.saturating_sub(read as u64),
            (None, None) => {
                return Err(BrokerError::BadReply {
                    operation: "backlog",
                    reason: "the group reports neither lag nor entries-read (Redis < 7?)".into(),
                })
            }
        };
        Ok(Backlog {
            waiting,
            pending: group.pending as u64,
        })
    }

    /// Ids in `0..published` without an effect: their count, and the first
    /// [`LISTED`].
    fn missing(&self, published: u64) -> Result<(u64, Vec<u64>), BrokerError> {
        let mut count = 0;
        let mut listed = Vec::new();
        let mut start = 0;
        while start < published {
            let end = published.min(start + MEMBERSHIP_BATCH);
            let present: Vec<bool> = self.pool.run("ledger", Duration::ZERO, |c| {
                redis::cmd("SMISMEMBER")
                    .arg(&self.keys.effects)
                    .arg((start..end).collect::<Vec<u64>>())
                    .query(c)
            })?;
            for (job, present) in (start..end).zip(present) {
                if !present {
                    count += 1;
                    if listed.len() < LISTED {
                        listed.push(job);
                    }
                }
            }
            start = end;
        }
        Ok((count, listed))
    }

    /// The first [`LISTED`] pending messages, with their jobs.
    fn pending_jobs(&self) -> Result<Vec<PendingJob>, BrokerError> {
        let pending: StreamPendingCountReply = self.pool.run("ledger", Duration::ZERO, |c| {
            redis::cmd("XPENDING")
                .arg(&self.keys.stream)
                .arg(GROUP)
                .arg("-")
                .arg("+")
                .arg(LISTED)
                .query(c)
        })?;
        if pending.ids.is_empty() {
            return Ok(Vec::new());
        }
        let entries: Vec<StreamRangeReply> = self.pool.run("ledger", Duration::ZERO, |c| {
            let mut pipe = redis::pipe();
            for p in &pending.ids {
                pipe.cmd("XRANGE")
                    .arg(&self.keys.stream)
                    .arg(&p.id)
                    .arg(&p.id);
            }
            pipe.query(c)
        })?;
        Ok(pending
            .ids
            .into_iter()
            .zip(entries)
            .map(|(p, entry)| PendingJob {
                job: entry.ids.first().and_then(|e| e.get::<u64>("job")),
                id: p.id,
                consumer: p.consumer,
                times_delivered: p.times_delivered as u64,
            })
            .collect())
    }
}

/// A stream entry as a [`Delivery`].
fn delivery(
    entry: StreamId,
    times_delivered: u64,
    operation: &'static str,
) -> Result<Delivery, BrokerError> {
    let field = |name: &str| {
        entry.get::<u64>(name).ok_or_else(|| BrokerError::BadReply {
            operation,
            reason: format!("stream entry {} has no numeric `{name}` field", entry.id),
        })
    };
    Ok(Delivery {
        job: field("job")?,
        published_at_unix_nanos: field("at")?,
        times_delivered,
        id: entry.id,
    })
}

/// Whole milliseconds, rounded up so a short non-zero wait is not zero
/// (which `BLOCK` reads as forever).
fn millis_up(duration: Duration) -> u64 {
    let millis = duration.as_nanos().div_ceil(1_000_000);
    u64::try_from(millis).unwrap_or(u64::MAX)
}

impl Broker for RedisStreams {
    fn publish(&self, job: u64, published_at_unix_nanos: u64) -> Result<(), BrokerError> {
        self.pool.run("publish", Duration::ZERO, |c| {
            redis::cmd("XADD")
                .arg(&self.keys.stream)
                .arg("*")
                .arg("job")
                .arg(job)
                .arg("at")
                .arg(published_at_unix_nanos)
                .query::<()>(c)
        })
    }

    fn fetch(
        &self,
        consumer: &str,
        max: usize,
        block: Duration,
    ) -> Result<Vec<Delivery>, BrokerError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let block_ms = millis_up(block);
        let reply: Option<StreamReadReply> = self.pool.run("fetch", block, |c| {
            let mut cmd = redis::cmd("XREADGROUP");
            cmd.arg("GROUP")
                .arg(GROUP)
                .arg(consumer)
                .arg("COUNT")
                .arg(max);
            if block_ms > 0 {
                cmd.arg("BLOCK").arg(block_ms);
            }
            cmd.arg("STREAMS").arg(&self.keys.stream).arg(">");
            cmd.query(c)
        })?;
        reply
            .into_iter()
            .flat_map(|reply| reply.keys)
            .flat_map(|key| key.ids)
            .map(|entry| delivery(entry, 1, "fetch"))
            .collect()
    }

    fn claim_stale(
        &self,
        consumer: &str,
        min_idle: Duration,
        max: usize,
    ) -> Result<Vec<Delivery>, BrokerError> {
        let mut claimed: Vec<StreamId> = Vec::new();
        let mut cursor = "0-0".to_owned();
        while claimed.len() < max {
            let reply: StreamAutoClaimReply =
                self.pool.run("claim_stale", Duration::ZERO, |c| {
                    redis::cmd("XAUTOCLAIM")
                        .arg(&self.keys.stream)
                        .arg(GROUP)
                        .arg(consumer)
                        .arg(millis_up(min_idle))
                        .arg(&cursor)
                        .arg("COUNT")
                        .arg(max - claimed.len())
                        .query(c)
                })?;
            claimed.extend(reply.claimed);
            cursor = reply.next_stream_id;
            if cursor == "0-0" {
                break;
            }
        }
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<&str> = claimed.iter().map(|entry| entry.id.as_str()).collect();
        let counts = self.times_delivered(consumer, &ids)?;
        claimed
            .into_iter()
            .map(|entry| {
                // Gone from the list only if acknowledged meanwhile (by a
                // slow owner): it was delivered at least twice all the same.
                let times = counts.get(&entry.id).copied().unwrap_or(2);
                delivery(entry, times, "claim_stale")
            })
            .collect()
    }

    fn complete(&self, delivery: &Delivery, consumer: &str) -> Result<Completion, BrokerError> {
        let (first, acked): (i64, i64) = self.pool.run("complete", Duration::ZERO, |c| {
            self.complete
                .key(&self.keys.stream)
                .key(&self.keys.deliveries)
                .key(&self.keys.effects)
                .key(&self.keys.duplicates)
                .key(&self.keys.completed_by)
                .arg(GROUP)
                .arg(&delivery.id)
                .arg(delivery.job)
                .arg(consumer)
                .invoke(c)
        })?;
        Ok(Completion {
            first_effect: first == 1,
            acked: acked == 1,
        })
    }

    fn backlog(&self) -> Result<Backlog, BrokerError> {
        let (stream_len, groups): (u64, StreamInfoGroupsReply) =
            self.pool.run("backlog", Duration::ZERO, |c| {
                redis::pipe()
                    .atomic()
                    .cmd("XLEN")
                    .arg(&self.keys.stream)
                    .cmd("XINFO")
                    .arg("GROUPS")
                    .arg(&self.keys.stream)
                    .query(c)
            })?;
        RedisStreams::backlog_of(&groups, stream_len)
    }

    fn ledger(&self, published: u64) -> Result<BrokerLedger, BrokerError> {
        type Snapshot = (
            u64,
            u64,
            Option<u64>,
            StreamPendingReply,
            StreamInfoGroupsReply,
            BTreeMap<String, u64>,
        );
        let (stream_len, effects, duplicates, pending, groups, completed_by): Snapshot =
            self.pool.run("ledger", Duration::ZERO, |c| {
                redis::pipe()
                    .atomic()
                    .cmd("XLEN")
                    .arg(&self.keys.stream)
                    .cmd("SCARD")
                    .arg(&self.keys.effects)
                    .cmd("GET")
                    .arg(&self.keys.duplicates)
                    .cmd("XPENDING")
                    .arg(&self.keys.stream)
                    .arg(GROUP)
                    .cmd("XINFO")
                    .arg("GROUPS")
                    .arg(&self.keys.stream)
                    .cmd("HGETALL")
                    .arg(&self.keys.completed_by)
                    .query(c)
            })?;
        let backlog = RedisStreams::backlog_of(&groups, stream_len)?;
        let pending = pending.count() as u64;
        let (missing_count, missing) = self.missing(published)?;
        let pending_jobs = if pending > 0 {
            self.pending_jobs()?
        } else {
            Vec::new()
        };
        Ok(BrokerLedger {
            published,
            stream_len,
            effects,
            unexpected_effects: effects.saturating_sub(published - missing_count),
            missing_count,
            missing,
            duplicates: duplicates.unwrap_or(0),
            completed_by,
            waiting: backlog.waiting,
            pending,
            pending_jobs,
            acknowledged_all: pending == 0,
        })
    }
}

impl std::fmt::Debug for RedisStreams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStreams")
            .field("url", &self.pool.url())
            .field("stream", &self.keys.stream)
            .finish_non_exhaustive()
    }
}
