//! A throwaway server's process and folder, owned by one guard.
//!
//! Every throwaway server (PostgreSQL here, Redis later) is the same
//! thing from the harness's side: a child process with a fresh temporary
//! folder (its data, its socket, its log), listening on a free port of
//! 127.0.0.1. [`ServerProcess`] owns both, and dropping it stops the
//! server and removes the folder, so a test or a run cannot forget to.
//!
//! Three things keep a server from dying too early or living too long:
//!
//! - It runs in a process group of its own. Ctrl-C sends SIGINT to the
//!   terminal's foreground process group; if the server were in it, it
//!   would stop under the cell that is still using it. The harness
//!   instead finishes the current cell, then drops the guard.
//! - The child asks the kernel for a signal when its parent dies
//!   (`PR_SET_PDEATHSIG`), so a harness killed with SIGKILL, which runs
//!   no destructor, does not leak a server. The kernel sends it when the
//!   *thread* that spawned the server exits, not only the process: start
//!   a server from a thread that outlives it (the main thread, or the one
//!   that will drop it).
//! - Drop stops the server politely first (its stop signal), waits up to
//!   [`STOP_GRACE`] (or [`ServerProcess::set_grace`]), then kills its whole process group (a database's
//!   backends are children in the same group).
//!
//! The folder is removed after the process has exited; a server that
//! leaks (the harness was SIGKILLed) leaves its folder in the temporary
//! directory, named after the server, for `tmpreaper` or a person.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// How long [`ServerProcess`]'s drop waits for the server to stop after its
/// stop signal before it kills the server's process group.
pub const STOP_GRACE: Duration = Duration::from_secs(5);

/// How often the stop and start loops look at the server.
const POLL: Duration = Duration::from_millis(10);

/// A free TCP port on 127.0.0.1, for a server to listen on.
///
/// The port is free when this returns; another process may take it before
/// the server binds it, so a server start that fails to bind should retry
/// with a new port.
pub fn free_port() -> io::Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?.port())
}

/// The first directory of `PATH` holding an executable file named `name`.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

/// Whether `path` is a file someone may execute.
pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// The last `max_bytes` of the file at `path` (lossy UTF-8), for an error
/// message; a note instead if it cannot be read.
pub fn log_tail(path: &Path, max_bytes: u64) -> String {
    let read = || -> io::Result<String> {
        let mut file = File::open(path)?;
        let len = file.metadata()?.len();
        file.seek(SeekFrom::Start(len.saturating_sub(max_bytes)))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    read().unwrap_or_else(|error| format!("(cannot read {}: {error})", path.display()))
}

/// Prepares `command` to run as a throwaway server: in its own process
/// group, killed with `death_signal` if the spawning thread dies, with
/// stdin closed and stdout and stderr appended to `log`.
///
/// [`ServerProcess::spawn`] applies it; it is public for a server's
/// one-shot setup commands (such as `initdb`), which want the same
/// treatment.
pub fn configure(command: &mut Command, log: &Path, death_signal: libc::c_int) -> io::Result<()> {
    let out = File::options().create(true).append(true).open(log)?;
    let err = out.try_clone()?;
    command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0);
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: the closure runs in the child between fork and exec and
    // calls only async-signal-safe functions (prctl, getppid); it
    // allocates only on the error path, as std's own spawn code does.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, death_signal as libc::c_ulong) != 0 {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died before the prctl: then no signal
            // would ever come.
            if libc::getppid() != parent {
                return Err(io::Error::other("the harness exited during the spawn"));
            }
            Ok(())
        });
    }
    Ok(())
}

/// A running throwaway server and its temporary folder. Dropping it stops
/// the server (see the module docs) and removes the folder.
#[derive(Debug)]
pub struct ServerProcess {
    child: Option<Child>,
    dir: Option<TempDir>,
    log: PathBuf,
    stop_signal: libc::c_int,
    grace: Duration,
}

impl ServerProcess {
    /// Spawns `command` (see [`configure`]) with its output appended to
    /// `log`; the guard owns the process and `dir`.
    ///
    /// `stop_signal` is the signal that asks this server to stop promptly
    /// (SIGTERM for most servers; PostgreSQL wants SIGINT, as SIGTERM makes
    /// it wait for its clients to leave). It is also the signal the kernel
    /// sends when the harness dies.
    pub fn spawn(
        mut command: Command,
        dir: TempDir,
        log: PathBuf,
        stop_signal: libc::c_int,
    ) -> io::Result<Self> {
        configure(&mut command, &log, stop_signal)?;
        let child = command.spawn()?;
        Ok(Self {
            child: Some(child),
            dir: Some(dir),
            log,
            stop_signal,
            grace: STOP_GRACE,
        })
    }

    /// How long drop waits after the stop signal before it kills the
    /// server ([`STOP_GRACE`] unless set).
    pub fn set_grace(&mut self, grace: Duration) {
        self.grace = grace;
    }

    /// The server's temporary folder.
    pub fn dir(&self) -> &Path {
        self.dir.as_ref().expect("held until drop").path()
    }

    /// The file the server's stdout and stderr go to.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// The last `max_bytes` of the server's log.
    pub fn log_tail(&self, max_bytes: u64) -> String {
        log_tail(&self.log, max_bytes)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("held until drop").id()
    }

    /// How the server exited, if it has. The process is not reaped (see
    /// `stop`), so its id stays the server's until the guard drops.
    pub fn exited(&self) -> Option<ExitStatus> {
        peek_exit(self.pid() as libc::pid_t)
    }

    /// Stops the server as drop does, but keeps its folder and hands it
    /// back (to start the server again, on another port).
    pub fn into_dir(mut self) -> TempDir {
        self.stop();
        self.dir.take().expect("held until drop")
    }

    fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = child.id() as libc::pid_t;
        // The leader is not reaped until its group has been killed: an
        // unreaped process keeps its id (and so the group's id) from
        // being reused, so the kills below cannot hit a stranger.
        if peek_exit(pid).is_none() {
            // SAFETY: kill has no memory-safety preconditions.
            unsafe { libc::kill(pid, self.stop_signal) };
            let deadline = Instant::now() + self.grace;
            while peek_exit(pid).is_none() && Instant::now() < deadline {
                std::thread::sleep(POLL);
            }
        }
        // Kill what is left of the group: the server if it did not stop,
        // children it left behind.
        // SAFETY: as above; -pid names the group the spawn created.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
        let _ = child.wait();
    }
}

/// The exit status of our child `pid` if it has exited, leaving it
/// unreaped (`WNOWAIT`).
fn peek_exit(pid: libc::pid_t) -> Option<ExitStatus> {
    use std::os::unix::process::ExitStatusExt;
    // SAFETY: waitid writes only into `info`, which is zeroed and live;
    // the si_* accessors read the fields waitid filled for a child.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
        if libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, flags) != 0 {
            // ECHILD: not ours any more, so certainly not running.
            return Some(ExitStatus::from_raw(0));
        }
        if info.si_pid() == 0 {
            return None;
        }
        let status = info.si_status();
        Some(match info.si_code {
            libc::CLD_EXITED => ExitStatus::from_raw((status & 0xff) << 8),
            // Killed or dumped: the raw wait status is the signal number.
            _ => ExitStatus::from_raw(status & 0x7f),
        })
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.stop();
        if let Some(dir) = self.dir.take() {
            let _ = dir.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_port_can_be_bound() {
        let port = free_port().unwrap();
        assert_ne!(port, 0);
        TcpListener::bind(("127.0.0.1", port)).unwrap();
    }

    #[test]
    fn a_server_that_exits_by_itself_shows_its_status_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        let mut command = Command::new("sh");
        command.args(["-c", "echo bye; exit 3"]);
        let server = ServerProcess::spawn(command, dir, log, libc::SIGTERM).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        let status = loop {
            if let Some(status) = server.exited() {
                break status;
            }
            assert!(Instant::now() < deadline, "sh did not exit");
            std::thread::sleep(POLL);
        };
        assert_eq!(status.code(), Some(3));
        assert_eq!(
            server.exited().and_then(|s| s.code()),
            Some(3),
            "not reaped"
        );
        assert!(server.log_tail(100).contains("bye"));
    }

    #[test]
    fn drop_stops_a_server_that_ignores_its_stop_signal_and_removes_its_folder() {
        let dir = tempfile::Builder::new()
            .prefix("contend-process-test-")
            .tempdir()
            .unwrap();
        let log = dir.path().join("log");
        let mut command = Command::new("sh");
        command.args(["-c", "trap '' TERM; echo up; while :; do sleep 0.05; done"]);
        let mut server = ServerProcess::spawn(command, dir, log, libc::SIGTERM).unwrap();
        let grace = Duration::from_millis(200);
        server.set_grace(grace);
        let folder = server.dir().to_path_buf();
        let pid = server.pid() as libc::pid_t;
        while !server.log_tail(100).contains("up") {
            std::thread::sleep(POLL);
        }
        assert!(server.exited().is_none());
        let stopping = Instant::now();
        drop(server);
        assert!(
            stopping.elapsed() >= grace,
            "it waited for the grace period"
        );
        assert!(!folder.exists(), "the folder is removed");
        // The shell's `sleep`, killed with it, is reaped by init in its
        // own time; until then the group exists, as a zombie.
        // SAFETY: signal 0 only asks whether the group exists.
        let group_exists = || unsafe { libc::kill(-pid, 0) } == 0;
        let deadline = Instant::now() + Duration::from_secs(5);
        while group_exists() && Instant::now() < deadline {
            std::thread::sleep(POLL);
        }
        assert!(!group_exists(), "the group is gone");
    }
}
