//! The overload policies, written once for every strategy.
//!
//! A strategy keeps its bound (queue length, permits, workers) inside one
//! mutex-guarded state and signals a condition variable whenever room is
//! freed. [`await_room`] applies the [`OverloadPolicy`] to that state: it
//! returns the guard when there is room, waits when the policy says so, and
//! otherwise tells the strategy what to do with the job.

use std::time::{Duration, Instant};

use super::{OverloadPolicy, RejectReason};
use crate::backoff::{self, spin_until};
use crate::sync::{deadline_after, Condvar, Mutex, MutexGuard};

/// The view of a strategy's state that admission needs.
pub(crate) trait Bounded {
    /// No new job may be admitted.
    fn closed(&self) -> bool;
    /// A new job may be admitted now.
    fn has_room(&self) -> bool;
    /// How many submitters are blocked waiting for room.
    fn blocked_submitters(&mut self) -> &mut usize;
    /// A submitter is about to wait for room (and is not yet counted as
    /// blocked). `false`: room appeared meanwhile, look again. For a
    /// strategy whose room is freed outside this lock (a
    /// [`Ring`](super::ring::Ring)), this is where the submitter flags
    /// itself to whoever frees it.
    fn about_to_wait(&mut self) -> bool {
        true
    }
    /// A blocked submitter woke up (and is no longer counted): it takes
    /// one of the wake-ups the strategy counted, if it counts them
    /// ([`Wakeups`](super::wakeups::Wakeups)).
    fn woke(&mut self) {}
}

/// The queue length at or below which a worker that takes a job wakes a
/// submitter blocked on a full queue: half the `capacity`.
///
/// Woken at the first free slot, the submitter would push one job, find
/// the queue full again and wait again: a sleep and a wake-up (two
/// context switches, several microseconds) per job; or, busy-waiting
/// instead, it would take a core from the workers for as long as the
/// queue stays full. Woken at half, it pushes half a queue of jobs in one
/// go, then waits again: one round trip per `capacity / 2` jobs. The
/// workers never starve meanwhile, since half a queue is still waiting
/// for them when the submitter wakes. What it costs is the blocked
/// submitter's latency (it waits for half a queue of jobs to finish
/// rather than one), which under `Block` is the back-pressure it asked
/// for. The same hysteresis as a socket's send low-water mark
/// (`SO_SNDLOWAT`) or Netty's write-buffer water marks. A queue of one
/// wakes at 0, the first free slot; a submitter that was not blocked is
/// admitted whenever there is room.
pub(crate) fn low_water(capacity: usize) -> usize {
    capacity / 2
}

/// Locks `state` for [`await_room`]. A submitter that would block first
/// busy-waits a little ([`spin_until`]) until `room()`, a lock-free hint
/// that room was freed: with small jobs a slot frees within a microsecond,
/// and a submitter that slept instead would be woken for each slot, one
/// job per sleep. The caller re-checks under the lock.
pub(crate) fn lock_for_admission<'a, S: Bounded>(
    policy: OverloadPolicy,
    state: &'a Mutex<S>,
    room: impl Fn() -> bool,
) -> MutexGuard<'a, S> {
    let guard = state.lock();
    let would_block =
        matches!(when_full(policy), WhenFull::Wait(_)) && !guard.closed() && !guard.has_room();
    if !backoff::ENABLED || !would_block {
        return guard;
    }
    drop(guard);
    spin_until(room);
    state.lock()
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

/// What `policy` does with a job that finds no room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WhenFull {
    /// Turn it away (`FailFast`, `Discard`, `CallerRuns`).
    Refuse(Refusal),
    /// Drop the oldest queued job to make room (`DiscardOldest`).
    DiscardOldest,
    /// Wait for room, for at most this long if given (`Block`,
    /// `BlockTimeout`).
    Wait(Option<Duration>),
}

/// The decision of `policy` when there is no room: the one place the
/// policies are told apart.
pub(crate) fn when_full(policy: OverloadPolicy) -> WhenFull {
    match policy {
        OverloadPolicy::FailFast => WhenFull::Refuse(Refusal::Reject(RejectReason::Full)),
        OverloadPolicy::Discard => WhenFull::Refuse(Refusal::Discard),
        OverloadPolicy::CallerRuns => WhenFull::Refuse(Refusal::CallerRuns),
        OverloadPolicy::DiscardOldest => WhenFull::DiscardOldest,
        OverloadPolicy::Block => WhenFull::Wait(None),
        OverloadPolicy::BlockTimeout(timeout) => WhenFull::Wait(Some(timeout)),
    }
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
        match when_full(policy) {
            WhenFull::Refuse(refusal) => return Verdict::Refuse(refusal),
            WhenFull::DiscardOldest => return Verdict::DiscardOldest(guard),
            WhenFull::Wait(timeout) => {
                if first_wait {
                    first_wait = false;
                    if max_blocked.is_some_and(|cap| *guard.blocked_submitters() >= cap) {
                        return Verdict::Refuse(Refusal::Reject(RejectReason::Full));
                    }
                    deadline = timeout.and_then(deadline_after);
                }
                if !guard.about_to_wait() {
                    continue;
                }
                *guard.blocked_submitters() += 1;
                let (woken, past_deadline) = room_freed.wait_until(guard, deadline);
                guard = woken;
                *guard.blocked_submitters() -= 1;
                guard.woke();
                expired = past_deadline;
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::sync::Mutex;

    #[derive(Default)]
    struct Slots {
        free: usize,
        closed: bool,
        blocked: usize,
    }

    impl Bounded for Slots {
        fn closed(&self) -> bool {
            self.closed
        }
        fn has_room(&self) -> bool {
            self.free > 0
        }
        fn blocked_submitters(&mut self) -> &mut usize {
            &mut self.blocked
        }
    }

    fn verdict(policy: OverloadPolicy, slots: Slots) -> &'static str {
        let state = Mutex::new(slots);
        let room = Condvar::new();
        let verdict = match await_room(policy, state.lock(), &room, Some(0)) {
            Verdict::Room(_) => "room",
            Verdict::DiscardOldest(_) => "discard-oldest",
            Verdict::Refuse(Refusal::Reject(RejectReason::Full)) => "full",
            Verdict::Refuse(Refusal::Reject(RejectReason::Closed)) => "closed",
            Verdict::Refuse(Refusal::Reject(RejectReason::TimedOut)) => "timed-out",
            Verdict::Refuse(Refusal::Reject(RejectReason::Exhausted)) => "exhausted",
            Verdict::Refuse(Refusal::Discard) => "discard",
            Verdict::Refuse(Refusal::CallerRuns) => "caller-runs",
        };
        verdict
    }

    #[test]
    fn room_is_granted_whatever_the_policy() {
        let policies = [
            OverloadPolicy::Block,
            OverloadPolicy::FailFast,
            OverloadPolicy::Discard,
            OverloadPolicy::DiscardOldest,
            OverloadPolicy::CallerRuns,
        ];
        for policy in policies {
            let slots = Slots {
                free: 1,
                ..Slots::default()
            };
            assert_eq!(verdict(policy, slots), "room", "{policy}");
        }
    }

    #[test]
    fn a_closed_state_refuses_even_with_room() {
        let slots = Slots {
            free: 1,
            closed: true,
            ..Slots::default()
        };
        assert_eq!(verdict(OverloadPolicy::Block, slots), "closed");
    }

    #[test]
    fn each_policy_decides_when_full() {
        assert_eq!(verdict(OverloadPolicy::FailFast, Slots::default()), "full");
        assert_eq!(
            verdict(OverloadPolicy::Discard, Slots::default()),
            "discard"
        );
        assert_eq!(
            verdict(OverloadPolicy::DiscardOldest, Slots::default()),
            "discard-oldest"
        );
        assert_eq!(
            verdict(OverloadPolicy::CallerRuns, Slots::default()),
            "caller-runs"
        );
        let waits = OverloadPolicy::BlockTimeout(Duration::from_millis(1));
        // A cap of zero blocked submitters turns a wait into a rejection.
        assert_eq!(verdict(waits, Slots::default()), "full");
        assert_eq!(verdict(OverloadPolicy::Block, Slots::default()), "full");
    }

    #[test]
    fn block_timeout_gives_up_after_its_timeout() {
        let state = Mutex::new(Slots::default());
        let room = Condvar::new();
        let policy = OverloadPolicy::BlockTimeout(Duration::from_millis(1));
        let outcome = match await_room(policy, state.lock(), &room, None) {
            Verdict::Refuse(Refusal::Reject(reason)) => Some(reason),
            _ => None,
        };
        assert_eq!(outcome, Some(RejectReason::TimedOut));
        assert_eq!(state.lock().blocked, 0, "the waiter unregistered itself");
    }
}
