//! Calls from threads: the blocking `postgres` client, and `r2d2` as
//! its pool.
//!
//! The pool is built on the first blocking call, not in `prepare`: a
//! cell that only calls asynchronously must not hold a second set of
//! connections it never uses (they would count against the server's
//! limit). It starts empty and opens connections as calls need them,
//! like the async pool, so neither path gets a head start. Checked-out
//! connections are not pinged (`test_on_check_out` off): a call measures
//! its statement, not an extra round trip; a connection that broke
//! fails its statement, and r2d2 drops it on return.
//!
//! r2d2 reports only "timed out waiting for connection" when it cannot
//! open one, so the pool's error handler keeps the last connection
//! error, and a newly opened connection clears it: a timeout while that
//! error stands is that error (a refusal, the server gone); a timeout
//! without one is a wait behind the other calls.
//!
//! The `postgres` client runs a small tokio runtime of its own for each
//! connection, so a blocking call must not be made from inside an async
//! task (tokio refuses to nest runtimes); `spawn_blocking` threads are
//! fine.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use postgres::types::ToSql;
use postgres::NoTls;
use r2d2_postgres::PostgresConnectionManager;

use super::outcome::{classify, Failure};
use super::sql::{RunSql, RECORD_TYPE};
use super::target::Connection;

type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;

/// The last error opening a pool connection, cleared by the next success.
type LastError = Arc<Mutex<Option<Failure>>>;

/// How a thread's call gets its connection and runs its statement.
#[derive(Debug)]
pub(crate) struct BlockingClient {
    config: postgres::Config,
    connection: Connection,
    timeout: Duration,
    pool: OnceLock<Pool>,
    last_error: LastError,
}

impl BlockingClient {
    /// A client for the jobs' `config`; no connection is opened yet.
    pub(crate) fn new(config: postgres::Config, connection: Connection, timeout: Duration) -> Self {
        Self {
            config,
            connection,
            timeout,
            pool: OnceLock::new(),
            last_error: LastError::default(),
        }
    }

    /// Runs `sql`'s statement for `record`.
    pub(crate) fn call(&self, sql: &RunSql, record: u64) -> Result<(), Failure> {
        let started = Instant::now();
        let bound = sql.bind(record).map_err(Failure::Failed)?;
        let result = match self.connection {
            Connection::Own => {
                let mut client = self.config.connect(NoTls).map_err(|e| classify(&e))?;
                run(&mut client, sql, bound)
            }
            Connection::Pool { size } => {
                let mut client = self.pool(size).get().map_err(|e| self.pool_failure(e))?;
                run(&mut client, sql, bound)
            }
        };
        result?;
        // A commit that came back after the caller's deadline is a
        // timeout to the caller (and in doubt in the books).
        let took = started.elapsed();
        if took > self.timeout {
            return Err(Failure::TimedOut(format!(
                "committed after {} ms, past the {} ms timeout",
                took.as_millis(),
                self.timeout.as_millis()
            )));
        }
        Ok(())
    }

    fn pool(&self, size: u32) -> &Pool {
        self.pool.get_or_init(|| {
            let manager = PostgresConnectionManager::new(self.config.clone(), NoTls);
            r2d2::Pool::builder()
                .max_size(size)
                .min_idle(Some(0))
                .connection_timeout(self.timeout)
                .test_on_check_out(false)
                .error_handler(Box::new(KeepError(self.last_error.clone())))
                .connection_customizer(Box::new(ClearError(self.last_error.clone())))
                .build_unchecked(manager)
        })
    }

    fn pool_failure(&self, error: r2d2::Error) -> Failure {
        let last = self
            .last_error
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        match last {
            Some(failure) => failure,
            None => Failure::TimedOut(format!(
                "no pooled connection free within {} ms ({error})",
                self.timeout.as_millis()
            )),
        }
    }
}

/// Runs the statement on a connection.
fn run(client: &mut postgres::Client, sql: &RunSql, bound: Option<i64>) -> Result<(), Failure> {
    if !sql.hold.is_zero() {
        std::thread::sleep(sql.hold);
    }
    let rows = match &bound {
        Some(id) => client.query_typed(&sql.job, &[(id as &(dyn ToSql + Sync), RECORD_TYPE)]),
        None => client.query_typed(&sql.job, &[]),
    }
    .map_err(|e| classify(&e))?;
    sql.found(bound, rows.len())
}

/// r2d2's error handler: keeps the last error opening a connection.
#[derive(Debug)]
struct KeepError(LastError);

impl r2d2::HandleError<postgres::Error> for KeepError {
    fn handle_error(&self, error: postgres::Error) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(classify(&error));
    }
}

/// r2d2's connection customizer: a connection opened clears the last
/// error.
#[derive(Debug)]
struct ClearError(LastError);

impl r2d2::CustomizeConnection<postgres::Client, postgres::Error> for ClearError {
    fn on_acquire(&self, _: &mut postgres::Client) -> Result<(), postgres::Error> {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
        Ok(())
    }
}
