//! The overload policies of the bounded tokio strategies
//! (`tokio-semaphore`, `tokio-workers`, `tokio-multiplex`, `tokio-raw`),
//! each met by a pool whose one permit or slot is held at a gate (and,
//! for the queued ones, whose one queue slot is taken): the same six policies as the thread
//! strategies, with the same answers.
#![cfg(not(any(loom, feature = "shuttle")))]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};
use std::time::Duration;

use contend_strategies::pool::{Admission, Executor, Job, OverloadPolicy, RejectReason};
use contend_strategies::pool::{TokioMultiplex, TokioRaw, TokioSemaphore, TokioWorkers};

mod support;
use support::{counting_job, wait_for, Full};

const BOUNDED: [&str; 4] = [
    TokioSemaphore::NAME,
    TokioWorkers::NAME,
    TokioMultiplex::NAME,
    TokioRaw::NAME,
];
const QUEUED: [&str; 2] = [TokioWorkers::NAME, TokioMultiplex::NAME];

#[test]
fn fail_fast_rejects_as_full_and_gives_the_job_back() {
    for name in BOUNDED {
        let full = Full::new(name, OverloadPolicy::FailFast);
        let ran = Arc::new(AtomicUsize::new(0));
        let rejected = full.pool.submit(counting_job(&ran)).unwrap_err();
        assert_eq!(rejected.reason(), RejectReason::Full, "{name}");
        rejected.into_job().run();
        assert_eq!(ran.load(Ordering::SeqCst), 1, "{name}");
        assert_eq!(full.pool.stats().rejected.full, 1, "{name}");
        full.finish(name);
    }
}

#[test]
fn block_timeout_rejects_as_timed_out_once_the_wait_is_over() {
    for name in BOUNDED {
        let policy = OverloadPolicy::BlockTimeout(Duration::from_millis(20));
        let full = Full::new(name, policy);
        let rejected = full.pool.execute(|| ()).unwrap_err();
        assert_eq!(rejected.reason(), RejectReason::TimedOut, "{name}");
        assert_eq!(full.pool.stats().rejected.timed_out, 1, "{name}");
        full.finish(name);
    }
}

#[test]
fn discard_drops_the_new_job_and_counts_it() {
    for name in BOUNDED {
        let full = Full::new(name, OverloadPolicy::Discard);
        let ran = Arc::new(AtomicUsize::new(0));
        let admission = full.pool.submit(counting_job(&ran)).unwrap();
        assert_eq!(admission, Admission::Discarded, "{name}");
        assert_eq!(full.pool.stats().discarded, 1, "{name}");
        let filler_ran = Arc::clone(&full.filler_ran);
        full.finish(name);
        assert_eq!(ran.load(Ordering::SeqCst), 0, "{name}");
        let queued = usize::from(QUEUED.contains(&name));
        assert_eq!(filler_ran.load(Ordering::SeqCst), queued, "{name}");
    }
}

#[test]
fn discard_oldest_drops_the_oldest_queued_job_for_the_new_one() {
    for name in QUEUED {
        let full = Full::new(name, OverloadPolicy::DiscardOldest);
        let ran = Arc::new(AtomicUsize::new(0));
        let admission = full.pool.submit(counting_job(&ran)).unwrap();
        assert_eq!(admission, Admission::AcceptedDroppingOldest, "{name}");
        assert_eq!(full.pool.stats().discarded, 1, "{name}");
        let filler_ran = Arc::clone(&full.filler_ran);
        full.finish(name);
        assert_eq!(ran.load(Ordering::SeqCst), 1, "{name}: the new job ran");
        assert_eq!(
            filler_ran.load(Ordering::SeqCst),
            0,
            "{name}: the oldest was dropped"
        );
    }
}

#[test]
fn caller_runs_runs_the_job_on_the_submitting_thread() {
    for name in BOUNDED {
        let full = Full::new(name, OverloadPolicy::CallerRuns);
        let ran_on: Arc<Mutex<Option<ThreadId>>> = Arc::default();
        let record = Arc::clone(&ran_on);
        let job = Job::new(move || *record.lock().unwrap() = Some(thread::current().id()));
        assert_eq!(
            full.pool.submit(job).unwrap(),
            Admission::RanOnCaller,
            "{name}"
        );
        assert_eq!(
            *ran_on.lock().unwrap(),
            Some(thread::current().id()),
            "{name}"
        );
        // An async job run by the caller still finds tokio's timers.
        let slept = Arc::new(AtomicBool::new(false));
        let done = Arc::clone(&slept);
        let job = Job::from_future(async move {
            tokio::time::sleep(Duration::from_millis(1)).await;
            done.store(true, Ordering::SeqCst);
        });
        assert_eq!(
            full.pool.submit(job).unwrap(),
            Admission::RanOnCaller,
            "{name}"
        );
        assert!(slept.load(Ordering::SeqCst), "{name}");
        full.finish(name);
    }
}

#[test]
fn block_waits_for_room_then_accepts() {
    for name in BOUNDED {
        let full = Full::new(name, OverloadPolicy::Block);
        let ran = Arc::new(AtomicUsize::new(0));
        thread::scope(|scope| {
            let submitter = scope.spawn(|| full.pool.submit(counting_job(&ran)));
            thread::sleep(Duration::from_millis(30));
            let (waited, ran_early) = (!submitter.is_finished(), ran.load(Ordering::SeqCst));
            full.gate.open();
            wait_for("room", || submitter.is_finished());
            assert!(waited, "{name}: the submitter waits for room");
            assert_eq!(ran_early, 0, "{name}: no room, so the job cannot have run");
            assert_eq!(
                submitter.join().unwrap().unwrap(),
                Admission::Accepted,
                "{name}"
            );
        });
        full.finish(name);
        assert_eq!(ran.load(Ordering::SeqCst), 1, "{name}");
    }
}
