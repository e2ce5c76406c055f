//! A throwaway `redis-server` for one run or one test.
//!
//! A run's books are read from the broker, so the broker must hold that
//! run's state and nothing else: a fresh server with an empty temporary
//! folder, on a free port, persisting nothing (`--save ''`,
//! `--appendonly no`), gone with its folder when dropped. It runs in its
//! own process group so Ctrl-C at the terminal does not kill it mid-run,
//! and gets SIGTERM if the harness dies (see [`process`](super::process)).
//!
//! It listens on 127.0.0.1, and on extra addresses if asked: a consumer in
//! another network namespace reaches it over a veth pair's address. Then
//! protected mode is off, since that consumer is not on loopback and the
//! server has no password; keep such addresses on test-only interfaces.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::error::BrokerError;
use crate::servers::process::{free_port, log_tail as tail_of, ServerProcess};

/// Overrides where `redis-server` is looked for.
pub const REDIS_SERVER_ENV: &str = "CONTEND_REDIS_SERVER";

/// How long a new server gets to answer PING.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// Tries at a free port: another process may take the one picked between
/// the pick and the server's bind.
const PORT_TRIES: usize = 3;

/// The end of the log shown when the server does not come up.
const LOG_TAIL_BYTES: u64 = 2048;

/// A running `redis-server`, stopped (SIGTERM, then SIGKILL after 5 s) and
/// its folder removed when dropped.
#[derive(Debug)]
pub struct RedisServer {
    /// The process and its folder (the guard stops the one, then removes
    /// the other).
    process: ServerProcess,
    port: u16,
    binds: Vec<IpAddr>,
}

impl RedisServer {
    /// Starts a server on 127.0.0.1 only.
    ///
    /// [`BrokerError::ServerNotFound`] when there is no `redis-server`
    /// (on `PATH`, or at `$CONTEND_REDIS_SERVER`). Start it from a thread
    /// that outlives it: the server gets SIGTERM when the starting thread
    /// exits (its parent-death signal, for a harness that dies undropped).
    pub fn start() -> Result<RedisServer, BrokerError> {
        RedisServer::start_binding(&[])
    }

    /// Starts a server on 127.0.0.1 and on `extra` addresses (which must
    /// exist on this host), with protected mode off if there are any.
    pub fn start_binding(extra: &[IpAddr]) -> Result<RedisServer, BrokerError> {
        let program = find_program()?;
        let mut binds = vec![IpAddr::V4(Ipv4Addr::LOCALHOST)];
        for addr in extra {
            if !binds.contains(addr) {
                binds.push(*addr);
            }
        }
        let mut last_error = None;
        for _ in 0..PORT_TRIES {
            match RedisServer::start_once(&program, &binds) {
                Ok(server) => return Ok(server),
                Err(e @ BrokerError::ServerStart { .. }) if port_taken(&e) => last_error = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_error.expect("PORT_TRIES > 0"))
    }

    fn start_once(program: &Path, binds: &[IpAddr]) -> Result<RedisServer, BrokerError> {
        let start_error = |reason: String| BrokerError::ServerStart {
            reason,
            log_tail: String::new(),
        };
        let dir = tempfile::Builder::new()
            .prefix("contend-redis-")
            .tempdir()
            .map_err(|e| start_error(format!("cannot make its folder: {e}")))?;
        let port = free_port().map_err(|e| start_error(format!("no free port: {e}")))?;
        let log_path = dir.path().join("redis.log");
        let mut command = Command::new(program);
        command
            .arg("--port")
            .arg(port.to_string())
            .arg("--bind")
            .args(binds.iter().map(IpAddr::to_string))
            .arg("--protected-mode")
            .arg(if binds.len() > 1 { "no" } else { "yes" })
            .arg("--dir")
            .arg(dir.path())
            .arg("--save")
            .arg("")
            .arg("--appendonly")
            .arg("no")
            .arg("--daemonize")
            .arg("no");
        let process =
            ServerProcess::spawn(command, dir, log_path.clone(), libc::SIGTERM).map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    BrokerError::ServerNotFound {
                        reason: format!("cannot run {}: {e}", program.display()),
                    }
                } else {
                    start_error(format!("cannot run {}: {e}", program.display()))
                }
            })?;
        let mut server = RedisServer {
            process,
            port,
            binds: binds.to_vec(),
        };
        server.wait_until_up(&log_path)?;
        Ok(server)
    }

    /// Waits for PING to answer; a server that exits meanwhile, or is
    /// still silent after [`START_TIMEOUT`], is an error with its log.
    fn wait_until_up(&mut self, log_path: &Path) -> Result<(), BrokerError> {
        let started = Instant::now();
        let client = redis::Client::open(self.url()).map_err(|e| BrokerError::ServerStart {
            reason: format!("bad URL {}: {e}", self.url()),
            log_tail: String::new(),
        })?;
        loop {
            if let Some(status) = self.process.exited() {
                return Err(BrokerError::ServerStart {
                    reason: format!("it exited ({status})"),
                    log_tail: log_tail(log_path),
                });
            }
            let pong = client
                .get_connection_with_timeout(Duration::from_millis(200))
                .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c));
            if matches!(pong.as_deref(), Ok("PONG")) {
                return Ok(());
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(BrokerError::start_timeout(
                    START_TIMEOUT,
                    log_tail(log_path),
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The URL on 127.0.0.1, `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// The URL on `addr`, one of the extra addresses it listens on (for
    /// IPv6 in brackets).
    pub fn url_at(&self, addr: IpAddr) -> String {
        match addr {
            IpAddr::V4(v4) => format!("redis://{v4}:{}/", self.port),
            IpAddr::V6(v6) => format!("redis://[{v6}]:{}/", self.port),
        }
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The addresses it listens on, 127.0.0.1 first.
    pub fn binds(&self) -> &[IpAddr] {
        &self.binds
    }

    /// Its process id (also its process group's).
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// Its folder (its log is `redis.log` there), removed on drop.
    pub fn dir(&self) -> &Path {
        self.process.dir()
    }
}

/// `$CONTEND_REDIS_SERVER`, else `redis-server` on `PATH`.
fn find_program() -> Result<PathBuf, BrokerError> {
    if let Some(path) = std::env::var_os(REDIS_SERVER_ENV) {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(BrokerError::ServerNotFound {
                reason: format!("${REDIS_SERVER_ENV} is {}, not a file", path.display()),
            })
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("redis-server"))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| BrokerError::ServerNotFound {
            reason: format!(
                "no redis-server on PATH (install the redis-server package, or set ${REDIS_SERVER_ENV})"
            ),
        })
}

/// Whether a start failed because the port was taken meanwhile.
fn port_taken(e: &BrokerError) -> bool {
    matches!(e, BrokerError::ServerStart { log_tail, .. } if log_tail.contains("Address already in use"))
}

/// The end of the log.
fn log_tail(path: &Path) -> String {
    tail_of(path, LOG_TAIL_BYTES)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_server_that_dies_at_start_shows_its_log() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fake = dir.path().join("redis-server");
        std::fs::write(
            &fake,
            "#!/bin/sh\necho \"# FATAL: pretend bad config: $*\"\nexit 1\n",
        )
        .expect("write");
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let binds = [IpAddr::V4(Ipv4Addr::LOCALHOST)];
        let message = RedisServer::start_once(&fake, &binds)
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("redis-server did not start: it exited (exit status: 1)"),
            "{message}"
        );
        assert!(
            message.contains("FATAL: pretend bad config: --port"),
            "{message}"
        );
        assert!(message.contains("--save  --appendonly no"), "{message}");
    }

    #[test]
    fn a_missing_program_is_not_found() {
        let dir = tempfile::tempdir().expect("tempdir");
        let absent = dir.path().join("redis-server");
        let error = RedisServer::start_once(&absent, &[]).unwrap_err();
        assert!(
            matches!(error, BrokerError::ServerNotFound { .. }),
            "{error:?}"
        );
    }
}
