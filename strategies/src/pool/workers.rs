//! The workers of one executor: threads spawned here, or tokio tasks
//! counted here; counted while they live, waited for with a deadline and
//! (threads) joined at shutdown.

use std::time::Instant;

use super::RejectReason;
use crate::sync::thread::{self, JoinHandle};
use crate::sync::{Arc, Condvar, Mutex};

/// Every thread an executor started, whether long-lived workers or one
/// thread per job, and every task a tokio strategy counted in with
/// [`WorkerSet::enter`].
#[derive(Debug)]
pub(crate) struct WorkerSet {
    name: &'static str,
    live: Arc<LiveCount>,
    handles: Mutex<Vec<JoinHandle<()>>>,
}

/// The live count, shared with every [`ExitGuard`] (its own `Arc`, so
/// that `spawn` and `enter` take `&self`: loom's `Arc` cannot be a `self`
/// type).
#[derive(Debug)]
struct LiveCount {
    live: Mutex<Live>,
    all_exited: Condvar,
}

/// Threads alive, and whether new ones may start. One lock for both, so
/// that once [`WorkerSet::close`] returns no thread can start unseen by
/// [`WorkerSet::wait_exit`].
#[derive(Debug, Default)]
struct Live {
    threads: usize,
    closed: bool,
}

/// Why [`WorkerSet::spawn`] started no thread; the payload comes back.
#[derive(Debug)]
pub(crate) enum SpawnError<P> {
    /// The set was closed by a shutdown.
    Closed(P),
    /// The operating system refused the thread.
    Refused(P),
}

impl<P> SpawnError<P> {
    /// The rejection reason this failure means, and the payload.
    pub(crate) fn into_rejection(self) -> (RejectReason, P) {
        match self {
            SpawnError::Closed(payload) => (RejectReason::Closed, payload),
            SpawnError::Refused(payload) => (RejectReason::Exhausted, payload),
        }
    }
}

/// Decrements the live count when a worker ends, even by unwinding (or,
/// for a task, by being dropped unfinished).
pub(crate) struct ExitGuard(Arc<LiveCount>);

impl Drop for ExitGuard {
    fn drop(&mut self) {
        let mut live = self.0.live.lock();
        live.threads -= 1;
        if live.threads == 0 {
            self.0.all_exited.notify_all();
        }
    }
}

impl WorkerSet {
    pub(crate) fn new(name: &'static str) -> Arc<Self> {
        Arc::new(Self {
            name,
            live: Arc::new(LiveCount {
                live: Mutex::new(Live::default()),
                all_exited: Condvar::new(),
            }),
            handles: Mutex::new(Vec::new()),
        })
    }

    /// Starts a thread running `body(payload)`. If the set is closed or
    /// the operating system refuses the thread, the payload comes back.
    pub(crate) fn spawn<P: Send + 'static>(
        &self,
        payload: P,
        body: impl FnOnce(P) + Send + 'static,
    ) -> Result<(), SpawnError<P>> {
        let Some(guard) = self.enter() else {
            return Err(SpawnError::Closed(payload));
        };
        // The payload rides in a slot so that a refused spawn can return it.
        let slot = Arc::new(Mutex::new(Some(payload)));
        let thread_slot = Arc::clone(&slot);
        // Held until the handle is stored, so that a shutdown that sees
        // every thread exited cannot join before this handle is there.
        let mut handles = self.handles.lock();
        let spawned = thread::Builder::new()
            .name(format!("contend-{}", self.name))
            .spawn(move || {
                let _guard = guard;
                let payload = thread_slot.lock().take();
                if let Some(payload) = payload {
                    body(payload);
                }
            });
        match spawned {
            Ok(handle) => {
                reap_finished(&mut handles);
                handles.push(handle);
                Ok(())
            }
            // The closure, and with it the exit guard, was dropped: the
            // live count is already back.
            Err(_) => Err(SpawnError::Refused(
                slot.lock().take().expect("a refused thread never ran"),
            )),
        }
    }

    /// Counts one more worker, live until the guard drops: how a thread
    /// starts here, and how tokio strategies count their tasks. `None`
    /// once the set is closed.
    pub(crate) fn enter(&self) -> Option<ExitGuard> {
        let mut live = self.live.live.lock();
        if live.closed {
            return None;
        }
        live.threads += 1;
        Some(ExitGuard(Arc::clone(&self.live)))
    }

    /// No thread may start from now on. Whether this call closed the set
    /// (`false`: an earlier shutdown had).
    pub(crate) fn close(&self) -> bool {
        let mut live = self.live.live.lock();
        !std::mem::replace(&mut live.closed, true)
    }

    /// Threads alive now.
    pub(crate) fn live(&self) -> usize {
        self.live.live.lock().threads
    }

    /// Waits until every thread has exited or `deadline` passes; returns
    /// how many are still running.
    pub(crate) fn wait_exit(&self, deadline: Option<Instant>) -> usize {
        let mut live = self.live.live.lock();
        while live.threads > 0 {
            let (woken, past_deadline) = self.live.all_exited.wait_until(live, deadline);
            live = woken;
            if past_deadline {
                break;
            }
        }
        live.threads
    }

    /// Joins every thread if all have exited; otherwise leaves the handles
    /// for a later shutdown call. The handles stay locked while joining, so
    /// a concurrent caller returns only once every join is done.
    pub(crate) fn join_if_all_exited(&self) {
        let mut handles = self.handles.lock();
        if self.live() > 0 {
            return;
        }
        for handle in handles.drain(..) {
            // A worker's body never unwinds: jobs' panics are caught.
            let _ = handle.join();
        }
    }
}

/// Joins the handles of threads that already ended, so that a long run of
/// thread-per-job strategies does not hold a handle per job. Only when the
/// list has doubled, to keep the cost amortised.
fn reap_finished(handles: &mut Vec<JoinHandle<()>>) {
    #[cfg(not(any(loom, feature = "shuttle")))]
    if handles.len() >= 64 && handles.len().is_power_of_two() {
        let (done, running): (Vec<_>, Vec<_>) =
            handles.drain(..).partition(JoinHandle::is_finished);
        *handles = running;
        for handle in done {
            let _ = handle.join();
        }
    }
    #[cfg(any(loom, feature = "shuttle"))]
    let _ = handles;
}
