//! A `fanin` cell, in the child process: `producers` threads each send
//! `items` numbered items into one [`FanIn`] channel, this thread
//! consumes until the stream ends; then the books. With `send = "async"`
//! (`tokio-mpsc` only) the producers are tokio tasks awaiting each send,
//! on a runtime of one thread per core, instead of threads.
//!
//! Each item carries its producer, its sequence number and when its send
//! began, so the consumer times delivery (send call to receipt) and
//! checks, per producer, that every item arrives exactly once and in
//! order ([`FanInTally`]). A producer counts itself finished just before
//! it drops its end: when the stream ends, every producer must have
//! counted itself, or the stream ended early.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use contend_strategies::fanin::{
    Capacity, Closer, Consumer, Crossbeam, DropClose, FanIn, FanInChannel, Flume, Producer,
    TokioMpsc, TokioProducer,
};
use contend_strategies::pool::available_cores;

use super::books::FanInTally;
use super::workload::FanInWorkload;
use crate::kinds::measure::{finish, with_progress, Measured, Probes};
use crate::kinds::{CellSpec, StrategyParams};
use crate::load::service::Io;
use crate::record::{Collector, Metric};
use crate::results::{Books, Repetition, Status};

/// The fan-in variants a scenario may name, with one line each.
pub const STRATEGIES: [(&str, &str); 5] = [
    (
        "drop-close",
        "a mutex and two condvars; closes when the last producer drops",
    ),
    (
        "closer",
        "Go's wg.Wait(); close(ch): a closer thread waits for every producer",
    ),
    (
        "tokio-mpsc",
        "tokio's mpsc channel, from threads or (send = \"async\") from tasks (capacity >= 1 or unbounded)",
    ),
    ("crossbeam", "crossbeam-channel"),
    ("flume", "flume"),
];

/// The names of [`STRATEGIES`].
pub const NAMES: [&str; 5] = [
    STRATEGIES[0].0,
    STRATEGIES[1].0,
    STRATEGIES[2].0,
    STRATEGIES[3].0,
    STRATEGIES[4].0,
];

/// What travels through the channel.
#[derive(Debug)]
pub struct Item {
    producer: u32,
    seq: u64,
    sent: Instant,
}

/// Something to do with a fan-in variant, whatever its type.
trait WithVariant {
    type Out;
    fn with<F: FanIn<Item>>(self, fanin: F) -> Self::Out;
}

/// Calls `action` with the variant `name`; `None` for an unknown name.
fn dispatch<A: WithVariant>(name: &str, action: A) -> Option<A::Out> {
    Some(match name {
        "drop-close" => action.with(DropClose),
        "closer" => action.with(Closer),
        "tokio-mpsc" => action.with(TokioMpsc),
        "crossbeam" => action.with(Crossbeam),
        "flume" => action.with(Flume),
        _ => return None,
    })
}

fn capacity(params: &StrategyParams) -> Capacity {
    params
        .capacity
        .map_or(Capacity::Unbounded, Capacity::Bounded)
}

/// The one variant whose producers can send from async tasks.
const ASYNC_SENDER: &str = "tokio-mpsc";

/// Whether the producers of a cell are tokio tasks.
fn sends_async(params: &StrategyParams) -> bool {
    params.send == Some(Io::Async)
}

/// Checks that the variant `name` builds a channel with `params`
/// (producers, capacity, send): what validation does before anything runs.
pub fn check(name: &str, params: &StrategyParams) -> Result<(), String> {
    if sends_async(params) && name != ASYNC_SENDER {
        return Err(format!(
            "send = \"async\" needs producers that can await a send; only `{ASYNC_SENDER}` has them (set `send` in its own [[strategy]] table)"
        ));
    }
    struct Build<'a>(&'a StrategyParams);
    impl WithVariant for Build<'_> {
        type Out = Result<(), String>;
        fn with<F: FanIn<Item>>(self, fanin: F) -> Self::Out {
            fanin
                .channel(self.0.producers, capacity(self.0))
                .map(drop)
                .map_err(|e| e.to_string())
        }
    }
    dispatch(name, Build(params)).unwrap_or_else(|| {
        Err(format!(
            "unknown fan-in strategy `{name}`; allowed: {}",
            NAMES.join(", ")
        ))
    })
}

/// Runs one repetition of a fan-in cell.
pub fn run(spec: &CellSpec, workload: &FanInWorkload, stop: &Arc<AtomicBool>) -> Repetition {
    struct Drive<'a> {
        spec: &'a CellSpec,
        workload: &'a FanInWorkload,
        stop: &'a Arc<AtomicBool>,
    }
    impl WithVariant for Drive<'_> {
        type Out = Repetition;
        fn with<F: FanIn<Item>>(self, fanin: F) -> Repetition {
            drive(fanin, self.spec, self.workload, self.stop, on_threads)
        }
    }
    if sends_async(&spec.params) && spec.strategy == ASYNC_SENDER {
        return drive(TokioMpsc, spec, workload, stop, on_tasks);
    }
    dispatch(
        &spec.strategy,
        Drive {
            spec,
            workload,
            stop,
        },
    )
    .unwrap_or_else(|| {
        Repetition::failed(Status::Crashed {
            message: format!("unknown fan-in strategy `{}`", spec.strategy),
        })
    })
}

/// What every producer of a cell shares.
#[derive(Clone)]
struct Producing {
    items: u64,
    collector: Collector,
    /// Producers that have finished (counted just before each drops its end).
    finished: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

/// Runs the producers of one cell to their end; (sent, failed sends) each.
type RunProducers<P> = fn(Vec<P>, &Producing) -> Vec<(u64, u64)>;

fn drive<F: FanIn<Item>>(
    fanin: F,
    spec: &CellSpec,
    workload: &FanInWorkload,
    stop: &Arc<AtomicBool>,
    run_producers: RunProducers<F::Producer>,
) -> Repetition {
    let probes = Probes::start();
    let producers = spec.params.producers;
    let FanInChannel {
        producers: ends,
        mut consumer,
        canceller,
    } = match fanin.channel(producers, capacity(&spec.params)) {
        Ok(channel) => channel,
        Err(error) => {
            return Repetition::failed(Status::Crashed {
                message: format!("could not build: {error}"),
            })
        }
    };
    let producing = Producing {
        items: workload.items,
        collector: Collector::new(),
        finished: Arc::new(AtomicU64::new(0)),
        stop: Arc::clone(stop),
    };
    let collector = &producing.collector;
    let progress = AtomicU64::new(0);
    let mut tally = FanInTally::new(producers, workload.items);
    let started = Instant::now();
    let (sent, unfinished_at_end) =
        with_progress(spec.progress, &|| progress.load(Ordering::Relaxed), || {
            std::thread::scope(|scope| {
                let running = scope.spawn(|| run_producers(ends, &producing));
                while let Some(item) = consumer.recv() {
                    collector.record(Metric::Delivery, item.sent.elapsed().as_nanos() as u64);
                    tally.receive(item.producer, item.seq);
                    if tally.received() % 1024 == 0 {
                        progress.store(tally.received(), Ordering::Relaxed);
                    }
                }
                let unfinished = producers as u64 - producing.finished.load(Ordering::SeqCst);
                // A stream that ended early must not leave producers
                // blocked on a full channel: dropping the consumer fails
                // their sends.
                drop(consumer);
                let sent = running.join().expect("a producer never panics");
                (sent, unfinished)
            })
        });
    probes.sample();
    let wall = started.elapsed();
    drop(canceller);
    let histograms = collector.finish();
    let ok: Vec<u64> = sent.iter().map(|(ok, _)| *ok).collect();
    let failures = sent.iter().map(|(_, failed)| *failed).sum();
    let mut books = tally.books(
        &ok,
        failures,
        unfinished_at_end,
        histograms.get(Metric::Delivery).len(),
    );
    books.sends_recorded = Some(histograms.get(Metric::Send).len());
    finish(
        probes,
        Measured {
            wall,
            done: books.received,
            books: Books::of(&books),
            interrupted: stop.load(Ordering::Relaxed),
            histograms,
        },
    )
}

/// Each producer on a thread of its own, calling the blocking `send`.
fn on_threads<P: Producer<Item>>(ends: Vec<P>, producing: &Producing) -> Vec<(u64, u64)> {
    std::thread::scope(|scope| {
        let running: Vec<_> = ends
            .into_iter()
            .enumerate()
            .map(|(index, end)| {
                scope.spawn(move || {
                    let sent = produce(index as u32, producing, |item| end.send(item).is_ok());
                    producing.collector.flush_thread();
                    producing.finished.fetch_add(1, Ordering::SeqCst);
                    drop(end);
                    sent
                })
            })
            .collect();
        running
            .into_iter()
            .map(|p| p.join().expect("a producer never panics"))
            .collect()
    })
}

/// Each producer a tokio task awaiting `send_async`, on a runtime of one
/// thread per core; the runtime is dropped (its threads joined, their
/// latencies flushed) before this returns.
fn on_tasks(ends: Vec<TokioProducer<Item>>, producing: &Producing) -> Vec<(u64, u64)> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(available_cores())
        .thread_name("contend-producer")
        .build()
        .expect("a tokio runtime builds");
    let tasks: Vec<_> = ends
        .into_iter()
        .enumerate()
        .map(|(index, end)| {
            let producing = producing.clone();
            runtime.spawn(async move {
                let sent = produce_async(index as u32, &producing, &end).await;
                producing.finished.fetch_add(1, Ordering::SeqCst);
                drop(end);
                sent
            })
        })
        .collect();
    let sent = runtime.block_on(async {
        let mut sent = Vec::with_capacity(tasks.len());
        for task in tasks {
            sent.push(task.await.expect("a producer task never panics"));
        }
        sent
    });
    drop(runtime);
    sent
}

/// The items one producer sends, numbered and stamped as each is taken;
/// it stops early (at a multiple of 256) once a stop is asked.
fn items(producer: u32, producing: &Producing) -> impl Iterator<Item = Item> + '_ {
    (0..producing.items)
        .take_while(|seq| seq % 256 != 0 || !producing.stop.load(Ordering::Relaxed))
        .map(move |seq| Item {
            producer,
            seq,
            sent: Instant::now(),
        })
}

/// Records how long the send of an item stamped `begun` took.
fn record_send(producing: &Producing, begun: Instant) {
    producing
        .collector
        .record(Metric::Send, begun.elapsed().as_nanos() as u64);
}

/// One producer: sends its items through `send` (false: the send
/// failed), timing each. Returns (sent, failed sends).
fn produce(producer: u32, producing: &Producing, send: impl Fn(Item) -> bool) -> (u64, u64) {
    let mut sent = 0;
    for item in items(producer, producing) {
        let begun = item.sent;
        if !send(item) {
            return (sent, 1);
        }
        record_send(producing, begun);
        sent += 1;
    }
    (sent, 0)
}

/// [`produce`], awaiting each send.
async fn produce_async(
    producer: u32,
    producing: &Producing,
    end: &TokioProducer<Item>,
) -> (u64, u64) {
    let mut sent = 0;
    for item in items(producer, producing) {
        let begun = item.sent;
        if end.send_async(item).await.is_err() {
            return (sent, 1);
        }
        record_send(producing, begun);
        sent += 1;
    }
    (sent, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::fanin::books::FanInBooks;

    fn books_of(received: &[(u32, u64)], sent: &[u64]) -> FanInBooks {
        let mut tally = FanInTally::new(sent.len(), 8);
        for &(p, seq) in received {
            tally.receive(p, seq);
        }
        tally.books(sent, 0, 0, received.len() as u64)
    }

    #[test]
    fn every_item_once_and_in_order_per_producer_balances_the_books() {
        // Producers interleave freely; each one's items stay in order.
        let books = books_of(&[(0, 0), (1, 0), (1, 1), (0, 1), (0, 2), (1, 2)], &[3, 3]);
        assert_eq!(books.check(), Ok(()));
        assert_eq!(books.sent, 6);
        assert_eq!(crate::results::KindBooks::lost(&books), 0);
    }

    #[test]
    fn a_duplicated_item_fails_the_fanin_books() {
        let books = books_of(&[(0, 0), (0, 1), (0, 1), (0, 2)], &[3]);
        assert_eq!(books.duplicates, 1);
        let message = books.check().unwrap_err();
        assert!(
            message.contains("1 items were received more than once"),
            "{message}"
        );
        assert_eq!(crate::results::KindBooks::lost(&books), 1);
    }

    #[test]
    fn a_missing_item_fails_the_fanin_books() {
        let books = books_of(&[(0, 0), (0, 2), (1, 0)], &[3, 1]);
        assert_eq!(books.missing, 1);
        assert!(books
            .check()
            .unwrap_err()
            .contains("1 items sent were never received"));
    }

    #[test]
    fn an_out_of_order_item_fails_the_fanin_books() {
        // Item 1 came before item 0: both arrived out of place.
        let books = books_of(&[(0, 1), (0, 0), (0, 2)], &[3]);
        assert_eq!((books.out_of_order, books.missing), (2, 0));
        assert!(books.check().unwrap_err().contains("out of order"));
    }

    #[test]
    fn a_stream_that_ends_before_every_producer_finished_fails_the_books() {
        let mut tally = FanInTally::new(2, 4);
        tally.receive(0, 0);
        let books = tally.books(&[1, 0], 0, 1, 1);
        assert!(books
            .check()
            .unwrap_err()
            .contains("ended while 1 of 2 producers had not finished"));
    }

    #[test]
    fn send_latencies_lost_by_a_producer_fail_the_books() {
        let mut books = books_of(&[(0, 0), (0, 1)], &[2]);
        books.sends_recorded = Some(2);
        assert_eq!(books.check(), Ok(()));
        books.sends_recorded = Some(1);
        assert!(books
            .check()
            .unwrap_err()
            .contains("recorded 1 send latencies for 2 items sent"));
    }

    #[test]
    fn async_sends_are_refused_for_a_variant_without_them() {
        let params = StrategyParams {
            send: Some(Io::Async),
            ..StrategyParams::default()
        };
        assert_eq!(check(ASYNC_SENDER, &params), Ok(()));
        for name in NAMES.into_iter().filter(|name| *name != ASYNC_SENDER) {
            let error = check(name, &params).unwrap_err();
            assert!(error.contains("only `tokio-mpsc`"), "{name}: {error}");
        }
    }

    #[test]
    fn an_item_from_nowhere_or_a_failed_send_fails_the_books() {
        let books = books_of(&[(5, 0)], &[0]);
        assert_eq!(books.phantom, 1);
        assert!(books.check().is_err());
        let tally = FanInTally::new(1, 4);
        assert!(tally
            .books(&[0], 1, 0, 0)
            .check()
            .unwrap_err()
            .contains("sends failed"));
    }

    #[test]
    fn every_named_variant_builds_and_unsupported_capacities_are_refused() {
        let mut params = StrategyParams {
            producers: 3,
            capacity: Some(8),
            ..StrategyParams::default()
        };
        for name in NAMES {
            assert_eq!(check(name, &params), Ok(()), "{name}");
        }
        params.capacity = Some(0);
        assert!(check("tokio-mpsc", &params)
            .unwrap_err()
            .contains("allowed"));
        assert!(check("nope", &params)
            .unwrap_err()
            .contains("allowed: drop-close"));
    }
}
