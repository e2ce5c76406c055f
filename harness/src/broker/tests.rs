//! The broker against a real, throwaway `redis-server`: the books balance
//! when they should and fail when they should, a dead consumer's messages
//! are claimed, errors are told apart, and one handle serves many threads.
//! Without `redis-server` each test says `SKIPPED` once and passes.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::*;

/// A server, or `None` (after one loud line) when there is no
/// `redis-server` here.
fn server(test: &str) -> Option<RedisServer> {
    started(test, RedisServer::start())
}

/// `Some(server)`, or `None` after one `SKIPPED` line for a missing
/// `redis-server`; panics on any other error.
fn started(test: &str, server: Result<RedisServer, BrokerError>) -> Option<RedisServer> {
    match server {
        Ok(server) => Some(server),
        Err(BrokerError::ServerNotFound { reason }) => {
            // Straight to fd 2 in one write: libtest would hide
            // `eprintln!` of a test that passes, and a skip must be seen
            // whole.
            let line = format!("SKIPPED: {test}: {reason}\n");
            let _ = std::io::stderr().write_all(line.as_bytes());
            None
        }
        Err(e) => panic!("{test}: {e}"),
    }
}

fn broker(server: &RedisServer, namespace: &str) -> RedisStreams {
    RedisStreams::connect(&server.url(), namespace).expect("connect")
}

fn publish(broker: &dyn Broker, jobs: std::ops::Range<u64>) {
    for job in jobs {
        broker.publish(job, unix_nanos_now()).expect("publish");
    }
}

/// Fetches and completes until nothing comes within 50 ms; returns how
/// many it completed.
fn drain(broker: &dyn Broker, consumer: &str) -> u64 {
    let mut done = 0;
    loop {
        let batch = broker
            .fetch(consumer, 64, Duration::from_millis(50))
            .expect("fetch");
        if batch.is_empty() {
            return done;
        }
        for delivery in &batch {
            let completion = broker.complete(delivery, consumer).expect("complete");
            assert_eq!(
                completion,
                Completion {
                    first_effect: true,
                    acked: true
                }
            );
            done += 1;
        }
    }
}

#[test]
fn two_consumers_complete_everything_and_the_books_balance() {
    let Some(server) = server("two_consumers_complete_everything_and_the_books_balance") else {
        return;
    };
    let broker = Arc::new(broker(&server, "two-consumers"));
    publish(&*broker, 0..1_000);
    let done = Arc::new(AtomicU64::new(0));
    let consumers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|name| {
            let broker = Arc::clone(&broker);
            let done = Arc::clone(&done);
            thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_secs(10);
                while done.load(Ordering::Relaxed) < 1_000 && Instant::now() < deadline {
                    for delivery in broker
                        .fetch(name, 20, Duration::from_millis(20))
                        .expect("fetch")
                    {
                        assert_eq!(delivery.times_delivered, 1);
                        broker.complete(&delivery, name).expect("complete");
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for consumer in consumers {
        consumer.join().expect("consumer thread");
    }
    let ledger = broker.ledger(1_000).expect("ledger");
    assert_eq!(ledger.check(), Ok(()), "{ledger:?}");
    assert_eq!(ledger.stream_len, 1_000);
    assert_eq!(ledger.effects, 1_000);
    assert_eq!(ledger.duplicates, 0);
    assert!(ledger.acknowledged_all);
    assert_eq!(ledger.completed_by.values().sum::<u64>(), 1_000);
}

#[test]
fn a_dead_consumers_messages_are_claimed_by_a_survivor() {
    let Some(server) = server("a_dead_consumers_messages_are_claimed_by_a_survivor") else {
        return;
    };
    let broker = broker(&server, "killed");
    publish(&broker, 0..200);
    // A takes 50 and dies holding them.
    let held = broker
        .fetch("a", 50, Duration::from_millis(100))
        .expect("fetch");
    assert_eq!(held.len(), 50);
    assert_eq!(drain(&broker, "b"), 150);

    let before = broker.ledger(200).expect("ledger");
    let message = before.check().unwrap_err();
    assert_eq!(before.pending, 50);
    assert_eq!(before.missing_count, 50);
    assert!(message.contains("held by a"), "{message}");

    // Nothing is idle for 10 s yet: live work is not taken.
    assert!(broker
        .claim_stale("b", Duration::from_secs(10), 100)
        .expect("claim")
        .is_empty());
    thread::sleep(Duration::from_millis(60));
    let claimed = broker
        .claim_stale("b", Duration::from_millis(50), 100)
        .expect("claim");
    let held_jobs: BTreeSet<u64> = held.iter().map(|d| d.job).collect();
    let claimed_jobs: BTreeSet<u64> = claimed.iter().map(|d| d.job).collect();
    assert_eq!(claimed_jobs, held_jobs);
    assert!(
        claimed.iter().all(|d| d.times_delivered == 2),
        "{claimed:?}"
    );
    for delivery in &claimed {
        let completion = broker.complete(delivery, "b").expect("complete");
        assert!(completion.first_effect && completion.acked);
    }

    let ledger = broker.ledger(200).expect("ledger");
    assert_eq!(ledger.check(), Ok(()), "{ledger:?}");
    assert!(ledger.missing.is_empty());
    assert_eq!(ledger.duplicates, 0);
    assert_eq!(ledger.completed_by.get("b"), Some(&200));
    assert_eq!(ledger.completed_by.get("a"), None);
}

#[test]
fn claim_stale_stops_at_max_and_resumes() {
    let Some(server) = server("claim_stale_stops_at_max_and_resumes") else {
        return;
    };
    let broker = broker(&server, "claim-max");
    publish(&broker, 0..30);
    assert_eq!(
        broker.fetch("a", 30, Duration::ZERO).expect("fetch").len(),
        30
    );
    thread::sleep(Duration::from_millis(20));
    let first = broker
        .claim_stale("b", Duration::from_millis(10), 12)
        .expect("claim");
    assert_eq!(first.len(), 12);
    thread::sleep(Duration::from_millis(20));
    // b's 12 are idle again too: a third consumer takes all 30.
    let rest = broker
        .claim_stale("c", Duration::from_millis(10), 100)
        .expect("claim");
    assert_eq!(rest.len(), 30);
    let times: BTreeSet<u64> = rest.iter().map(|d| d.times_delivered).collect();
    assert_eq!(times, BTreeSet::from([2, 3]));
}

#[test]
fn a_message_completed_twice_counts_one_duplicate_and_still_balances() {
    let Some(server) = server("a_message_completed_twice_counts_one_duplicate_and_still_balances")
    else {
        return;
    };
    let broker = broker(&server, "twice");
    publish(&broker, 0..3);
    let slow = broker.fetch("a", 1, Duration::ZERO).expect("fetch");
    assert_eq!(slow.len(), 1);
    thread::sleep(Duration::from_millis(20));
    // A is slow, not dead: B claims its message, and both complete it.
    let claimed = broker
        .claim_stale("b", Duration::from_millis(10), 10)
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].id, slow[0].id);
    let by_a = broker.complete(&slow[0], "a").expect("complete");
    let by_b = broker.complete(&claimed[0], "b").expect("complete");
    assert_eq!(
        by_a,
        Completion {
            first_effect: true,
            acked: true
        }
    );
    assert_eq!(
        by_b,
        Completion {
            first_effect: false,
            acked: false
        }
    );
    assert_eq!(drain(&broker, "b"), 2);

    let ledger = broker.ledger(3).expect("ledger");
    assert_eq!(ledger.check(), Ok(()), "{ledger:?}");
    assert_eq!(ledger.duplicates, 1);
    assert_eq!(ledger.effects, 3);
}

#[test]
fn the_books_fail_and_name_the_missing_and_the_pending_job() {
    let Some(server) = server("the_books_fail_and_name_the_missing_and_the_pending_job") else {
        return;
    };
    let broker = broker(&server, "unbalanced");
    publish(&broker, 0..10);
    let batch = broker.fetch("a", 10, Duration::ZERO).expect("fetch");
    assert_eq!(batch.len(), 10);
    let (left, done) = batch.split_last().expect("10 deliveries");
    for delivery in done {
        broker.complete(delivery, "a").expect("complete");
    }
    let ledger = broker.ledger(10).expect("ledger");
    assert_eq!(ledger.missing, vec![left.job]);
    assert_eq!(ledger.pending, 1);
    assert!(!ledger.acknowledged_all);
    let message = ledger.check().unwrap_err();
    assert!(
        message.contains(&format!(
            "1 of 10 jobs never had their effect: {}",
            left.job
        )),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "1 message delivered, never acknowledged: job {} ({}, held by a, delivered 1×)",
            left.job, left.id
        )),
        "{message}"
    );

    // A producer that claims more than the stream holds fails too.
    let message = broker.ledger(11).expect("ledger").check().unwrap_err();
    assert!(
        message.contains("the stream holds 10 messages, the producer published 11"),
        "{message}"
    );
}

#[test]
fn bad_urls_and_a_lost_server_give_clear_errors() {
    let unreachable = RedisStreams::connect("redis://127.0.0.1:1", "x").unwrap_err();
    assert!(
        matches!(unreachable, BrokerError::Unreachable { .. }),
        "{unreachable:?}"
    );
    assert!(
        unreachable
            .to_string()
            .starts_with("cannot reach the broker at redis://127.0.0.1:1"),
        "{unreachable}"
    );
    let bad = RedisStreams::connect("not a url", "x").unwrap_err();
    assert!(matches!(bad, BrokerError::BadUrl { .. }), "{bad:?}");
    assert!(
        bad.to_string().starts_with("bad broker URL `not a url`"),
        "{bad}"
    );

    let Some(server) = server("bad_urls_and_a_lost_server_give_clear_errors") else {
        return;
    };
    let broker = broker(&server, "lost");
    publish(&broker, 0..5);
    let batch = broker.fetch("a", 2, Duration::ZERO).expect("fetch");
    drop(server);

    let started = Instant::now();
    let fetched = broker
        .fetch("a", 2, Duration::from_millis(100))
        .unwrap_err();
    let completed = broker.complete(&batch[0], "a").unwrap_err();
    let published = broker.publish(9, 0).unwrap_err();
    let ledger = broker.ledger(5).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    for (error, operation) in [
        (&fetched, "fetch"),
        (&completed, "complete"),
        (&published, "publish"),
        (&ledger, "ledger"),
    ] {
        assert!(matches!(error, BrokerError::Lost { .. }), "{error:?}");
        let message = error.to_string();
        assert!(
            message.starts_with("lost the broker at redis://127.0.0.1:")
                && message.contains(&format!("during {operation}")),
            "{message}"
        );
    }
}

#[test]
fn backlog_counts_waiting_and_pending() {
    let Some(server) = server("backlog_counts_waiting_and_pending") else {
        return;
    };
    let broker = broker(&server, "backlog");
    assert_eq!(
        broker.backlog().expect("backlog"),
        Backlog {
            waiting: 0,
            pending: 0
        }
    );
    publish(&broker, 0..100);
    assert_eq!(
        broker.fetch("a", 30, Duration::ZERO).expect("fetch").len(),
        30
    );
    assert_eq!(
        broker.backlog().expect("backlog"),
        Backlog {
            waiting: 70,
            pending: 30
        }
    );
    // Namespaces do not mix.
    let other = RedisStreams::connect(&server.url(), "backlog-other").expect("connect");
    assert_eq!(other.backlog().expect("backlog").waiting, 0);
    // A reconnect to the same namespace keeps its group (BUSYGROUP).
    let again = RedisStreams::connect(&server.url(), "backlog").expect("connect");
    assert_eq!(again.backlog().expect("backlog").pending, 30);
    again.delete_all().expect("delete");
    assert!(broker.backlog().is_err());
}

#[test]
fn one_handle_serves_eight_threads_at_once() {
    let Some(server) = server("one_handle_serves_eight_threads_at_once") else {
        return;
    };
    let broker = Arc::new(broker(&server, "eight"));

    // Eight blocking fetches on an empty stream overlap: in turns they
    // would take 8 × 300 ms.
    let started = Instant::now();
    let fetchers: Vec<_> = (0..8)
        .map(|i| {
            let broker = Arc::clone(&broker);
            thread::spawn(move || {
                broker
                    .fetch(&format!("w{i}"), 1, Duration::from_millis(300))
                    .expect("fetch")
            })
        })
        .collect();
    for fetcher in fetchers {
        assert!(fetcher.join().expect("fetcher").is_empty());
    }
    let took = started.elapsed();
    assert!(took < Duration::from_millis(1_500), "{took:?}");
    assert!(
        broker.idle_connections() >= 2,
        "{}",
        broker.idle_connections()
    );

    // Throughput of `complete`, 1 thread and then 8, for the report.
    const ONE: u64 = 2_000;
    const EIGHT: u64 = 8_000;
    publish(&*broker, 0..ONE + EIGHT);
    let mut held = Vec::new();
    while (held.len() as u64) < ONE + EIGHT {
        held.extend(broker.fetch("w", 1_000, Duration::ZERO).expect("fetch"));
    }
    let rest = held.split_off(ONE as usize);
    let started = Instant::now();
    for delivery in &held {
        broker.complete(delivery, "w").expect("complete");
    }
    let one = ONE as f64 / started.elapsed().as_secs_f64();
    let chunks: Vec<Vec<Delivery>> = rest.chunks(EIGHT as usize / 8).map(<[_]>::to_vec).collect();
    let started = Instant::now();
    let workers: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            let broker = Arc::clone(&broker);
            thread::spawn(move || {
                for delivery in &chunk {
                    broker.complete(delivery, "w").expect("complete");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("worker");
    }
    let eight = EIGHT as f64 / started.elapsed().as_secs_f64();
    eprintln!("complete: {one:.0} messages/s from 1 thread, {eight:.0} messages/s from 8 threads");
    let ledger = broker.ledger(ONE + EIGHT).expect("ledger");
    assert_eq!(ledger.check(), Ok(()), "{ledger:?}");
}

#[test]
fn a_server_on_an_extra_address_goes_with_its_folder() {
    let extra = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
    let Some(server) = started(
        "a_server_on_an_extra_address_goes_with_its_folder",
        RedisServer::start_binding(&[extra]),
    ) else {
        return;
    };
    assert_eq!(server.binds(), &[IpAddr::V4(Ipv4Addr::LOCALHOST), extra]);
    let url = server.url_at(extra);
    assert!(url.starts_with("redis://127.0.0.2:"), "{url}");
    let broker = RedisStreams::connect(&url, "extra").expect("connect on the extra address");
    broker.publish(0, 0).expect("publish");
    assert_eq!(broker.backlog().expect("backlog").waiting, 1);

    let dir = server.dir().to_owned();
    let pid = libc::pid_t::try_from(server.pid()).expect("pid");
    assert!(dir.join("redis.log").is_file());
    drop(server);
    assert!(!dir.exists(), "{} is still there", dir.display());
    // SAFETY: signal 0 only checks that the process exists.
    let alive = unsafe { libc::kill(pid, 0) } == 0;
    assert!(!alive, "redis-server {pid} is still running");
}
