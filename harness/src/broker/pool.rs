//! A small pool of Redis connections, so one broker handle serves many
//! worker threads at once.
//!
//! A sync Redis connection carries one request at a time. Behind a single
//! `Mutex<Connection>`, a consumer's 8 workers would take turns, and a
//! blocking `XREADGROUP … BLOCK` would hold everyone else up for the whole
//! block. So each call takes an idle connection, or opens one if none is
//! idle, and puts it back afterwards: the pool grows to the number of
//! calls in flight at once (about the number of threads) and no further.
//!
//! A connection whose request failed on the wire (dropped, timed out, a
//! garbled reply) is in an unknown state, maybe with a reply still on its
//! way, and is dropped instead of put back; the next call opens a fresh
//! one. Errors the server itself answered leave the connection usable.
//!
//! Every read has a timeout (the response timeout, plus the block time for
//! a blocking read), so a server that vanishes without closing its socket
//! gives an error, not a hang.

use std::sync::Mutex;
use std::time::Duration;

use redis::{Client, Connection, ConnectionLike, ErrorKind, RedisError};

use super::error::{redact, BrokerError};

/// Idle connections kept beyond this are closed.
const MAX_IDLE: usize = 64;

/// How long a broker connection waits before giving up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// To open a TCP connection.
    pub connect: Duration,
    /// For a reply, and to write a request (a blocking fetch waits its
    /// block time on top).
    pub response: Duration,
}

impl Default for Timeouts {
    /// 2 s to connect, 5 s for a reply: far beyond a healthy local
    /// server's microseconds, short enough that a lost one is reported
    /// while the run still means something.
    fn default() -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(2),
            response: Duration::from_secs(5),
        }
    }
}

/// Connections to one Redis server, opened on demand and reused.
pub(crate) struct Pool {
    client: Client,
    /// The URL for messages, password hidden.
    url: String,
    timeouts: Timeouts,
    idle: Mutex<Vec<Pooled>>,
}

/// A connection and the read timeout its socket has now (set only when it
/// changes: a blocking fetch needs a longer one).
struct Pooled {
    connection: Connection,
    read_timeout: Duration,
}

impl Pool {
    /// Parses `url` and opens a first connection, so that a bad URL and an
    /// unreachable server are reported now, before a run, each as itself.
    pub(crate) fn connect(url: &str, timeouts: Timeouts) -> Result<Pool, BrokerError> {
        let shown = redact(url);
        let client = Client::open(url).map_err(|e| BrokerError::BadUrl {
            url: shown.clone(),
            reason: e.to_string(),
        })?;
        let pool = Pool {
            client,
            url: shown,
            timeouts,
            idle: Mutex::new(Vec::new()),
        };
        let first = pool.open().map_err(|e| BrokerError::Unreachable {
            url: pool.url.clone(),
            reason: e.to_string(),
        })?;
        pool.idle_connections().push(first);
        Ok(pool)
    }

    /// The URL, password hidden.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// Runs `request` on a connection, with `extra_wait` on top of the
    /// response timeout for its reply (a blocking read's block time).
    pub(crate) fn run<T>(
        &self,
        operation: &'static str,
        extra_wait: Duration,
        request: impl FnOnce(&mut Connection) -> Result<T, RedisError>,
    ) -> Result<T, BrokerError> {
        let mut pooled = match self.take() {
            Some(pooled) => pooled,
            None => self.open().map_err(|e| self.lost(operation, e))?,
        };
        let read_timeout = self.timeouts.response.saturating_add(extra_wait);
        if pooled.read_timeout != read_timeout {
            if let Err(e) = pooled.connection.set_read_timeout(Some(read_timeout)) {
                return Err(self.lost(operation, e));
            }
            pooled.read_timeout = read_timeout;
        }
        match request(&mut pooled.connection) {
            Ok(value) => {
                self.give_back(pooled);
                Ok(value)
            }
            Err(e) => {
                if on_the_wire(&e) || !pooled.connection.is_open() {
                    // Dropped: its state is unknown.
                    Err(self.lost(operation, e))
                } else {
                    self.give_back(pooled);
                    Err(answered(operation, e))
                }
            }
        }
    }

    fn open(&self) -> Result<Pooled, RedisError> {
        let connection = self
            .client
            .get_connection_with_timeout(self.timeouts.connect)?;
        connection.set_write_timeout(Some(self.timeouts.response))?;
        connection.set_read_timeout(Some(self.timeouts.response))?;
        Ok(Pooled {
            connection,
            read_timeout: self.timeouts.response,
        })
    }

    fn take(&self) -> Option<Pooled> {
        self.idle_connections().pop()
    }

    fn give_back(&self, pooled: Pooled) {
        let mut idle = self.idle_connections();
        if idle.len() < MAX_IDLE {
            idle.push(pooled);
        }
    }

    fn idle_connections(&self) -> std::sync::MutexGuard<'_, Vec<Pooled>> {
        // A panic while holding the lock leaves only a Vec behind: usable.
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lost(&self, operation: &'static str, e: RedisError) -> BrokerError {
        let reason = if e.is_timeout() {
            format!("no reply within the timeout ({e})")
        } else {
            e.to_string()
        };
        BrokerError::Lost {
            url: self.url.clone(),
            operation,
            reason,
        }
    }

    /// How many connections are idle now (for tests).
    #[cfg(test)]
    pub(crate) fn idle_count(&self) -> usize {
        self.idle_connections().len()
    }
}

/// Whether `e` leaves the connection in an unknown state.
fn on_the_wire(e: &RedisError) -> bool {
    e.is_io_error()
        || e.is_timeout()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || e.kind() == ErrorKind::ParseError
}

/// An error the server answered, or a reply of the wrong type.
fn answered(operation: &'static str, e: RedisError) -> BrokerError {
    match e.kind() {
        ErrorKind::TypeError => BrokerError::BadReply {
            operation,
            reason: e.to_string(),
        },
        _ => BrokerError::Refused {
            operation,
            reason: e.to_string(),
        },
    }
}
