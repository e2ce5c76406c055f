//! The bounded ring shared by the hand-written variants (`drop-close` and
//! `closer`): a queue under the facade's `Mutex`, a condition variable for
//! the consumer and two for the producers. What differs between the two
//! variants is only *who* closes the ring, so that lives in their files.
//!
//! A capacity of 0 is a rendezvous, as in Go's unbuffered channel: the
//! item waits in a single slot and `send` returns only once the consumer
//! has taken it. While it waits, the sender can still take its item back
//! (on cancellation or when the consumer goes away), so the item is either
//! received or returned, never both and never neither.
//!
//! # Why it is fast enough
//!
//! The lock is held for a push or a swap, never for a wait, and the ring
//! avoids the two costs a naive mutex-and-condvar queue pays per item:
//!
//! - *A wake-up call per item.* Notifying a condition variable is a system
//!   call even when nobody waits, so the ring counts its waiters (the
//!   consumer's flag, the producers waiting for room, the rendezvous
//!   sender waiting for pickup) and notifies only when someone is waiting.
//! - *A lock per received item.* The consumer takes *every* queued item in
//!   one acquisition, by swapping the queue with its own empty buffer, and
//!   then serves `recv` from that buffer without touching the lock. The
//!   taken items leave the ring, so their slots are free for producers at
//!   once; a bounded ring therefore holds at most `capacity` items, and the
//!   consumer's buffer at most what it took in its last swap. Only a
//!   cancellation must reach the buffer: it is mirrored in an atomic flag
//!   that `recv` checks before serving a buffered item.
//!
//! The two buffers swap back and forth, so a steady stream allocates
//! nothing per item.
//!
//! Outside loom, waiters also spin a little before they block, and a
//! consumer whose last swap was small lingers a moment before the next,
//! so that it takes items in batches instead of chasing them one by one
//! (see the `spin` module).

use std::collections::VecDeque;

use super::spin::{linger, Hints, LINGER_BELOW};
use super::{Canceller, Capacity, Consumer, SendError, TryRecvError};
use crate::backoff::{self, lock_with_backoff, spin_until};
use crate::padded::CachePadded;
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::{Arc, Condvar, Mutex, MutexGuard};

#[derive(Debug)]
struct State<T> {
    items: VecDeque<T>,
    /// Items the queue may hold: the capacity, 1 for a rendezvous.
    slots: usize,
    rendezvous: bool,
    /// Items ever pushed and taken: a rendezvous sender's ticket is the
    /// value of `pushed` before its push; it is taken once `taken` passes it.
    pushed: u64,
    taken: u64,
    closed: bool,
    cancelled: bool,
    consumer_gone: bool,
    /// The consumer waits on `item_ready` and nobody has notified it yet.
    consumer_waiting: bool,
    /// Producers waiting on `room` and not yet notified (see `wake_room`).
    room_waiters: usize,
    /// Rendezvous senders waiting on `picked_up`, not yet notified.
    pickup_waiters: usize,
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
}

/// A multi-producer, single-consumer queue that can be closed, cancelled
/// and abandoned by its consumer.
#[derive(Debug)]
pub(crate) struct Ring<T> {
    state: Mutex<State<T>>,
    /// The consumer waits here for an item (or the end).
    item_ready: Condvar,
    /// Producers wait here for room.
    room: Condvar,
    /// A rendezvous sender waits here for the consumer to take its item.
    picked_up: Condvar,
    /// `state.cancelled`, readable without the lock: the consumer checks
    /// it before serving an item from its own buffer, so it sits on a
    /// cache line of its own, away from the lock every send takes.
    cancelled: CachePadded<AtomicBool>,
    /// Lock-free copies of counts, for waiters that spin before they block.
    hints: Hints,
    /// `state.slots`, which never changes.
    slots: usize,
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
                taken: 0,
                closed: false,
                cancelled: false,
                consumer_gone: false,
                consumer_waiting: false,
                room_waiters: 0,
                pickup_waiters: 0,
            }),
            item_ready: Condvar::new(),
            room: Condvar::new(),
            picked_up: Condvar::new(),
            cancelled: CachePadded(AtomicBool::new(false)),
            hints: Hints::default(),
            slots,
        }
    }

    /// Queues `item`, waiting for room (and, for a rendezvous, for the
    /// consumer to take it).
    pub(crate) fn send(&self, item: T) -> Result<(), SendError<T>> {
        let mut state = lock_with_backoff(&self.state);
        let mut spun = false;
        loop {
            if let Some(refuse) = state.refusal() {
                return Err(refuse(item));
            }
            if state.items.len() < state.slots {
                break;
            }
            if backoff::ENABLED && !spun {
                spun = true;
                // Room comes when the consumer takes items.
                let taken = state.taken;
                drop(state);
                spin_until(|| self.hints.taken() != taken || self.is_cancelled());
                state = self.state.lock();
                continue;
            }
            state.room_waiters += 1;
            state = self.room.wait(state);
            // Woken, perhaps beaten to the room by a spinning sender:
            // spin again before the next wait.
            spun = false;
        }
        let ticket = state.pushed;
        state.pushed += 1;
        state.items.push_back(item);
        if state.items.len() == 1 {
            // Only the change from empty is news to a spinning consumer;
            // a producer spinning for room re-checks under the lock.
            self.hints.set_queued(1);
        }
        let wake_consumer = std::mem::take(&mut state.consumer_waiting);
        if !state.rendezvous {
            drop(state);
            if wake_consumer {
                self.item_ready.notify_one();
            }
            return Ok(());
        }
        if wake_consumer {
            self.item_ready.notify_one();
        }
        let mut spun = false;
        loop {
            if state.taken > ticket {
                return Ok(());
            }
            if let Some(refuse) = state.refusal() {
                // Not taken: with a single slot, it is the only item queued.
                let item = state.items.pop_back().expect("an untaken item is queued");
                state.pushed -= 1;
                self.hints.set_queued(state.items.len());
                // The slot is free again for the next sender.
                let wake = Self::room_to_wake(&mut state, 1);
                drop(state);
                self.wake_room(wake);
                return Err(refuse(item));
            }
            if backoff::ENABLED && !spun {
                spun = true;
                drop(state);
                spin_until(|| self.hints.taken() > ticket || self.is_cancelled());
                state = self.state.lock();
                continue;
            }
            state.pickup_waiters += 1;
            state = self.picked_up.wait(state);
            spun = false;
        }
    }

    /// Moves every queued item into `buffer`, which must be empty; with
    /// `wait`, waits for one first. `Ended` once the ring is closed and
    /// empty, or cancelled.
    pub(crate) fn take_all(
        &self,
        buffer: &mut VecDeque<T>,
        wait: bool,
    ) -> Result<(), TryRecvError> {
        debug_assert!(buffer.is_empty(), "the consumer's buffer is served first");
        let mut state = self.state.lock();
        let mut spun = false;
        loop {
            if state.cancelled {
                return Err(TryRecvError::Ended);
            }
            if !state.items.is_empty() {
                std::mem::swap(&mut state.items, buffer);
                let taken = buffer.len();
                state.taken += taken as u64;
                self.hints.set_taken(state.taken);
                self.hints.set_queued(0);
                // A rendezvous sender waits for its item to be taken.
                let picked_up = std::mem::take(&mut state.pickup_waiters) > 0;
                let wake = Self::room_to_wake(&mut state, taken);
                // Notified after unlocking: the woken take the lock at once.
                drop(state);
                if picked_up {
                    self.picked_up.notify_all();
                }
                self.wake_room(wake);
                return Ok(());
            }
            if state.closed {
                return Err(TryRecvError::Ended);
            }
            if !wait {
                return Err(TryRecvError::Empty);
            }
            if backoff::ENABLED && !spun {
                spun = true;
                drop(state);
                spin_until(|| self.hints.queued() > 0 || self.is_cancelled());
                state = self.state.lock();
                continue;
            }
            state.consumer_waiting = true;
            state = self.item_ready.wait(state);
            spun = false;
        }
    }

    /// How many producers waiting for room to wake now that `freed`
    /// slots are free, counted out of the waiters. A waiter counts itself
    /// in before it waits and the waker counts it out, so the count is
    /// never below the number of sleepers (a spurious wake-up leaves it
    /// above: one wasted notification later, never a lost one).
    fn room_to_wake(state: &mut State<T>, freed: usize) -> usize {
        let wake = state.room_waiters.min(freed);
        state.room_waiters -= wake;
        wake
    }

    /// Wakes `count` producers waiting for room (see `room_to_wake`).
    fn wake_room(&self, count: usize) {
        for _ in 0..count {
            self.room.notify_one();
        }
    }

    /// Whether the ring was cancelled (a cheap check, without the lock).
    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
    }

    /// Closes the ring: queued items are still delivered, then the
    /// consumer gets `None`. Returns whether this call closed it.
    pub(crate) fn close(&self) -> bool {
        let mut state = self.state.lock();
        let first = !std::mem::replace(&mut state.closed, true);
        self.wake_everyone(state);
        first
    }

    /// Cancels the ring and wakes everyone waiting on it.
    pub(crate) fn cancel(&self) {
        let mut state = self.state.lock();
        state.cancelled = true;
        self.cancelled.store(true, Ordering::Release);
        self.wake_everyone(state);
    }

    /// Records that the consumer is gone; blocked producers wake up and
    /// get their items back.
    pub(crate) fn abandon(&self) {
        let mut state = self.state.lock();
        state.consumer_gone = true;
        self.wake_everyone(state);
    }

    /// Wakes every waiter, after a change that ends every wait.
    fn wake_everyone(&self, mut state: MutexGuard<'_, State<T>>) {
        state.consumer_waiting = false;
        state.room_waiters = 0;
        state.pickup_waiters = 0;
        drop(state);
        self.item_ready.notify_all();
        self.room.notify_all();
        self.picked_up.notify_all();
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
    /// Items taken from the ring in one swap and not yet received.
    buffer: VecDeque<T>,
    /// How many items the last swap took.
    last_batch: usize,
}

impl<T> RingConsumer<T> {
    pub(crate) fn new(ring: Arc<Ring<T>>) -> Self {
        Self {
            ring,
            buffer: VecDeque::new(),
            last_batch: 0,
        }
    }

    /// The next item: from the buffer unless the ring was cancelled, else
    /// from a fresh swap.
    fn next(&mut self, wait: bool) -> Result<T, TryRecvError> {
        if self.buffer.is_empty() {
            // A small swap last time: let items pile up (see `linger`).
            if wait && self.last_batch < LINGER_BELOW && self.last_batch < self.ring.slots {
                linger();
            }
            self.ring.take_all(&mut self.buffer, wait)?;
            self.last_batch = self.buffer.len();
        } else if self.ring.is_cancelled() {
            return Err(TryRecvError::Ended);
        }
        Ok(self
            .buffer
            .pop_front()
            .expect("a swap takes at least one item"))
    }
}

impl<T: Send> Consumer<T> for RingConsumer<T> {
    fn recv(&mut self) -> Option<T> {
        self.next(true).ok()
    }

    fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.next(false)
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
