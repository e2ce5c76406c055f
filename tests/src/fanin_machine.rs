//! The proptest machine for fan-ins: random producer counts, item counts,
//! capacities and stopping points (none, a cancel after the consumer has
//! received k items, the consumer dropped after k items), run on real
//! threads against any [`Variant`], and checked against what the contract
//! allows whatever the interleaving:
//! - an item is received at most once, in its producer's order, and only
//!   after it was sent; without a stop every item is received, no send
//!   fails, and the stream ends only once every producer has finished;
//! - a failed send gives back exactly the item it was given, never one
//!   that was received, and says why: `Cancelled` after a cancel,
//!   `Disconnected` after the consumer left;
//! - nobody hangs (the case runs under the watchdog).
//!
//! A failure shrinks to a minimal case, printed as a line of Rust to paste
//! into a regression test (see [`replay`]).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use contend_strategies::fanin::{Capacity, Consumer, Producer, SendError};
use proptest::prelude::*;
use proptest::test_runner::TestError;

use crate::fanin::{Item, Variant};

/// The channel's capacity in a case.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// A rendezvous (0); skipped by variants that refuse it.
    Rendezvous,
    /// One slot.
    One,
    /// Four slots.
    Four,
    /// No bound.
    Unbounded,
}

/// When the run is cut short, if at all.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Every producer sends everything; the stream ends by itself.
    Never,
    /// The consumer cancels the channel once it has received this many.
    CancelAfter(usize),
    /// The consumer drops its end once it has received this many.
    DropConsumerAfter(usize),
}

/// One generated case.
#[derive(Clone, PartialEq, Eq)]
pub struct Case {
    /// Items each producer sends (one entry per producer).
    pub items: Vec<u32>,
    /// The capacity.
    pub size: Size,
    /// How the run ends.
    pub stop: Stop,
}

impl Size {
    fn capacity(self) -> Capacity {
        match self {
            Size::Rendezvous => Capacity::Bounded(0),
            Size::One => Capacity::Bounded(1),
            Size::Four => Capacity::Bounded(4),
            Size::Unbounded => Capacity::Unbounded,
        }
    }
}

impl fmt::Debug for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Size::Rendezvous => "Rendezvous",
            Size::One => "One",
            Size::Four => "Four",
            Size::Unbounded => "Unbounded",
        };
        write!(f, "Size::{name}")
    }
}

impl fmt::Debug for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Never => write!(f, "Stop::Never"),
            Stop::CancelAfter(items) => write!(f, "Stop::CancelAfter({items})"),
            Stop::DropConsumerAfter(items) => write!(f, "Stop::DropConsumerAfter({items})"),
        }
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Case {{ items: vec!{:?}, size: {:?}, stop: {:?} }}",
            self.items, self.size, self.stop
        )
    }
}

/// Random cases: up to 6 producers of up to 12 items each.
pub fn any_case() -> impl Strategy<Value = Case> {
    let size = prop_oneof![
        Just(Size::Rendezvous),
        Just(Size::One),
        Just(Size::Four),
        Just(Size::Unbounded)
    ];
    let stop = prop_oneof![
        2 => Just(Stop::Never),
        1 => (0usize..20).prop_map(Stop::CancelAfter),
        1 => (0usize..20).prop_map(Stop::DropConsumerAfter),
    ];
    (proptest::collection::vec(0u32..12, 0..6), size, stop).prop_map(|(items, size, stop)| Case {
        items,
        size,
        stop,
    })
}

/// What one producer saw.
struct Sent {
    /// Sends that succeeded.
    ok: u32,
    /// The failed send, if any: its error.
    failed: Option<SendError<Item>>,
}

/// What the consumer saw.
struct Received {
    items: Vec<Item>,
    /// Producers not finished when `recv` returned `None` (if it did).
    unfinished_at_end: Option<Vec<usize>>,
}

/// Runs one case; `Err` names the broken promise.
pub fn run_case<F: Variant>(variant: &F, case: &Case) -> Result<(), String> {
    let Ok(channel) = variant.channel(case.items.len(), case.size.capacity()) else {
        return if case.size == Size::Rendezvous {
            Ok(())
        } else {
            Err(format!("refused capacity {}", case.size.capacity()))
        };
    };
    let finished: Arc<Vec<AtomicBool>> =
        Arc::new(case.items.iter().map(|_| AtomicBool::new(false)).collect());
    let producers: Vec<_> = channel
        .producers
        .into_iter()
        .zip(case.items.clone())
        .enumerate()
        .map(|(id, (producer, items))| {
            let finished = Arc::clone(&finished);
            thread::spawn(move || {
                let mut sent = Sent {
                    ok: 0,
                    failed: None,
                };
                for seq in 0..items {
                    match producer.send((id, seq)) {
                        Ok(()) => sent.ok += 1,
                        Err(error) => {
                            sent.failed = Some(error);
                            break;
                        }
                    }
                }
                finished[id].store(true, Ordering::SeqCst);
                drop(producer);
                sent
            })
        })
        .collect();
    let mut consumer = Some(channel.consumer);
    let mut received = Received {
        items: Vec::new(),
        unfinished_at_end: None,
    };
    while let Some(open) = consumer.as_mut() {
        if case.stop == Stop::DropConsumerAfter(received.items.len()) {
            consumer = None;
            break;
        }
        match open.recv() {
            Some(item) => {
                received.items.push(item);
                if case.stop == Stop::CancelAfter(received.items.len()) {
                    channel.canceller.cancel();
                }
            }
            None => {
                let unfinished = (0..case.items.len())
                    .filter(|id| !finished[*id].load(Ordering::SeqCst))
                    .collect();
                received.unfinished_at_end = Some(unfinished);
                break;
            }
        }
    }
    let sent: Vec<Sent> = producers
        .into_iter()
        .map(|producer| crate::watchdog::joined("a producer", producer.join()))
        .collect();
    drop(consumer);
    check(case, &sent, &received)
}

fn check(case: &Case, sent: &[Sent], received: &Received) -> Result<(), String> {
    let total: usize = case.items.iter().map(|items| *items as usize).sum();
    let stopped = match case.stop {
        Stop::Never => false,
        // The stop fires once `after` items were received: when that is
        // all of them, it still cuts the stream short of its own end.
        Stop::CancelAfter(after) | Stop::DropConsumerAfter(after) => after <= total,
    };
    let mut next = vec![0u32; case.items.len()];
    for &(id, seq) in &received.items {
        if seq < next[id] {
            return Err(format!(
                "item {seq} of producer {id} received twice or out of order"
            ));
        }
        if seq >= sent[id].ok {
            return Err(format!(
                "item {seq} of producer {id} received but never sent"
            ));
        }
        next[id] = seq + 1;
    }
    for (id, producer) in sent.iter().enumerate() {
        if let Some(error) = &producer.failed {
            let expected = match case.stop {
                Stop::CancelAfter(_) => error.is_cancelled(),
                Stop::DropConsumerAfter(_) => !error.is_cancelled(),
                Stop::Never => false,
            };
            if !stopped || !expected {
                return Err(format!(
                    "producer {id}: send failed with {error:?} under {:?}",
                    case.stop
                ));
            }
            let item = match error {
                SendError::Cancelled(item) | SendError::Disconnected(item) => *item,
            };
            if item != (id, producer.ok) {
                return Err(format!(
                    "producer {id}: a failed send gave back {item:?}, not ({id}, {})",
                    producer.ok
                ));
            }
        }
    }
    if !stopped {
        if received.items.len() != total {
            return Err(format!(
                "{} of {total} items received",
                received.items.len()
            ));
        }
        match &received.unfinished_at_end {
            Some(unfinished) if unfinished.is_empty() => {}
            Some(unfinished) => {
                return Err(format!(
                    "the stream ended while producers {unfinished:?} were still sending"
                ))
            }
            None => return Err("the consumer's loop did not end".into()),
        }
    }
    Ok(())
}

/// A fan-in under check: the variant and how long one case may run
/// before it counts as hung ([`crate::watchdog::default_limit`] unless
/// set). Any [`Variant`] converts into one, so `check_fanin(Mine)` and
/// `check_fanin(FanInSubject::new(Mine).watchdog(limit))` both work.
#[derive(Clone, Debug)]
pub struct FanInSubject<F> {
    /// The variant.
    pub variant: F,
    /// The limit on one case.
    pub watchdog: std::time::Duration,
}

impl<F: Variant> FanInSubject<F> {
    /// `variant` under the default watchdog.
    pub fn new(variant: F) -> Self {
        Self {
            variant,
            watchdog: crate::watchdog::default_limit(),
        }
    }

    /// The same subject with the watchdog's limit on one case set to `limit`.
    pub fn watchdog(mut self, limit: std::time::Duration) -> Self {
        self.watchdog = limit;
        self
    }
}

impl<F: Variant> From<F> for FanInSubject<F> {
    fn from(variant: F) -> Self {
        Self::new(variant)
    }
}

/// Runs one case on its own thread under the subject's watchdog: a hang
/// fails within it, naming the case.
fn guarded_case<F: Variant>(subject: &FanInSubject<F>, case: &Case) -> Result<(), String> {
    let (variant, inside) = (subject.variant.clone(), case.clone());
    crate::watchdog::guard(subject.variant.name(), subject.watchdog, move |crumbs| {
        crumbs.at(format!("running {inside:?}"));
        run_case(&variant, &inside)
    })
    .and_then(|checked| checked)
}

/// Runs the machine on `subject` (a variant, or a [`FanInSubject`]);
/// `Err` carries the shrunk case. Prints the cases run on a line the
/// gate collects.
pub fn explore<F: Variant>(subject: impl Into<FanInSubject<F>>) -> Result<u32, String> {
    if crate::support::skipped_under_shuttle("the machine") {
        return Ok(0);
    }
    let subject = subject.into();
    let name = subject.variant.name();
    let outcome = crate::support::run_cases(any_case(), subject.watchdog, |case, within| {
        guarded_case(&subject.clone().watchdog(within), case)
    });
    match outcome {
        Ok(cases) => {
            crate::support::proptest_gate_line(format_args!("fan-in {name}: {cases} cases"));
            Ok(cases)
        }
        Err(TestError::Fail(why, case)) => Err(format!(
            "{name}: invariant broken: {why}\nminimal case; replay it with:\n    contend_tests::fanin_machine::replay({path}, &{case:?});",
            path = crate::support::public_path::<F>("fanin")
        )),
        Err(TestError::Abort(why)) => Err(format!("{name}: proptest aborted: {why}")),
    }
}

/// Checks a fan-in of yours with the whole machine: one call in a test.
pub fn check_fanin<F: Variant>(subject: impl Into<FanInSubject<F>>) -> u32 {
    explore(subject).unwrap_or_else(|failure| panic!("{failure}"))
}

/// Replays one case (paste the line a failure prints into a test).
pub fn replay<F: Variant>(subject: impl Into<FanInSubject<F>>, case: &Case) {
    let subject = subject.into();
    if let Err(why) = guarded_case(&subject, case) {
        panic!(
            "{}: invariant broken: {why}\ncase: {case:?}",
            subject.variant.name()
        );
    }
}
