//! The overload policies, written once for every strategy.
//!
//! A strategy keeps its bound (queue length, permits, workers) inside one
//! mutex-guarded state and signals a condition variable whenever room is
//! freed. [`await_room`] applies the [`OverloadPolicy`] to that state: it
//! returns the guard when there is room, waits when the policy says so, and
//! otherwise tells the strategy what to do with the job.

use std::time::Instant;

use super::{OverloadPolicy, RejectReason};
use crate::sync::{Condvar, MutexGuard};

/// The view of a strategy's state that admission needs.
pub(crate) trait Bounded {
    /// No new job may be admitted.
    fn closed(&self) -> bool;
    /// A new job may be admitted now.
    fn has_room(&self) -> bool;
    /// How many submitters are blocked waiting for room.
    fn blocked_submitters(&mut self) -> &mut usize;
}

/// What the strategy must do with the job it is admitting.
pub(crate) enum Verdict<'a, S> {
    /// There is room: admit the job under this guard.
    Room(MutexGuard<'a, S>),
    /// Drop the oldest queued job, then admit (policy `DiscardOldest`).
    DiscardOldest(MutexGuard<'a, S>),
    /// Do not admit; [`JobContext::refuse`](super::run::JobContext::refuse)
    /// carries it out the same way for every strategy.
    Refuse(Refusal),
}

/// How a job that is not admitted is dealt with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Give the job back with this reason.
    Reject(RejectReason),
    /// Drop the job and count it (policy `Discard`).
    Discard,
    /// Run the job on the caller's thread (policy `CallerRuns`).
    CallerRuns,
}

/// Applies `policy` until the job can be admitted or is turned away.
///
/// `room_freed` must be signalled (at least `notify_one`) each time room is
/// freed, and `notify_all` when the state closes. `max_blocked` caps the
/// submitters waiting at once; one more is rejected as full.
pub(crate) fn await_room<'a, S: Bounded>(
    policy: OverloadPolicy,
    mut guard: MutexGuard<'a, S>,
    room_freed: &Condvar,
    max_blocked: Option<usize>,
) -> Verdict<'a, S> {
    let mut deadline: Option<Instant> = None;
    let mut first_wait = true;
    let mut expired = false;
    loop {
        if guard.closed() {
            return Verdict::Refuse(Refusal::Reject(RejectReason::Closed));
        }
        if guard.has_room() {
            return Verdict::Room(guard);
        }
        if expired {
            return Verdict::Refuse(Refusal::Reject(RejectReason::TimedOut));
        }
        match policy {
            OverloadPolicy::FailFast => {
                return Verdict::Refuse(Refusal::Reject(RejectReason::Full))
            }
            OverloadPolicy::Discard => return Verdict::Refuse(Refusal::Discard),
            OverloadPolicy::DiscardOldest => return Verdict::DiscardOldest(guard),
            OverloadPolicy::CallerRuns => return Verdict::Refuse(Refusal::CallerRuns),
            OverloadPolicy::Block | OverloadPolicy::BlockTimeout(_) => {
                if first_wait {
                    first_wait = false;
                    if max_blocked.is_some_and(|cap| *guard.blocked_submitters() >= cap) {
                        return Verdict::Refuse(Refusal::Reject(RejectReason::Full));
                    }
                    if let OverloadPolicy::BlockTimeout(timeout) = policy {
                        deadline = Some(Instant::now() + timeout);
                    }
                }
                *guard.blocked_submitters() += 1;
                let (woken, past_deadline) = room_freed.wait_until(guard, deadline);
                guard = woken;
                *guard.blocked_submitters() -= 1;
                expired = past_deadline;
            }
        }
    }
}
