//! Each reader thread's own copy of a `snapshot` cache's current map, so
//! that a read writes no memory shared with other threads.
//!
//! Loading the current map from the [`SwapArc`] is lock-free but not
//! free: a compare-and-swap and a decrement on the swap's word, and the
//! `Arc`'s count up and down, four atomic writes to cache lines that every
//! reader writes. With two or more readers on different cores those lines
//! move between the cores on every read, and a read costs several times
//! the map lookup itself (as much as a read-write lock's read, whose two
//! atomic writes hit one shared line too).
//!
//! The remedy, after arc-swap's `Cache`: each thread keeps the `Arc` it
//! loaded last, tagged with the swap's [version](SwapArc::version), in a
//! thread-local list. A read loads the version (a plain load of a line
//! that only writers write) and, if it is the tag, reads the thread's own
//! copy: no atomic write at all. Only the first read after a write goes
//! to the swap. The version is loaded *before* the map, so a copy is never
//! older than its tag; a newer one only costs one extra load later.
//!
//! The price is memory: every thread that has read a cache holds on to the
//! map it read last until its next read of that cache, so an old map lives
//! until each of its readers has read again (or exited). Copies of a
//! dropped cache are removed the next time their thread reads any
//! `snapshot` cache for the first time (or exits).

use std::any::Any;
use std::cell::RefCell;
use std::marker::PhantomData;

use super::swap::SwapArc;
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::Arc;

/// One thread's copy of one cache's current value.
struct Copy {
    /// The cache's identity and liveness (see [`Local`]).
    owner: Arc<AtomicBool>,
    /// The swap's version when `_value` was loaded, or earlier.
    version: u64,
    /// An `Arc<T>` (typed by the owner): boxed, because loom's `Arc`
    /// cannot hold an unsized value. Only owned here, for its drop: a read
    /// goes through `target`.
    _value: Box<dyn Any>,
    /// The `T` that `_value` points to. Reading through it skips
    /// `downcast`'s virtual `type_id` call: reads under a periodic writer
    /// took 17% less time without it (`cache/periodic-refresh/snapshot/t2`,
    /// 30 to 25 ns on a busy machine).
    target: *const (),
}

impl Copy {
    /// A copy of `value`, loaded at `version` or later.
    fn new<T: 'static>(owner: &Arc<AtomicBool>, version: u64, value: Arc<T>) -> Self {
        Self {
            owner: Arc::clone(owner),
            version,
            target: Arc::as_ptr(&value).cast(),
            _value: Box::new(value),
        }
    }
}

crate::sync::thread_local! {
    // Not a `const` initialiser: loom's `thread_local!` does not take one.
    #[allow(clippy::missing_const_for_thread_local)]
    static COPIES: RefCell<Vec<Copy>> = RefCell::new(Vec::new());
}

/// The per-thread copies of one cache, whose value is an `Arc<T>`. Its
/// identity is the address of its `owner` flag, which the copies share
/// (so the address cannot be reused while a copy exists); the flag goes
/// false when it is dropped.
#[derive(Debug)]
pub(crate) struct Local<T> {
    owner: Arc<AtomicBool>,
    /// Every copy of this owner holds an `Arc<T>`: `read` takes only a
    /// `SwapArc<T>`.
    values: PhantomData<fn() -> T>,
}

impl<T: 'static> Local<T> {
    /// A cache's copies; none exists yet.
    pub(crate) fn new() -> Self {
        Self {
            owner: Arc::new(AtomicBool::new(true)),
            values: PhantomData,
        }
    }

    /// Runs `f` on this thread's copy of `source`'s current value, after
    /// bringing the copy up to date. `source` must be the same swap on
    /// every call.
    pub(crate) fn read<R>(&self, source: &SwapArc<T>, f: impl FnOnce(&T) -> R) -> R {
        let version = source.version();
        let mut f = Some(f);
        let mut run = |value: &T| (f.take().expect("runs once"))(value);
        let done = COPIES.try_with(|copies| {
            // Busy only if `f` (a value's `clone`, say) reads a cache
            // again: that inner read goes to the swap directly.
            let mut copies = copies.try_borrow_mut().ok()?;
            let index = match copies
                .iter()
                .position(|copy| Arc::ptr_eq(&copy.owner, &self.owner))
            {
                Some(index) => index,
                None => {
                    // Forget the copies of dropped caches, then add ours.
                    copies.retain(|copy| copy.owner.load(Ordering::Relaxed));
                    copies.push(Copy::new(&self.owner, version, source.load()));
                    copies.len() - 1
                }
            };
            let copy = &mut copies[index];
            if copy.version != version {
                *copy = Copy::new(&self.owner, version, source.load());
            }
            // SAFETY: `copy` is this owner's, so `value` is an `Arc<T>`
            // (`Local<T>` reads only `SwapArc<T>`) and `target` points into
            // it; `value` lives, unchanged, while `copies` is borrowed.
            let value = unsafe { &*copy.target.cast::<T>() };
            Some(run(value))
        });
        match done {
            Ok(Some(result)) => result,
            // The copies are busy, or gone (the thread is exiting).
            _ => run(&source.load()),
        }
    }
}

impl<T> Drop for Local<T> {
    fn drop(&mut self) {
        self.owner.store(false, Ordering::Relaxed);
    }
}
