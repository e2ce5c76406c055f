//! Fan-in throughput: P producer threads send `u64`s into one consumer
//! (the bench's own thread), for contend's variants beside the channel
//! libraries people would use instead.
//!
//! # Ids
//!
//! `fanin/p<P>/<variant>/cap<C>`: group `fanin/p<P>` (P producers), function
//! the variant, parameter the capacity `C` (`cap0` is a rendezvous,
//! `capunbounded` no bound). On disk:
//! `target/criterion/fanin_p<P>/<variant>/cap<C>/new/estimates.json`.
//! One iteration is one message, so `slope` is ns per message and the
//! throughput criterion prints is messages per second.
//!
//! Variants: `drop-close` and `closer` (contend's hand-written ones,
//! through the `FanIn` trait); `adapter-crossbeam`, `adapter-flume`,
//! `adapter-tokio` (contend's adapters, through the same trait); and the
//! raw libraries used directly, with their own close-on-last-drop:
//! `raw-crossbeam` (the anchor), `raw-std` (`sync_channel`, or `channel`
//! when unbounded), `raw-flume`, `raw-tokio` (`blocking_send` and
//! `blocking_recv` on threads).
//!
//! # Matrix
//!
//! - Every shape, P in 1, 2, 4, 16, 64 × C in 0, 1, 64, 65536, unbounded:
//!   `drop-close`, `closer`, `raw-crossbeam` (the anchor of the 1.2× target).
//! - The comparison shapes, P in 1, 4, 64 × C in 0, 64, unbounded: every
//!   other variant.
//! - Skipped, because the library has no such channel: capacity 0 for
//!   `raw-tokio` and `adapter-tokio` (tokio's mpsc has no rendezvous;
//!   std's `sync_channel(0)` and crossbeam's and flume's `bounded(0)` are
//!   rendezvous channels and are measured).
//!
//! # Method
//!
//! The producers are persistent threads ([`Crew`]), so no thread is
//! spawned in a measurement. A sample of `n` iterations opens a fresh
//! channel, hands one producer end to each of P crew threads, which send
//! `n` messages between them, and the consumer receives until the stream
//! ends (the last producer dropped its end). Opening the channel, waking
//! the producers and the close are a fixed cost per sample, which the
//! linear regression over samples of 1×…10× the iteration count puts in
//! the intercept, not the slope. `closer` starts its closer thread per
//! channel, so per sample: that is its design, and it lands in the
//! intercept too.

use std::hint::black_box;

use contend_benches::config;
use contend_benches::crew::{split, Crew, Job};
use contend_strategies::fanin::{
    Canceller, Capacity, Closer, Consumer, Crossbeam, DropClose, FanIn, Flume, Producer, TokioMpsc,
};
use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion, Throughput,
};

/// Every producer count measured.
const PRODUCERS: [usize; 5] = [1, 2, 4, 16, 64];
/// Every capacity measured.
const CAPACITIES: [Capacity; 5] = [
    Capacity::Bounded(0),
    Capacity::Bounded(1),
    Capacity::Bounded(64),
    Capacity::Bounded(65_536),
    Capacity::Unbounded,
];
/// The producer counts of the comparison shapes.
const COMPARISON_PRODUCERS: [usize; 3] = [1, 4, 64];
/// The capacities of the comparison shapes.
const COMPARISON_CAPACITIES: [Capacity; 3] = [
    Capacity::Bounded(0),
    Capacity::Bounded(64),
    Capacity::Unbounded,
];

/// A fan-in as the bench drives it: open a channel for P producers, send
/// from each producer end, receive until the stream ends.
trait Subject {
    /// One producer's end.
    type Tx: Send + 'static;
    /// The consumer's end.
    type Rx;

    /// The function name in benchmark ids.
    fn id(&self) -> &'static str;
    /// A channel for `producers` producers, or `None` if the library has
    /// no channel of this capacity.
    fn open(&self, producers: usize, capacity: Capacity) -> Option<(Vec<Self::Tx>, Self::Rx)>;
    /// Sends one message.
    fn send(tx: &Self::Tx, message: u64);
    /// The next message, or `None` once every producer end is gone.
    fn recv(rx: &mut Self::Rx) -> Option<u64>;
}

/// One of contend's fan-ins, driven through the `FanIn` trait.
struct Ours<F> {
    id: &'static str,
    fanin: F,
}

impl<F> Ours<F> {
    fn new(id: &'static str, fanin: F) -> Self {
        Self { id, fanin }
    }
}

impl<F: FanIn<u64>> Subject for Ours<F> {
    type Tx = F::Producer;
    /// The consumer, and the canceller kept alive: for the adapters on
    /// crossbeam and flume, dropping the last canceller cancels the channel.
    type Rx = (F::Consumer, Canceller);

    fn id(&self) -> &'static str {
        self.id
    }

    fn open(&self, producers: usize, capacity: Capacity) -> Option<(Vec<Self::Tx>, Self::Rx)> {
        let channel = self.fanin.channel(producers, capacity).ok()?;
        Some((channel.producers, (channel.consumer, channel.canceller)))
    }

    fn send(tx: &Self::Tx, message: u64) {
        assert!(tx.send(message).is_ok(), "nobody cancels or leaves");
    }

    fn recv(rx: &mut Self::Rx) -> Option<u64> {
        rx.0.recv()
    }
}

/// A library whose `bounded(n)` and `unbounded()` channels share one
/// `Sender` and `Receiver` type, used directly: crossbeam-channel, flume.
macro_rules! raw_subject {
    ($name:ident, $id:literal, $library:ident) => {
        #[doc = concat!("`", stringify!($library), "::bounded`/`unbounded`, used directly.")]
        struct $name;

        impl Subject for $name {
            type Tx = $library::Sender<u64>;
            type Rx = $library::Receiver<u64>;

            fn id(&self) -> &'static str {
                $id
            }

            fn open(
                &self,
                producers: usize,
                capacity: Capacity,
            ) -> Option<(Vec<Self::Tx>, Self::Rx)> {
                let (tx, rx) = match capacity {
                    Capacity::Bounded(n) => $library::bounded(n),
                    Capacity::Unbounded => $library::unbounded(),
                };
                Some((vec![tx; producers], rx))
            }

            fn send(tx: &Self::Tx, message: u64) {
                tx.send(message).expect("the consumer stays");
            }

            fn recv(rx: &mut Self::Rx) -> Option<u64> {
                rx.recv().ok()
            }
        }
    };
}

raw_subject!(RawCrossbeam, "raw-crossbeam", crossbeam_channel);
raw_subject!(RawFlume, "raw-flume", flume);

/// `std::sync::mpsc::sync_channel` (`channel` when unbounded), used directly.
struct RawStd;

/// A std sender of either kind.
#[derive(Clone)]
enum StdTx {
    Bounded(std::sync::mpsc::SyncSender<u64>),
    Unbounded(std::sync::mpsc::Sender<u64>),
}

impl Subject for RawStd {
    type Tx = StdTx;
    type Rx = std::sync::mpsc::Receiver<u64>;

    fn id(&self) -> &'static str {
        "raw-std"
    }

    fn open(&self, producers: usize, capacity: Capacity) -> Option<(Vec<Self::Tx>, Self::Rx)> {
        let (tx, rx) = match capacity {
            Capacity::Bounded(n) => {
                let (tx, rx) = std::sync::mpsc::sync_channel(n);
                (StdTx::Bounded(tx), rx)
            }
            Capacity::Unbounded => {
                let (tx, rx) = std::sync::mpsc::channel();
                (StdTx::Unbounded(tx), rx)
            }
        };
        Some((vec![tx; producers], rx))
    }

    fn send(tx: &Self::Tx, message: u64) {
        match tx {
            StdTx::Bounded(tx) => tx.send(message),
            StdTx::Unbounded(tx) => tx.send(message),
        }
        .expect("the consumer stays");
    }

    fn recv(rx: &mut Self::Rx) -> Option<u64> {
        rx.recv().ok()
    }
}

/// `tokio::sync::mpsc`, used directly from threads: `blocking_send` and
/// `blocking_recv`. Has no rendezvous.
struct RawTokio;

/// A tokio sender of either kind.
#[derive(Clone)]
enum TokioTx {
    Bounded(tokio::sync::mpsc::Sender<u64>),
    Unbounded(tokio::sync::mpsc::UnboundedSender<u64>),
}

/// A tokio receiver of either kind.
enum TokioRx {
    Bounded(tokio::sync::mpsc::Receiver<u64>),
    Unbounded(tokio::sync::mpsc::UnboundedReceiver<u64>),
}

impl Subject for RawTokio {
    type Tx = TokioTx;
    type Rx = TokioRx;

    fn id(&self) -> &'static str {
        "raw-tokio"
    }

    fn open(&self, producers: usize, capacity: Capacity) -> Option<(Vec<Self::Tx>, Self::Rx)> {
        let (tx, rx) = match capacity {
            Capacity::Bounded(0) => return None,
            Capacity::Bounded(n) => {
                let (tx, rx) = tokio::sync::mpsc::channel(n);
                (TokioTx::Bounded(tx), TokioRx::Bounded(rx))
            }
            Capacity::Unbounded => {
                let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
                (TokioTx::Unbounded(tx), TokioRx::Unbounded(rx))
            }
        };
        Some((vec![tx; producers], rx))
    }

    fn send(tx: &Self::Tx, message: u64) {
        let sent = match tx {
            TokioTx::Bounded(tx) => tx.blocking_send(message).is_ok(),
            TokioTx::Unbounded(tx) => tx.send(message).is_ok(),
        };
        assert!(sent, "the consumer stays");
    }

    fn recv(rx: &mut Self::Rx) -> Option<u64> {
        match rx {
            TokioRx::Bounded(rx) => rx.blocking_recv(),
            TokioRx::Unbounded(rx) => rx.blocking_recv(),
        }
    }
}

/// The parameter of a capacity in benchmark ids.
fn capacity_id(capacity: Capacity) -> String {
    match capacity {
        Capacity::Bounded(n) => format!("cap{n}"),
        Capacity::Unbounded => "capunbounded".to_owned(),
    }
}

/// One shape of one group: P producers, a capacity.
struct Shape<'a, 'g> {
    group: &'a mut BenchmarkGroup<'g, WallTime>,
    crew: &'a Crew,
    producers: usize,
    capacity: Capacity,
}

impl Shape<'_, '_> {
    /// Benchmarks `subject` at this shape, unless it has no such channel.
    fn measure<S: Subject>(&mut self, subject: &S) {
        let (producers, capacity, crew) = (self.producers, self.capacity, self.crew);
        if subject.open(producers, capacity).is_none() {
            return; // unsupported shape (tokio's rendezvous): skipped
        }
        let id = BenchmarkId::new(subject.id(), capacity_id(capacity));
        self.group.bench_function(id, |b| {
            b.iter_custom(|messages| {
                let (senders, mut rx) = subject
                    .open(producers, capacity)
                    .expect("the shape was supported a moment ago");
                let jobs: Vec<Job> = senders
                    .into_iter()
                    .zip(split(messages, producers))
                    .map(|(tx, count)| {
                        Box::new(move || {
                            for message in 0..count {
                                S::send(&tx, message);
                            }
                        }) as Job
                    })
                    .collect();
                let (elapsed, received) = crew.time(jobs, || {
                    let mut received = 0_u64;
                    while let Some(message) = S::recv(&mut rx) {
                        black_box(message);
                        received += 1;
                    }
                    received
                });
                assert_eq!(received, messages, "{} lost messages", subject.id());
                elapsed
            });
        });
    }
}

fn fanin(c: &mut Criterion) {
    let crew = Crew::new(*PRODUCERS.iter().max().expect("producer counts"));
    for producers in PRODUCERS {
        let mut group = c.benchmark_group(format!("fanin/p{producers}"));
        group.throughput(Throughput::Elements(1));
        for capacity in CAPACITIES {
            let mut shape = Shape {
                group: &mut group,
                crew: &crew,
                producers,
                capacity,
            };
            shape.measure(&Ours::new("drop-close", DropClose));
            shape.measure(&Ours::new("closer", Closer));
            shape.measure(&RawCrossbeam);
            if COMPARISON_PRODUCERS.contains(&producers)
                && COMPARISON_CAPACITIES.contains(&capacity)
            {
                shape.measure(&Ours::new("adapter-crossbeam", Crossbeam));
                shape.measure(&Ours::new("adapter-flume", Flume));
                shape.measure(&Ours::new("adapter-tokio", TokioMpsc));
                shape.measure(&RawStd);
                shape.measure(&RawFlume);
                shape.measure(&RawTokio);
            }
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = config::criterion();
    targets = fanin
}
criterion_main!(benches);
