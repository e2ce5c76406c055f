//! Go's `sync.WaitGroup`, on the facade's `Mutex` and `Condvar`: a count
//! of unfinished members and a way to wait until it reaches zero. The
//! `closer` fan-in adds one member per producer and closes the channel
//! after `wait` returns.

use crate::sync::{Arc, Condvar, Mutex};

/// A shared count of unfinished members; clones share one count.
#[derive(Clone, Debug)]
pub(crate) struct WaitGroup {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    pending: Mutex<usize>,
    all_done: Condvar,
}

impl WaitGroup {
    /// A group with `members` unfinished members.
    pub(crate) fn new(members: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                pending: Mutex::new(members),
                all_done: Condvar::new(),
            }),
        }
    }

    /// One member has finished.
    pub(crate) fn done(&self) {
        let mut pending = self.inner.pending.lock();
        *pending = pending
            .checked_sub(1)
            .expect("WaitGroup::done called more often than members were added");
        // Every change wakes the waiters, who each wait for their own level.
        self.inner.all_done.notify_all();
    }

    /// Waits until at most `unfinished` members are unfinished: Go's
    /// `Wait` is `wait_until_at_most(0)`.
    pub(crate) fn wait_until_at_most(&self, unfinished: usize) {
        let mut pending = self.inner.pending.lock();
        while *pending > unfinished {
            pending = self.inner.all_done.wait(pending);
        }
    }
}
