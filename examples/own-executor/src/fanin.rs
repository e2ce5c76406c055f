//! `QueueFanIn`: a fan-in a user writes: N producers pushing into one
//! queue behind a mutex of contend's sync facade, a condition variable
//! for "changed", and a count of live producers that ends the stream
//! when it reaches zero.
//!
//! [`QueueFanIn::eager`] is the same fan-in with the bug such channels
//! ship with, kept here to show contend catching it: the stream ends
//! when the queue is empty and *a* producer has finished, not every one.

use std::collections::VecDeque;

use contend_strategies::fanin::{
    Canceller, Capacity, CapacityError, Consumer, FanIn, FanInChannel, Producer, SendError,
    TryRecvError,
};
use contend_strategies::sync::{Arc, Condvar, Mutex};

/// The fan-in: bounded (one slot or more) or unbounded; no rendezvous.
#[derive(Clone, Copy, Debug, Default)]
pub struct QueueFanIn {
    /// The bug: the stream ends at the first producer's end.
    eager: bool,
}

impl QueueFanIn {
    /// The fan-in.
    pub fn new() -> Self {
        Self::default()
    }

    /// The fan-in whose stream ends when the first producer finishes:
    /// the deliberate bug.
    pub fn eager() -> Self {
        Self { eager: true }
    }
}

struct State<T> {
    queue: VecDeque<T>,
    live_producers: usize,
    finished_producers: usize,
    cancelled: bool,
    consumer_gone: bool,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    changed: Condvar,
    capacity: Option<usize>,
    eager: bool,
}

impl<T> Shared<T> {
    fn ended(&self, state: &State<T>) -> bool {
        state.cancelled || state.live_producers == 0 || (self.eager && state.finished_producers > 0)
    }
}

/// One producer; dropping it says it has finished.
pub struct QueueProducer<T>(Arc<Shared<T>>);

/// The one consumer.
pub struct QueueConsumer<T>(Arc<Shared<T>>);

impl<T: Send + 'static> FanIn<T> for QueueFanIn {
    type Producer = QueueProducer<T>;
    type Consumer = QueueConsumer<T>;

    fn name(&self) -> &'static str {
        if self.eager {
            "queue-fan-in-eager"
        } else {
            "queue-fan-in"
        }
    }

    fn channel(
        &self,
        producers: usize,
        capacity: Capacity,
    ) -> Result<FanInChannel<Self::Producer, Self::Consumer>, CapacityError> {
        let capacity = match capacity {
            Capacity::Bounded(0) => {
                return Err(CapacityError {
                    variant: FanIn::<T>::name(self),
                    requested: capacity,
                    allowed: "bounded(1) or more, or unbounded",
                })
            }
            Capacity::Bounded(slots) => Some(slots),
            Capacity::Unbounded => None,
        };
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                live_producers: producers,
                finished_producers: 0,
                cancelled: false,
                consumer_gone: false,
            }),
            changed: Condvar::new(),
            capacity,
            eager: self.eager,
        });
        let cancelled = Arc::clone(&shared);
        Ok(FanInChannel {
            producers: (0..producers)
                .map(|_| QueueProducer(Arc::clone(&shared)))
                .collect(),
            consumer: QueueConsumer(Arc::clone(&shared)),
            canceller: Canceller::new(move || {
                cancelled.state.lock().cancelled = true;
                cancelled.changed.notify_all();
            }),
        })
    }
}

impl<T: Send> Producer<T> for QueueProducer<T> {
    fn send(&self, item: T) -> Result<(), SendError<T>> {
        let mut state = self.0.state.lock();
        loop {
            if state.cancelled {
                return Err(SendError::Cancelled(item));
            }
            if state.consumer_gone {
                return Err(SendError::Disconnected(item));
            }
            if self
                .0
                .capacity
                .is_none_or(|slots| state.queue.len() < slots)
            {
                state.queue.push_back(item);
                drop(state);
                self.0.changed.notify_all();
                return Ok(());
            }
            state = self.0.changed.wait(state);
        }
    }
}

impl<T> Drop for QueueProducer<T> {
    fn drop(&mut self) {
        let mut state = self.0.state.lock();
        state.live_producers -= 1;
        state.finished_producers += 1;
        drop(state);
        self.0.changed.notify_all();
    }
}

impl<T: Send> Consumer<T> for QueueConsumer<T> {
    fn recv(&mut self) -> Option<T> {
        let mut state = self.0.state.lock();
        loop {
            if state.cancelled {
                return None;
            }
            if let Some(item) = state.queue.pop_front() {
                drop(state);
                self.0.changed.notify_all();
                return Some(item);
            }
            if self.0.ended(&state) {
                return None;
            }
            state = self.0.changed.wait(state);
        }
    }

    fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut state = self.0.state.lock();
        if state.cancelled {
            return Err(TryRecvError::Ended);
        }
        match state.queue.pop_front() {
            Some(item) => {
                drop(state);
                self.0.changed.notify_all();
                Ok(item)
            }
            None if self.0.ended(&state) => Err(TryRecvError::Ended),
            None => Err(TryRecvError::Empty),
        }
    }
}

impl<T> Drop for QueueConsumer<T> {
    fn drop(&mut self) {
        self.0.state.lock().consumer_gone = true;
        self.0.changed.notify_all();
    }
}
