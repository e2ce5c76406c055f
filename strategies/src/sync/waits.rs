//! Which wait each thread of a model is blocked in, for a deadlock's
//! report.
//!
//! loom says "deadlock; threads = [...]" and shuttle "deadlock! blocked
//! tasks: [...]": which threads, not where. Under a model checker every
//! blocking call of the facade ([`Mutex::lock`](super::Mutex::lock),
//! [`Condvar::wait`](super::Condvar::wait), [`RwLock::read`](super::RwLock::read)
//! and [`RwLock::write`](super::RwLock::write)) notes the calling thread,
//! the wait and the caller's place in the source (`#[track_caller]`)
//! while it blocks, so a deadlock's failure can name each blocked
//! thread's wait: "thread 2: Condvar::wait at src/lib.rs:120". The notes
//! live in a plain `std` thread-local, outside the checker's view: they
//! are a report, not state under test. Both checkers run every thread of
//! an execution on the OS thread of the test that explores it, so one
//! OS thread's notes are one execution's, and tests exploring side by
//! side (cargo's test threads) never see each other's. Only under `--cfg loom` or the
//! `shuttle` feature; a normal build notes nothing.

use std::cell::RefCell;
use std::panic::Location;

/// A blocked call: (thread, wait, where).
type Note = (String, &'static str, &'static Location<'static>);

std::thread_local! {
    /// Every call of this OS thread's execution blocked now.
    static WAITING: RefCell<Vec<Note>> = const { RefCell::new(Vec::new()) };
}

/// A noted wait; dropping it when the wait returns removes the note.
/// Dropped while unwinding (the checker tearing down a deadlocked
/// execution), it keeps the note, for the report.
pub(crate) struct Waiting {
    thread: String,
    what: &'static str,
    at: &'static Location<'static>,
}

/// Notes that this thread blocks in `what`, called at `at`.
pub(crate) fn enter(what: &'static str, at: &'static Location<'static>) -> Waiting {
    let thread = me();
    WAITING.with(|waiting| waiting.borrow_mut().push((thread.clone(), what, at)));
    Waiting { thread, what, at }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        WAITING.with(|waiting| {
            let mut waiting = waiting.borrow_mut();
            if let Some(index) = waiting.iter().position(|(thread, what, at)| {
                *thread == self.thread && *what == self.what && std::ptr::eq(*at, self.at)
            }) {
                waiting.remove(index);
            }
        });
    }
}

/// Forgets every note: called as each execution of a model starts, so
/// that notes a torn-down execution kept do not reach the next one.
pub fn reset() {
    WAITING.with(|waiting| waiting.borrow_mut().clear());
}

/// Each blocked thread's wait, as "thread 1: Mutex::lock at file:line",
/// joined by "; "; `None` if no thread is blocked in the facade.
pub fn blocked() -> Option<String> {
    let described: Vec<String> = WAITING.with(|waiting| {
        waiting
            .borrow()
            .iter()
            .map(|(thread, what, at)| format!("{thread}: {what} at {}:{}", at.file(), at.line()))
            .collect()
    });
    (!described.is_empty()).then(|| described.join("; "))
}

/// The calling thread, as the checker names it: "thread 1" (loom's
/// `ThreadId(1)`), "task main-thread(1)" (shuttle's task).
fn me() -> String {
    #[cfg(loom)]
    return format!("{:?}", loom::thread::current().id())
        .replace("ThreadId(", "thread ")
        .replace(')', "");
    #[cfg(all(feature = "shuttle", not(loom)))]
    return format!("task {:?}", shuttle::current::me());
}
