//! A child server process that cannot outlive the run that started it.
//!
//! A throwaway server (Redis now, PostgreSQL later) must die with the run:
//! left behind, it holds a port and a data folder, and the next run's
//! books would read another run's state. Three things see to it:
//!
//! - **Its own process group** (`process_group(0)`): Ctrl-C at the
//!   terminal goes to the foreground group, and the server must not die
//!   mid-run under the harness, which handles Ctrl-C itself and writes the
//!   results so far. The harness stops the server afterwards, on drop.
//! - **`PR_SET_PDEATHSIG(SIGTERM)`** (Linux): if the harness is SIGKILLed
//!   or crashes, no drop runs, and the kernel sends the server SIGTERM.
//!   The signal fires when the *thread* that spawned the child exits, so
//!   spawn from a thread that outlives the server (the driver's own
//!   thread, not a short-lived helper).
//! - **Drop**: SIGTERM to the group, up to a grace period for a clean exit,
//!   then SIGKILL, then reap it, so no zombie is left.

use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

/// How long a child gets between SIGTERM and SIGKILL.
pub(crate) const GRACE: Duration = Duration::from_secs(5);

/// A spawned server process, terminated (SIGTERM, then SIGKILL after
/// [`GRACE`]) and reaped when dropped.
#[derive(Debug)]
pub(crate) struct ChildGuard {
    child: Child,
    /// Set once the child has been reaped: its pid may be reused, so no
    /// signal is sent after that.
    exited: Option<ExitStatus>,
}

impl ChildGuard {
    /// Spawns `command` in its own process group, with SIGTERM as its
    /// parent-death signal.
    pub(crate) fn spawn(mut command: Command) -> io::Result<ChildGuard> {
        command.process_group(0);
        #[cfg(target_os = "linux")]
        {
            // SAFETY: getpid is async-signal-safe; it runs in the parent.
            let parent = unsafe { libc::getpid() };
            // SAFETY: the closure runs between fork and exec and calls
            // only async-signal-safe functions (prctl, getppid), allocating
            // nothing.
            unsafe {
                command.pre_exec(move || {
                    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM as libc::c_ulong) != 0 {
                        return Err(io::Error::last_os_error());
                    }
                    // The parent may have died before prctl took effect:
                    // then nobody will ever send the signal.
                    if libc::getppid() != parent {
                        return Err(io::Error::other("the parent exited during spawn"));
                    }
                    Ok(())
                });
            }
        }
        let child = command.spawn()?;
        Ok(ChildGuard {
            child,
            exited: None,
        })
    }

    /// The child's pid (also its process group id).
    pub(crate) fn id(&self) -> u32 {
        self.child.id()
    }

    /// The child's exit status if it has exited, without waiting.
    pub(crate) fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if self.exited.is_none() {
            self.exited = self.child.try_wait()?;
        }
        Ok(self.exited)
    }

    /// SIGTERM, then up to `grace` for the child to exit, then SIGKILL;
    /// reaps it. Returns its exit status (`None` if it could not be
    /// reaped).
    pub(crate) fn terminate(&mut self, grace: Duration) -> Option<ExitStatus> {
        if let Ok(Some(status)) = self.try_wait() {
            return Some(status);
        }
        self.signal(libc::SIGTERM);
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            match self.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(_) => break,
            }
        }
        self.signal(libc::SIGKILL);
        let status = self.child.wait().ok();
        self.exited = status;
        status
    }

    /// Sends `signal` to the child's process group: the child and anything
    /// it forked (Redis forks for a save; PostgreSQL for every backend).
    fn signal(&self, signal: libc::c_int) {
        let Ok(pgid) = libc::pid_t::try_from(self.child.id()) else {
            return;
        };
        // SAFETY: kill has no memory-safety preconditions; the group is
        // the one the child leads (process_group(0)), and the child is not
        // reaped yet, so its pid has not been reused.
        unsafe {
            libc::kill(-pgid, signal);
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.terminate(GRACE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminate_stops_a_child_with_sigterm() {
        let mut command = Command::new("sleep");
        command.arg("30");
        let mut guard = ChildGuard::spawn(command).expect("spawn sleep");
        assert!(guard.try_wait().unwrap().is_none());
        let started = Instant::now();
        let status = guard.terminate(GRACE).expect("reaped");
        assert!(!status.success());
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn sigkill_follows_when_sigterm_is_ignored() {
        let mut command = Command::new("sh");
        command.args(["-c", "trap '' TERM; sleep 30"]);
        let mut guard = ChildGuard::spawn(command).expect("spawn sh");
        std::thread::sleep(Duration::from_millis(100));
        let started = Instant::now();
        let status = guard.terminate(Duration::from_millis(300)).expect("reaped");
        assert!(!status.success());
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(300), "{took:?}");
        assert!(took < Duration::from_secs(3), "{took:?}");
    }
}
