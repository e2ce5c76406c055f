//! A throwaway PostgreSQL server: a fresh cluster in a temporary folder,
//! on a free port of 127.0.0.1, gone when its guard drops.
//!
//! A pool scenario measures what a strategy does to a real database, so
//! the database must be the same for every cell and every machine: fresh
//! (no tables, no bloat from the last run), alone (no other client holds
//! connections) and with a known connection limit, since running into
//! that limit is the point of the scenarios. [`PostgresServer::start`]
//! makes one with `initdb` and `postgres` from the machine's PostgreSQL
//! installation, in well under a second.
//!
//! Durability is switched off (`fsync`, `synchronous_commit`,
//! `full_page_writes`, `initdb --no-sync`): the cluster is thrown away,
//! and a load test of the *caller* should not measure the disk. A commit
//! is still a commit to every other client: it is visible, and counted
//! in the books, as soon as the server answers.
//!
//! # The connection limit
//!
//! PostgreSQL admits `max_connections` client connections, of which the
//! last `superuser_reserved_connections` (3 by default) are kept for
//! superusers: an ordinary role is refused ("remaining connection slots
//! are reserved ...") once `max_connections - superuser_reserved_connections`
//! are open, a superuser only at `max_connections` ("sorry, too many
//! clients already"). Both refusals are SQLSTATE 53300
//! (`too_many_connections`).
//!
//! The harness connects as [`USER`], the cluster's superuser (`initdb -U`),
//! so **the limit that applies is `max_connections`**, whatever the
//! reservation. Measured with PostgreSQL 15: with `max_connections=20`
//! and the default reservation, 20 superuser connections open at once and
//! the 21st is refused; an ordinary role gets 17. The tests check the
//! same with `max_connections=10` (10 for the superuser; 7 for an
//! ordinary role, whose refusal leaves the 3 reserved slots to the
//! superuser). Set [`PostgresOptions::superuser_reserved_connections`]
//! to 0 to make `max_connections` the limit for every role.
//!
//! Background processes (autovacuum, the WAL writer, ...) have slots of
//! their own and do not count against `max_connections`.
//!
//! # Running as root
//!
//! PostgreSQL refuses to run as root; as root the harness runs `initdb`
//! and `postgres` as the `postgres` system user (see [`super::user`]).
//!
//! # Blocking
//!
//! [`PostgresServer::start`] polls the server with the blocking `postgres`
//! client, which runs a tokio runtime of its own: call it from a plain
//! thread, not from inside an async task.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::error::ServerError;
use super::process::{self, ServerProcess};
use super::user::{self, RunAs};

/// The cluster's superuser, the role every connection of the harness uses.
pub const USER: &str = "contend";

/// The database connections use (the one `initdb` creates).
pub const DATABASE: &str = "postgres";

/// The system user PostgreSQL runs as when the harness is root.
pub const SYSTEM_USER: &str = "postgres";

/// Where PostgreSQL installations are looked for after `PATH` (Debian's
/// layout: one `bin` folder per major version).
pub const INSTALL_ROOT: &str = "/usr/lib/postgresql";

/// How long [`PostgresServer::start`] waits for the server to accept
/// connections.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);

const SERVER: &str = "PostgreSQL";

/// How many times a start is tried with a new port when another process
/// took the free port first.
const BIND_ATTEMPTS: usize = 3;

/// How much of a log an error shows.
const LOG_TAIL_BYTES: u64 = 4000;

/// How a throwaway server is configured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PostgresOptions {
    /// The server's `max_connections`: the most client connections the
    /// harness's superuser can hold at once (see the module docs).
    pub max_connections: u32,
    /// The server's `superuser_reserved_connections`: slots only a
    /// superuser may take. It does not lower the harness's limit (it
    /// connects as a superuser); 0 makes `max_connections` the limit for
    /// every role. Must be less than `max_connections`.
    pub superuser_reserved_connections: u32,
}

impl Default for PostgresOptions {
    /// PostgreSQL's own defaults: 100 connections, 3 of them reserved.
    fn default() -> Self {
        Self {
            max_connections: 100,
            superuser_reserved_connections: 3,
        }
    }
}

/// The programs of a PostgreSQL installation that a server needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostgresBinaries {
    /// `initdb`, which creates a cluster.
    pub initdb: PathBuf,
    /// `postgres`, the server.
    pub postgres: PathBuf,
}

/// Finds `initdb` and `postgres`: in the first `PATH` folder that has
/// both, else in the newest `/usr/lib/postgresql/<version>/bin`.
pub fn find_binaries() -> Result<PostgresBinaries, ServerError> {
    let in_dir = |dir: &Path| {
        let binaries = PostgresBinaries {
            initdb: dir.join("initdb"),
            postgres: dir.join("postgres"),
        };
        (process::is_executable(&binaries.initdb) && process::is_executable(&binaries.postgres))
            .then_some(binaries)
    };
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>());
    if let Some(found) = on_path.filter_map(|dir| in_dir(&dir)).next() {
        return Ok(found);
    }
    let mut versions: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir(INSTALL_ROOT)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let version = name
                .split('.')
                .map(|part| part.parse().ok())
                .collect::<Option<Vec<u32>>>()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort_by(|a, b| b.0.cmp(&a.0));
    versions
        .iter()
        .find_map(|(_, dir)| in_dir(dir))
        .ok_or_else(|| ServerError::NotInstalled {
            server: SERVER,
            searched: format!(
                "no folder on PATH or in {INSTALL_ROOT}/*/bin has both `initdb` and `postgres`"
            ),
        })
}

/// A running throwaway PostgreSQL server. Dropping it stops the server
/// (fast shutdown: clients are disconnected, open transactions roll
/// back) and removes its folder.
#[derive(Debug)]
pub struct PostgresServer {
    process: ServerProcess,
    port: u16,
    options: PostgresOptions,
}

impl PostgresServer {
    /// Creates a cluster in a fresh temporary folder and starts a server
    /// on it, returning once it accepts connections.
    pub fn start(options: PostgresOptions) -> Result<Self, ServerError> {
        let binaries = find_binaries()?;
        let run_as = if user::is_root() {
            Some(
                user::system_user(SYSTEM_USER).ok_or(ServerError::NoServerUser {
                    server: SERVER,
                    user: SYSTEM_USER,
                })?,
            )
        } else {
            None
        };
        let dir = tempfile::Builder::new()
            .prefix("contend-postgres-")
            .tempdir()
            .map_err(|source| io_error("create a temporary folder", source))?;
        if let Some(run_as) = run_as {
            std::os::unix::fs::chown(dir.path(), Some(run_as.uid), Some(run_as.gid)).map_err(
                |source| {
                    io_error(
                        &format!("hand {} to {SYSTEM_USER}", dir.path().display()),
                        source,
                    )
                },
            )?;
        }
        init_cluster(&binaries, &dir, run_as)?;
        let mut dir = dir;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match Self::serve(&binaries, dir, run_as, options)? {
                Served::Up(server) => return Ok(server),
                Served::PortTaken(back) if attempt < BIND_ATTEMPTS => dir = back,
                Served::PortTaken(back) => {
                    let log = process::log_tail(&back.path().join("server.log"), LOG_TAIL_BYTES);
                    return Err(ServerError::StartFailed {
                        server: SERVER,
                        reason: format!("another process took its port, {BIND_ATTEMPTS} times"),
                        log,
                    });
                }
            }
        }
    }

    /// Starts `postgres` on the cluster in `dir` and waits for it.
    fn serve(
        binaries: &PostgresBinaries,
        dir: TempDir,
        run_as: Option<RunAs>,
        options: PostgresOptions,
    ) -> Result<Served, ServerError> {
        let port = process::free_port().map_err(|source| io_error("find a free port", source))?;
        let path = dir.path().to_path_buf();
        // A retry's log starts afresh, so the last attempt's "could not
        // bind" is not read as this one's.
        let _ = std::fs::remove_file(path.join("server.log"));
        let mut command = Command::new(&binaries.postgres);
        command
            .arg("-D")
            .arg(path.join("data"))
            .arg("-k")
            .arg(&path)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .arg("-c")
            .arg(format!("max_connections={}", options.max_connections))
            .arg("-c")
            .arg(format!(
                "superuser_reserved_connections={}",
                options.superuser_reserved_connections
            ))
            .args(["-c", "fsync=off"])
            .args(["-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off"])
            .current_dir(&path);
        as_user(&mut command, run_as);
        // SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for
        // every client to disconnect.
        let process = ServerProcess::spawn(command, dir, path.join("server.log"), libc::SIGINT)
            .map_err(|source| io_error("start postgres", source))?;
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = process.exited() {
                let log = process.log_tail(LOG_TAIL_BYTES);
                if log.contains("could not bind") || log.contains("could not create any TCP/IP") {
                    return Ok(Served::PortTaken(process.into_dir()));
                }
                return Err(ServerError::StartFailed {
                    server: SERVER,
                    reason: format!("postgres exited ({status})"),
                    log,
                });
            }
            let last_error = match probe(port) {
                Ok(()) => {
                    return Ok(Served::Up(Self {
                        process,
                        port,
                        options,
                    }))
                }
                Err(error) => error,
            };
            if Instant::now() >= deadline {
                return Err(ServerError::StartFailed {
                    server: SERVER,
                    reason: format!(
                        "no connection within {} s (last attempt: {last_error})",
                        START_TIMEOUT.as_secs()
                    ),
                    log: process.log_tail(LOG_TAIL_BYTES),
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The URL to connect with: `postgres://contend@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{DATABASE}", self.port)
    }

    /// The port the server listens on (127.0.0.1 only).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The options it was started with.
    pub fn options(&self) -> PostgresOptions {
        self.options
    }

    /// How many connections [`USER`] (a superuser) can hold at once:
    /// `max_connections` (see the module docs).
    pub fn connection_limit(&self) -> u32 {
        self.options.max_connections
    }

    /// How many connections an ordinary role can hold at once:
    /// `max_connections - superuser_reserved_connections`.
    pub fn ordinary_role_limit(&self) -> u32 {
        self.options
            .max_connections
            .saturating_sub(self.options.superuser_reserved_connections)
    }

    /// The server's temporary folder (its data is in `data/`, its socket
    /// and log at the top).
    pub fn dir(&self) -> &Path {
        self.process.dir()
    }

    /// The end of the server's log, for an error message.
    pub fn log_tail(&self) -> String {
        self.process.log_tail(LOG_TAIL_BYTES)
    }
}

/// What one attempt to serve the cluster gave.
enum Served {
    Up(PostgresServer),
    /// The port was taken before postgres bound it; here is the folder
    /// back, to try another port.
    PortTaken(TempDir),
}

/// Runs `initdb` into `dir/data`.
fn init_cluster(
    binaries: &PostgresBinaries,
    dir: &TempDir,
    run_as: Option<RunAs>,
) -> Result<(), ServerError> {
    let log = dir.path().join("initdb.log");
    let mut command = Command::new(&binaries.initdb);
    command
        .arg("-D")
        .arg(dir.path().join("data"))
        .args(["-A", "trust", "-U", USER, "--no-sync", "-E", "UTF8"])
        // C: the same collation everywhere, and no mismatch between UTF8
        // and whatever locale the environment names.
        .arg("--locale=C")
        .current_dir(dir.path());
    as_user(&mut command, run_as);
    process::configure(&mut command, &log, libc::SIGTERM)
        .map_err(|source| io_error("open initdb's log", source))?;
    let status = command
        .status()
        .map_err(|source| io_error("run initdb", source))?;
    if status.success() {
        Ok(())
    } else {
        Err(ServerError::InitFailed {
            server: SERVER,
            log: format!(
                "initdb exited ({status})\n{}",
                process::log_tail(&log, LOG_TAIL_BYTES)
            ),
        })
    }
}

fn as_user(command: &mut Command, run_as: Option<RunAs>) {
    use std::os::unix::process::CommandExt;
    if let Some(run_as) = run_as {
        command.uid(run_as.uid).gid(run_as.gid);
    }
}

/// Whether the server on `port` accepts a connection and a query.
fn probe(port: u16) -> Result<(), String> {
    let mut client = postgres::Config::new()
        .host("127.0.0.1")
        .port(port)
        .user(USER)
        .dbname(DATABASE)
        .connect_timeout(Duration::from_secs(1))
        .connect(postgres::NoTls)
        .map_err(|error| error.to_string())?;
    client
        .simple_query("select 1")
        .map(drop)
        .map_err(|error| error.to_string())
}

fn io_error(doing: &str, source: std::io::Error) -> ServerError {
    ServerError::Io {
        server: SERVER,
        doing: doing.to_string(),
        source,
    }
}

/// Starts a server for the test `test`, or prints one `SKIPPED:` line and
/// returns `None` when this machine has no PostgreSQL to start.
#[cfg(test)]
pub(crate) fn start_or_skip(test: &str, options: PostgresOptions) -> Option<PostgresServer> {
    match PostgresServer::start(options) {
        Ok(server) => Some(server),
        Err(error) if error.is_unavailable() => {
            skip(test, &error.to_string());
            None
        }
        Err(error) => panic!("{test}: {error}"),
    }
}

/// Prints one `SKIPPED: <test>: <reason>` line. It writes to stderr
/// directly, not with `eprintln!`, which the test harness captures (and
/// shows only for a failing test): a skip must be seen.
#[cfg(test)]
pub(crate) fn skip(test: &str, reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {test}: {reason}");
}

#[cfg(test)]
mod tests;
