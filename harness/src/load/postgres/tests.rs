//! The downstream against a real throwaway server (each test starts its
//! own, and skips with one `SKIPPED:` line where PostgreSQL is not
//! installed).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;
use crate::servers::postgres::{start_or_skip, PostgresOptions, PostgresServer};

fn target(server: &PostgresServer, statement: Statement, connection: Connection) -> PostgresTarget {
    PostgresTarget {
        url: server.url(),
        statement,
        connection,
        timeout: Duration::from_secs(10),
        hold: Duration::ZERO,
    }
}

/// Runs `calls` calls (records `0..calls`) from `threads` threads.
fn run_threads(downstream: &Arc<PostgresDownstream>, threads: u64, calls: u64) -> Vec<CallOutcome> {
    let next = Arc::new(AtomicU64::new(0));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let downstream = downstream.clone();
            let next = next.clone();
            std::thread::spawn(move || {
                let mut outcomes = Vec::new();
                loop {
                    let record = next.fetch_add(1, Ordering::Relaxed);
                    if record >= calls {
                        return outcomes;
                    }
                    outcomes.push(downstream.call(record));
                }
            })
        })
        .collect();
    handles
        .into_iter()
        .flat_map(|handle| handle.join().unwrap())
        .collect()
}

fn assert_balanced(books: &PostgresBooks, calls: u64) {
    books.check().unwrap();
    assert_eq!(books.committed, calls, "{books:?}");
    assert_eq!(books.rows, calls);
    assert!(books.checked);
    assert!(books.missing.is_empty() && books.duplicated.is_empty() && books.in_doubt.is_empty());
}

#[test]
fn pooled_inserts_from_threads_all_commit_and_the_books_balance() {
    let test = "pooled_inserts_from_threads_all_commit_and_the_books_balance";
    let Some(server) = start_or_skip(test, PostgresOptions::default()) else {
        return;
    };
    let target = target(&server, Statement::Insert, Connection::Pool { size: 4 });
    let downstream = Arc::new(PostgresDownstream::prepare(target, "threads").unwrap());
    assert_eq!(downstream.table(), "contend_rows_threads");
    let outcomes = run_threads(&downstream, 8, 200);
    assert!(
        outcomes.iter().all(|o| *o == CallOutcome::Committed),
        "{outcomes:?}"
    );
    let books = downstream.finish().unwrap();
    assert_balanced(&books, 200);
    assert!(books.errors.is_empty());
}

#[test]
fn pooled_inserts_from_tokio_tasks_all_commit_and_the_books_balance() {
    let test = "pooled_inserts_from_tokio_tasks_all_commit_and_the_books_balance";
    let Some(server) = start_or_skip(test, PostgresOptions::default()) else {
        return;
    };
    let target = target(&server, Statement::Insert, Connection::Pool { size: 4 });
    let downstream = Arc::new(PostgresDownstream::prepare(target, "tasks").unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let outcomes: Vec<CallOutcome> = runtime.block_on(async {
        let next = Arc::new(AtomicU64::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let downstream = downstream.clone();
                let next = next.clone();
                tokio::spawn(async move {
                    let mut outcomes = Vec::new();
                    loop {
                        let record = next.fetch_add(1, Ordering::Relaxed);
                        if record >= 200 {
                            return outcomes;
                        }
                        outcomes.push(downstream.call_async(record).await);
                    }
                })
            })
            .collect();
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.extend(task.await.unwrap());
        }
        outcomes
    });
    assert!(
        outcomes.iter().all(|o| *o == CallOutcome::Committed),
        "{outcomes:?}"
    );
    assert_balanced(&downstream.finish().unwrap(), 200);
}

#[test]
fn own_connections_past_max_connections_are_refused_and_a_pool_is_not() {
    let test = "own_connections_past_max_connections_are_refused_and_a_pool_is_not";
    let options = PostgresOptions {
        max_connections: 10,
        superuser_reserved_connections: 0,
    };
    let Some(server) = start_or_skip(test, options) else {
        return;
    };
    let sleep = Statement::Custom("select pg_sleep(0.2)".into());

    // 40 threads, each opening its own connection: at most 10 at once
    // get one.
    let own = target(&server, sleep.clone(), Connection::Own);
    let downstream = Arc::new(PostgresDownstream::prepare(own, "own").unwrap());
    let outcomes = run_threads(&downstream, 40, 80);
    let books = downstream.finish().unwrap();
    let refused = outcomes
        .iter()
        .filter(|o| **o == CallOutcome::Refused)
        .count() as u64;
    assert!(refused > 0, "{books:?}");
    assert!(books.committed > 0, "{books:?}");
    assert_eq!(books.refused, refused);
    assert_eq!(books.calls(), 80, "every call is in the books: {books:?}");
    assert_eq!((books.timed_out, books.failed), (0, 0), "{books:?}");
    assert!(
        books.errors.iter().any(|e| e.contains("53300")),
        "{:?}",
        books.errors
    );
    assert!(!books.checked, "a sleep writes no rows");
    books.check().unwrap();

    // The same load through a pool of 5: nobody is refused, they wait.
    let pooled = target(&server, sleep, Connection::Pool { size: 5 });
    let downstream = Arc::new(PostgresDownstream::prepare(pooled, "pool").unwrap());
    let outcomes = run_threads(&downstream, 40, 40);
    assert!(
        outcomes.iter().all(|o| *o == CallOutcome::Committed),
        "{outcomes:?}"
    );
    let books = downstream.finish().unwrap();
    assert_eq!((books.committed, books.refused), (40, 0), "{books:?}");
}

#[test]
fn reads_find_their_seeded_row_on_own_connections() {
    let test = "reads_find_their_seeded_row_on_own_connections";
    let Some(server) = start_or_skip(test, PostgresOptions::default()) else {
        return;
    };
    let target = target(&server, Statement::Read, Connection::Own);
    let downstream = PostgresDownstream::prepare(target, "reads").unwrap();
    for record in [0, 1, READ_ROWS - 1, READ_ROWS, 7 * READ_ROWS + 3] {
        assert_eq!(downstream.call(record), CallOutcome::Committed);
    }
    let books = downstream.finish().unwrap();
    assert_eq!((books.committed, books.rows, books.checked), (5, 0, false));

    // The tables are gone: the downstream cleaned up after itself.
    let mut client = postgres::Client::connect(&server.url(), postgres::NoTls).unwrap();
    let left: i64 = client
        .query_one(
            "select count(*) from pg_tables where tablename like 'contend_%'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(left, 0);
}

#[test]
fn a_statement_past_the_timeout_times_out_on_both_paths_and_its_connection_lives_on() {
    let test = "a_statement_past_the_timeout_times_out_on_both_paths_and_its_connection_lives_on";
    let Some(server) = start_or_skip(test, PostgresOptions::default()) else {
        return;
    };
    let mut target = target(
        &server,
        Statement::Custom("select pg_sleep(5)".into()),
        Connection::Pool { size: 1 },
    );
    target.timeout = Duration::from_millis(200);
    let downstream = PostgresDownstream::prepare(target, "slow").unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    // Twice each: the one pooled connection is reused after a timeout.
    for _ in 0..2 {
        assert_eq!(downstream.call(1), CallOutcome::TimedOut);
        assert_eq!(
            runtime.block_on(downstream.call_async(2)),
            CallOutcome::TimedOut
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let books = downstream.finish().unwrap();
    assert_eq!((books.timed_out, books.committed), (4, 0), "{books:?}");
    assert!(
        books.errors.iter().any(|e| e.contains("57014")),
        "the server cancelled the blocking call: {:?}",
        books.errors
    );
}

#[test]
fn prepare_says_which_mistake_a_bad_target_is() {
    let test = "prepare_says_which_mistake_a_bad_target_is";
    let bad = |url: &str, statement: Statement| {
        let target = PostgresTarget {
            url: url.into(),
            statement,
            connection: Connection::Own,
            timeout: Duration::from_secs(5),
            hold: Duration::ZERO,
        };
        PostgresDownstream::prepare(target, "bad").unwrap_err()
    };
    let unreachable = bad("postgres://nobody@127.0.0.1:1/x", Statement::Insert);
    assert!(
        unreachable.starts_with("cannot reach PostgreSQL at postgres://nobody@127.0.0.1:1/x"),
        "{unreachable}"
    );
    let invalid = bad(
        "postgres://nobody:hunter2@127.0.0.1:port/x",
        Statement::Insert,
    );
    assert!(
        invalid.contains("is not a valid PostgreSQL URL"),
        "{invalid}"
    );
    assert!(!invalid.contains("hunter2"), "{invalid}");
    let gibberish = bad("not a url", Statement::Insert);
    assert!(
        gibberish.contains("is not a valid PostgreSQL URL"),
        "{gibberish}"
    );

    let Some(server) = start_or_skip(test, PostgresOptions::default()) else {
        return;
    };
    let port = server.port();
    let login = bad(
        &format!("postgres://nobody@127.0.0.1:{port}/postgres"),
        Statement::Insert,
    );
    assert!(login.contains("refused the login"), "{login}");
    assert!(login.contains("\"nobody\""), "{login}");
    let database = bad(
        &format!("postgres://contend@127.0.0.1:{port}/nowhere"),
        Statement::Insert,
    );
    assert!(database.contains("has no such database"), "{database}");
    let custom = bad(&server.url(), Statement::Custom("selec 1".into()));
    assert!(custom.contains("does not prepare"), "{custom}");
    assert!(custom.contains("syntax error"), "{custom}");
}

#[test]
fn a_server_that_goes_away_mid_run_gives_counted_outcomes_not_a_panic_or_a_hang() {
    let test = "a_server_that_goes_away_mid_run_gives_counted_outcomes_not_a_panic_or_a_hang";
    let Some(server) = start_or_skip(test, PostgresOptions::default()) else {
        return;
    };
    let mut target = target(&server, Statement::Insert, Connection::Pool { size: 4 });
    target.timeout = Duration::from_millis(500);
    let downstream = Arc::new(PostgresDownstream::prepare(target, "gone").unwrap());
    let started = Instant::now();
    let run_for = Duration::from_millis(1200);
    let next = Arc::new(AtomicU64::new(0));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let downstream = downstream.clone();
            let next = next.clone();
            std::thread::spawn(move || {
                while started.elapsed() < run_for {
                    downstream.call(next.fetch_add(1, Ordering::Relaxed));
                }
            })
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let downstream = downstream.clone();
            let next = next.clone();
            runtime.spawn(async move {
                while started.elapsed() < run_for {
                    downstream
                        .call_async(next.fetch_add(1, Ordering::Relaxed))
                        .await;
                    // A call that fails at once must not starve the timer.
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    drop(server);
    for thread in threads {
        thread.join().expect("a blocking caller panicked");
    }
    runtime.block_on(async {
        for task in tasks {
            task.await.expect("an async caller panicked");
        }
    });
    assert!(
        started.elapsed() < run_for + Duration::from_secs(3),
        "callers hung: {:?}",
        started.elapsed()
    );
    let counts = downstream.tally.counts();
    let calls = next.load(Ordering::Relaxed);
    assert_eq!(
        counts.committed + counts.refused + counts.timed_out + counts.failed,
        calls,
        "every call is counted: {counts:?}"
    );
    assert!(counts.committed > 0, "{counts:?}");
    assert!(
        counts.refused + counts.timed_out + counts.failed > 0,
        "{counts:?}"
    );
    let error = downstream.finish().unwrap_err();
    assert!(error.contains("cannot read the books"), "{error}");
    assert!(error.contains("cannot reach PostgreSQL"), "{error}");
}

#[test]
fn books_name_an_id_inserted_twice_and_one_deleted() {
    let test = "books_name_an_id_inserted_twice_and_one_deleted";
    let Some(server) = start_or_skip(test, PostgresOptions::default()) else {
        return;
    };
    let target = target(&server, Statement::Insert, Connection::Own);
    let downstream = PostgresDownstream::prepare(target, "tampered").unwrap();
    for record in 0..10 {
        assert_eq!(downstream.call(record), CallOutcome::Committed);
    }
    let mut client = postgres::Client::connect(&server.url(), postgres::NoTls).unwrap();
    let table = downstream.table();
    client
        .batch_execute(&format!(
            "insert into {table} values (3); delete from {table} where id = 7; \
             insert into {table} values (99)"
        ))
        .unwrap();
    let books = downstream.finish().unwrap();
    assert_eq!(books.duplicated, vec![3]);
    assert_eq!(books.missing, vec![7]);
    assert_eq!(
        books.in_doubt,
        vec![99],
        "a row no call committed is in doubt"
    );
    assert_eq!(books.rows, 11);
    let error = books.check().unwrap_err();
    assert!(error.contains("missing from the table: 7"), "{error}");
    assert!(error.contains("more than once: 3"), "{error}");
}

#[test]
fn a_target_round_trips_through_json_and_the_call_future_is_send() {
    let target = PostgresTarget {
        url: "postgres://contend@127.0.0.1:5432/postgres".into(),
        statement: Statement::Custom("select $1".into()),
        connection: Connection::Pool { size: 5 },
        timeout: Duration::from_secs(2),
        hold: Duration::from_millis(20),
    };
    let json = serde_json::to_string(&target).unwrap();
    assert!(
        json.contains(r#""connection":{"type":"pool","size":5}"#),
        "{json}"
    );
    assert!(
        json.contains(r#""statement":{"custom":"select $1"}"#),
        "{json}"
    );
    assert_eq!(
        serde_json::from_str::<PostgresTarget>(&json).unwrap(),
        target
    );

    fn send<T: Send>(_: &T) {}
    fn sync<T: Send + Sync>() {}
    sync::<PostgresDownstream>();
    let never: Option<&PostgresDownstream> = None;
    if let Some(downstream) = never {
        send(&downstream.call_async(0));
    }
}
