//! The bounded ring shared by the hand-written variants (`drop-close` and
//! `closer`): a queue under the facade's `Mutex`, a condition variable for
//! the consumer and one for the producers. What differs between the two
//! variants is only *who* closes the ring, so that lives in their files.
//!
//! A capacity of 0 is a rendezvous, as in Go's unbuffered channel: the
//! item waits in a single slot and `send` returns only once the consumer
//! has taken it. While it waits, the sender can still take its item back
//! (on cancellation or when the consumer goes away), so the item is either
//! received or returned, never both and never neither.

use std::collections::VecDeque;

use super::{Canceller, Capacity, Consumer, SendError, TryRecvError};
use crate::sync::{Arc, Condvar, Mutex, MutexGuard};

#[derive(Debug)]
struct State<T> {
    items: VecDeque<T>,
    /// Items the queue may hold: the capacity, 1 for a rendezvous.
    slots: usize,
    rendezvous: bool,
    /// Items ever pushed and popped: a rendezvous sender's ticket is the
    /// value of `pushed` before its push; it is taken once `popped` passes it.
    pushed: u64,
    popped: u64,
    closed: bool,
    cancelled: bool,
    consumer_gone: bool,
}

impl<T> State<T> {
    /// Why a send must fail now, if it must.
    fn refusal(&self) -> Option<fn(T) -> SendError<T>> {
        if self.cancelled {
            Some(SendError::Cancelled)
        } else if self.consumer_gone || self.closed {
            Some(SendError::Disconnected)
        } else {
            None
        }
    }

    fn pop(&mut self) -> Option<T> {
        let item = self.items.pop_front()?;
        self.popped += 1;
        Some(item)
    }
}

/// A multi-producer, single-consumer queue that can be closed, cancelled
/// and abandoned by its consumer.
#[derive(Debug)]
pub(crate) struct Ring<T> {
    state: Mutex<State<T>>,
    /// The consumer waits here for an item (or the end).
    item_ready: Condvar,
    /// Producers wait here for room, and rendezvous senders for pickup.
    space: Condvar,
}

impl<T> Ring<T> {
    /// An open ring of the given capacity.
    pub(crate) fn new(capacity: Capacity) -> Self {
        let (slots, rendezvous) = match capacity {
            Capacity::Bounded(0) => (1, true),
            Capacity::Bounded(n) => (n, false),
            Capacity::Unbounded => (usize::MAX, false),
        };
        Self {
            state: Mutex::new(State {
                items: VecDeque::with_capacity(slots.min(1024)),
                slots,
                rendezvous,
                pushed: 0,
                popped: 0,
                closed: false,
                cancelled: false,
                consumer_gone: false,
            }),
            item_ready: Condvar::new(),
            space: Condvar::new(),
        }
    }

    /// Queues `item`, waiting for room (and, for a rendezvous, for the
    /// consumer to take it).
    pub(crate) fn send(&self, item: T) -> Result<(), SendError<T>> {
        let mut state = self.state.lock();
        loop {
            if let Some(refuse) = state.refusal() {
                return Err(refuse(item));
            }
            if state.items.len() < state.slots {
                break;
            }
            state = self.space.wait(state);
        }
        let ticket = state.pushed;
        state.pushed += 1;
        state.items.push_back(item);
        self.item_ready.notify_one();
        if !state.rendezvous {
            return Ok(());
        }
        loop {
            if state.popped > ticket {
                return Ok(());
            }
            if let Some(refuse) = state.refusal() {
                // Not taken: with a single slot, it is the only item queued.
                let item = state.items.pop_back().expect("an untaken item is queued");
                state.pushed -= 1;
                drop(state);
                // The slot is free again for the next sender.
                self.space.notify_all();
                return Err(refuse(item));
            }
            state = self.space.wait(state);
        }
    }

    /// Takes the next item, waiting for one; `None` once the ring is
    /// closed and empty, or cancelled.
    pub(crate) fn recv(&self) -> Option<T> {
        let mut state = self.state.lock();
        loop {
            match self.try_take(&mut state) {
                Err(TryRecvError::Empty) => state = self.item_ready.wait(state),
                taken => return taken.ok(),
            }
        }
    }

    /// Takes the next item if one is queued.
    pub(crate) fn try_recv(&self) -> Result<T, TryRecvError> {
        self.try_take(&mut self.state.lock())
    }

    fn try_take(&self, state: &mut MutexGuard<'_, State<T>>) -> Result<T, TryRecvError> {
        if state.cancelled {
            return Err(TryRecvError::Ended);
        }
        if let Some(item) = state.pop() {
            // A rendezvous wakes every producer: the one whose item was
            // taken, and those waiting for the slot.
            if state.rendezvous {
                self.space.notify_all();
            } else {
                self.space.notify_one();
            }
            return Ok(item);
        }
        if state.closed {
            Err(TryRecvError::Ended)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    /// Closes the ring: queued items are still delivered, then the
    /// consumer gets `None`. Returns whether this call closed it.
    pub(crate) fn close(&self) -> bool {
        let first = !std::mem::replace(&mut self.state.lock().closed, true);
        self.item_ready.notify_all();
        self.space.notify_all();
        first
    }

    /// Cancels the ring and wakes everyone waiting on it.
    pub(crate) fn cancel(&self) {
        self.state.lock().cancelled = true;
        self.item_ready.notify_all();
        self.space.notify_all();
    }

    /// Records that the consumer is gone; blocked producers wake up and
    /// get their items back.
    pub(crate) fn abandon(&self) {
        self.state.lock().consumer_gone = true;
        self.space.notify_all();
    }
}

/// The receiving end of the hand-written variants ([`DropClose`] and
/// [`Closer`]). Dropping it makes every send fail with
/// [`SendError::Disconnected`].
///
/// [`DropClose`]: super::DropClose
/// [`Closer`]: super::Closer
#[derive(Debug)]
pub struct RingConsumer<T> {
    ring: Arc<Ring<T>>,
}

impl<T> RingConsumer<T> {
    pub(crate) fn new(ring: Arc<Ring<T>>) -> Self {
        Self { ring }
    }
}

impl<T: Send> Consumer<T> for RingConsumer<T> {
    fn recv(&mut self) -> Option<T> {
        self.ring.recv()
    }

    fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.ring.try_recv()
    }
}

impl<T> Drop for RingConsumer<T> {
    fn drop(&mut self) {
        self.ring.abandon();
    }
}

/// A fresh ring with its consumer and canceller: what both hand-written
/// variants start from.
pub(crate) fn open<T: Send + 'static>(
    capacity: Capacity,
) -> (Arc<Ring<T>>, RingConsumer<T>, Canceller) {
    let ring = Arc::new(Ring::new(capacity));
    let cancel_ring = Arc::clone(&ring);
    let canceller = Canceller::new(move || cancel_ring.cancel());
    (Arc::clone(&ring), RingConsumer::new(ring), canceller)
}
