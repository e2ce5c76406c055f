//! Turns a hang into a failure that names the state it hung in.
//!
//! A check runs on a thread of its own and leaves [`Breadcrumbs`] as it
//! goes ("step 3 of 9: Shutdown { mode: Drain }", plus the executor's
//! stats when it can read them). If it has not finished when the limit
//! passes, the watchdog gives up on it (the stuck thread is leaked: a hung
//! executor cannot be stopped from outside) and fails with the last
//! breadcrumb. A panic in the check comes back as its message, so an
//! invariant broken on another thread keeps its words.

use std::any::Any;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// The watchdog's limit when a check sets none: `CONTEND_WATCHDOG_SECS`
/// if set, else 30 s. The one setting of every family: the pool
/// machine and suites ([`PoolSubject::watchdog`](crate::PoolSubject::watchdog)),
/// the fan-in and cache machines
/// ([`FanInSubject::watchdog`](crate::fanin_machine::FanInSubject::watchdog),
/// [`CacheSubject::watchdog`](crate::cache_machine::CacheSubject::watchdog))
/// and the fan-in, cache and counter suites. A correct implementation
/// reaches every state a check waits for at once; only a broken one
/// meets the limit, which bounds a hang and measures nothing.
pub fn default_limit() -> Duration {
    std::env::var("CONTEND_WATCHDOG_SECS")
        .ok()
        .and_then(|secs| secs.parse().ok())
        .map(Duration::from_secs_f64)
        .unwrap_or(Duration::from_secs(30))
}

/// Where a check is, for the watchdog to report if it hangs there.
#[derive(Clone, Default)]
pub struct Breadcrumbs {
    last: Arc<Mutex<String>>,
    detail: Arc<Mutex<Option<Detail>>>,
}

/// What a hang's report adds: read when the limit passes.
type Detail = Box<dyn Fn() -> String + Send>;

impl Breadcrumbs {
    /// Records that the check has reached `state`.
    pub fn at(&self, state: impl Into<String>) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = state.into();
    }

    /// Sets what to add to a hang's report (say, the executor's stats),
    /// read on the watchdog's thread when the limit passes.
    pub fn detail(&self, detail: impl Fn() -> String + Send + 'static) {
        *self.detail.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(detail));
    }

    /// The step last recorded.
    pub(crate) fn last(&self) -> String {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn report(&self) -> String {
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let detail = self.detail.lock().unwrap_or_else(|p| p.into_inner()).take();
        match detail.and_then(read_detail) {
            Some(detail) => format!("{last}; {detail}"),
            None => last,
        }
    }
}

/// The limit on each case of a proptest machine: the subject's watchdog
/// until a case hangs; from then on (the shrinking candidates) 20 times
/// the slowest passing case, at least 200 ms, never more than the
/// watchdog. A candidate that runs far longer than any passing case is a
/// hang too, so shrinking a hang costs seconds, not the watchdog's limit
/// per candidate. (A candidate wrongly taken for a hang on a loaded
/// machine only makes the shrunk case less small: the failure itself was
/// found under the full limit.)
#[derive(Debug)]
pub struct CaseLimit {
    watchdog: Duration,
    slowest_pass: std::cell::Cell<Duration>,
    shrinking: std::cell::Cell<Option<Duration>>,
}

impl CaseLimit {
    /// Starts at `watchdog`.
    pub fn new(watchdog: Duration) -> Self {
        Self {
            watchdog,
            slowest_pass: std::cell::Cell::new(Duration::ZERO),
            shrinking: std::cell::Cell::new(None),
        }
    }

    /// The limit on the next case.
    pub fn current(&self) -> Duration {
        self.shrinking.get().unwrap_or(self.watchdog)
    }

    /// Runs `case` (given the limit) and learns from how long it took and
    /// whether it hung.
    pub fn run<R>(&self, case: impl FnOnce(Duration) -> Result<R, String>) -> Result<R, String> {
        let started = std::time::Instant::now();
        let outcome = case(self.current());
        if self.shrinking.get().is_none() {
            match &outcome {
                Ok(_) => self
                    .slowest_pass
                    .set(self.slowest_pass.get().max(started.elapsed())),
                Err(why) if why.contains(HUNG) => {
                    let limit = (self.slowest_pass.get() * 20)
                        .max(Duration::from_millis(200))
                        .min(self.watchdog);
                    self.shrinking.set(Some(limit));
                }
                Err(_) => {}
            }
        }
        outcome
    }
}

/// What a hang's failure says, from [`guard`].
pub const HUNG: &str = "(the watchdog's limit)";

/// Holds a value (an executor) whose drop may hang, and drops it with a
/// breadcrumb saying so: a `Drop` that joins a thread stuck in a job
/// then fails within the watchdog as "dropping the executor", naming
/// where the check had got to, instead of hanging outside it.
pub struct DroppedUnderWatch<T> {
    value: Option<T>,
    crumbs: Breadcrumbs,
    what: &'static str,
}

impl<T> DroppedUnderWatch<T> {
    /// `value`, to be dropped under the watchdog whose breadcrumbs are
    /// `crumbs`; `what` names it ("the executor").
    pub fn new(value: T, crumbs: &Breadcrumbs, what: &'static str) -> Self {
        Self {
            value: Some(value),
            crumbs: crumbs.clone(),
            what,
        }
    }
}

impl<T> std::ops::Deref for DroppedUnderWatch<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.value.as_ref().expect("held until dropped")
    }
}

impl<T> Drop for DroppedUnderWatch<T> {
    fn drop(&mut self) {
        let how = if thread::panicking() {
            "while the check panicked"
        } else {
            "as the check ended"
        };
        let reached = self.crumbs.last();
        self.crumbs.at(format!(
            "dropping {} ({how}, having reached: {reached}): its Drop did not return",
            self.what
        ));
        drop(self.value.take());
    }
}

/// Reads a detail on a thread of its own, giving up after a second: the
/// detail (an executor's stats) may need a lock the hung thread holds.
fn read_detail(detail: Detail) -> Option<String> {
    let (sent, read) = mpsc::channel();
    thread::spawn(move || {
        let _ = sent.send(detail());
    });
    Some(
        read.recv_timeout(Duration::from_secs(1))
            .unwrap_or_else(|_| "(its state could not be read: a lock is held)".to_owned()),
    )
}

impl std::fmt::Debug for Breadcrumbs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        f.debug_struct("Breadcrumbs")
            .field("last", &*last)
            .finish_non_exhaustive()
    }
}

/// Runs `check` under a watchdog of `limit`. `Err` says how it failed:
/// the message of a panic, or, for a hang, `what` and the last breadcrumb.
pub fn guard<R: Send + 'static>(
    what: &str,
    limit: Duration,
    check: impl FnOnce(&Breadcrumbs) -> R + Send + 'static,
) -> Result<R, String> {
    let crumbs = Breadcrumbs::default();
    let (done, outcome) = mpsc::channel();
    let trail = crumbs.clone();
    thread::Builder::new()
        .name(format!("contend check: {what}"))
        .spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&trail)));
            let _ = done.send(result.map_err(|payload| {
                let message = panic_message(payload.as_ref());
                match trail.last() {
                    last if last.is_empty() => message,
                    last => format!("{message} (a panic at: {last})"),
                }
            }));
        })
        .map_err(|error| format!("{what}: cannot start the check's thread: {error}"))?;
    match outcome.recv_timeout(limit) {
        Ok(result) => result,
        Err(_) => Err(format!(
            "{what}: hung for {limit:?} (the watchdog's limit) at: {}",
            crumbs.report()
        )),
    }
}

/// [`guard`], panicking with the failure: for tests.
pub fn within<R: Send + 'static>(
    what: &str,
    limit: Duration,
    check: impl FnOnce(&Breadcrumbs) -> R + Send + 'static,
) -> R {
    guard(what, limit, check).unwrap_or_else(|failure| panic!("{failure}"))
}

/// A panic's message: its text when it carried one.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| {
            payload
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
        })
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Joins a scoped or spawned thread's result, turning its panic into one
/// on this thread that carries the original message and says `who`
/// panicked, instead of "a scoped thread panicked".
pub fn joined<R>(who: &str, result: thread::Result<R>) -> R {
    result.unwrap_or_else(|payload| panic!("{who}: {}", panic_message(payload.as_ref())))
}

/// The limit on one loom model's exploration in its child process:
/// `CONTEND_LOOM_WATCHDOG_SECS` if set, else 30 minutes (the largest
/// built-in model takes a few). Past it the child is killed and the model
/// fails as hung: a model that spins without yielding can keep loom busy
/// for ever.
pub fn loom_watchdog() -> Duration {
    std::env::var("CONTEND_LOOM_WATCHDOG_SECS")
        .ok()
        .and_then(|secs| secs.parse().ok())
        .map(Duration::from_secs_f64)
        .unwrap_or(Duration::from_secs(30 * 60))
}

/// Runs `command` to its end, as `Command::output` does, but kills it if
/// it has not ended within `limit`: `Err` then says so.
pub fn output_within(
    command: &mut std::process::Command,
    limit: Duration,
) -> Result<std::process::Output, String> {
    use std::io::Read;
    use std::process::Stdio;

    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot start the child process: {error}"))?;
    // Read on threads of their own, so that a full pipe never stalls it.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("piped")));
    let stderr = drain(Box::new(child.stderr.take().expect("piped")));
    let give_up = std::time::Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() < give_up => {
                thread::sleep(Duration::from_millis(50))
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "still running after {limit:?} (the watchdog's limit, \
                     CONTEND_LOOM_WATCHDOG_SECS): killed"
                ));
            }
            Err(error) => return Err(format!("cannot wait for the child process: {error}")),
        }
    };
    Ok(std::process::Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hang_fails_with_its_last_breadcrumb_and_a_panic_with_its_message() {
        let hung = guard("a hang", Duration::from_millis(50), |crumbs| {
            crumbs.at("step 2: waiting for ever");
            crumbs.detail(|| "stats: 1 running".to_owned());
            thread::park();
        })
        .unwrap_err();
        assert!(
            hung.contains("step 2: waiting for ever; stats: 1 running"),
            "{hung}"
        );
        let panicked = guard("a panic", Duration::from_secs(30), |crumbs| -> () {
            crumbs.at("step 1: submit");
            panic!("the invariant, in words")
        })
        .unwrap_err();
        assert_eq!(
            panicked,
            "the invariant, in words (a panic at: step 1: submit)"
        );
        assert_eq!(guard("fine", Duration::from_secs(30), |_| 7), Ok(7));
    }

    #[test]
    fn a_child_past_its_limit_is_killed_and_one_within_it_is_read() {
        let mut sleeper = std::process::Command::new("sleep");
        sleeper.arg("30");
        let killed = output_within(&mut sleeper, Duration::from_millis(100)).unwrap_err();
        assert!(killed.contains("killed"), "{killed}");
        let mut echo = std::process::Command::new("echo");
        echo.arg("said");
        let output = output_within(&mut echo, Duration::from_secs(30)).unwrap();
        assert_eq!(String::from_utf8_lossy(&output.stdout), "said\n");
    }

    #[test]
    fn a_joined_thread_s_panic_keeps_its_message() {
        let outcome = std::panic::catch_unwind(|| {
            thread::scope(|scope| {
                let writer = scope.spawn(|| panic!("torn refresh seen"));
                joined("writer thread", writer.join())
            })
        });
        let message = panic_message(outcome.unwrap_err().as_ref());
        assert_eq!(message, "writer thread: torn refresh seen");
    }
}
