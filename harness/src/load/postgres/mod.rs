//! PostgreSQL as a pool scenario's downstream: each job runs one
//! statement against a real database.
//!
//! The simulated [`downstream`](super::downstream) models a connection
//! limit; this one has a real one, with everything a model leaves out:
//! what a connection costs to open (a server process per connection),
//! how a server refuses the connection past its limit (SQLSTATE 53300),
//! what a client-side pool does about it, and whether every commit the
//! jobs saw is really in the table afterwards.
//!
//! A run goes [`PostgresDownstream::prepare`] (check the database, create
//! the run's tables), then any number of [`PostgresDownstream::call`]s
//! from threads or [`PostgresDownstream::call_async`]s from tokio tasks,
//! then [`PostgresDownstream::finish`], which reconciles the calls with
//! the table into [`PostgresBooks`] and drops the tables.
//!
//! - [`target`]: what the jobs do: URL, statement, own connection or a
//!   pool, timeout.
//! - [`outcome`]: what became of a call, and how a client error is read.
//! - [`books`]: the calls reconciled with the table.
//! - `blocking` and `asynchronous`: the two clients and their pools
//!   (`postgres` with `r2d2`, `tokio-postgres` with `deadpool`).
//! - `connect`, `sql`, `tally`: the URL and setup errors, the run's SQL,
//!   the counters.
//!
//! `prepare` and `finish` use the blocking client: call them from a plain
//! thread, not inside an async task.

mod asynchronous;
mod blocking;
pub mod books;
mod connect;
pub mod outcome;
mod sql;
mod tally;
pub mod target;

#[cfg(test)]
mod tests;

pub use books::PostgresBooks;
pub use connect::{redact, APPLICATION_NAME};
pub use outcome::CallOutcome;
pub use sql::{MAX_SUFFIX, READ_ROWS};
pub use tally::MAX_ERRORS;
pub use target::{Connection, PostgresTarget, Statement};

use postgres::types::Type;

use asynchronous::AsyncClient;
use blocking::BlockingClient;
use outcome::Failure;
use sql::RunSql;
use tally::Tally;

/// A prepared PostgreSQL downstream, shared by every job of a run.
#[derive(Debug)]
pub struct PostgresDownstream {
    target: PostgresTarget,
    sql: RunSql,
    /// For setup and the books: the URL as given.
    setup: tokio_postgres::Config,
    blocking: BlockingClient,
    asynchronous: AsyncClient,
    tally: Tally,
}

impl PostgresDownstream {
    /// Checks that `target`'s database answers, creates the run's table
    /// `contend_rows_<table_suffix>` (and, for [`Statement::Read`], the
    /// seeded `contend_seed_<table_suffix>`), and checks that a custom
    /// statement parses. Leftover tables with the same names are
    /// replaced.
    ///
    /// The error says which it is: a URL that does not parse, a server
    /// that cannot be reached, a refused login, a missing database.
    ///
    /// It connects with the blocking client: call it from a plain thread,
    /// not inside an async task.
    pub fn prepare(target: PostgresTarget, table_suffix: &str) -> Result<Self, String> {
        if let Connection::Pool { size: 0 } = target.connection {
            return Err("a connection pool needs a size of at least 1".into());
        }
        if target.timeout.is_zero() {
            return Err("the PostgreSQL timeout must be more than 0".into());
        }
        let mut sql = RunSql::new(&target.statement, table_suffix)?;
        sql.hold = target.hold;
        let mut setup = connect::parse(&target.url)?;
        setup.connect_timeout(target.timeout);
        let jobs = connect::for_jobs(&setup, target.timeout);
        let mut client = connect::setup_client(&setup, &target.url)?;
        let url = redact(&target.url);
        client.batch_execute(&sql.create()).map_err(|error| {
            format!(
                "cannot create the run's tables at {url}: {}",
                outcome::describe(&error)
            )
        })?;
        if let Statement::Custom(custom) = &target.statement {
            let types: &[Type] = if sql.binds_record {
                &[sql::RECORD_TYPE]
            } else {
                &[]
            };
            if let Err(error) = client.prepare_typed(custom, types) {
                let _ = client.batch_execute(&sql.drop_tables());
                return Err(format!(
                    "the custom statement {custom:?} does not prepare at {url}: {}",
                    db_detail(&error)
                ));
            }
        }
        let blocking = BlockingClient::new(jobs.clone().into(), target.connection, target.timeout);
        let asynchronous = AsyncClient::new(jobs, target.connection, target.timeout)?;
        Ok(Self {
            target,
            sql,
            setup,
            blocking,
            asynchronous,
            tally: Tally::default(),
        })
    }

    /// The target it was prepared for.
    pub fn target(&self) -> &PostgresTarget {
        &self.target
    }

    /// The table the run's inserts go to.
    pub fn table(&self) -> &str {
        &self.sql.rows_table
    }

    /// Runs the statement for `record`, blocking the thread, and counts
    /// the outcome. For thread strategies; not from inside an async task.
    ///
    /// The blocking client panics where it cannot build its runtime (a
    /// process out of file descriptors, as a thread per record gets to):
    /// that is a failed call, counted with its message, not a job lost to
    /// a panic.
    pub fn call(&self, record: u64) -> CallOutcome {
        let call = std::panic::AssertUnwindSafe(|| self.blocking.call(&self.sql, record));
        let result = std::panic::catch_unwind(call).unwrap_or_else(|panic| {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("a panic");
            Err(Failure::Failed(format!("the client panicked: {message}")))
        });
        self.tally.record(record, result)
    }

    /// Runs the statement for `record` as a task of the current tokio
    /// runtime (its connections are spawned there), and counts the
    /// outcome. For tokio strategies.
    pub async fn call_async(&self, record: u64) -> CallOutcome {
        let result = self.asynchronous.call(&self.sql, record).await;
        self.tally.record(record, result)
    }

    /// The books of the calls so far, without the table: what a run keeps
    /// when [`finish`](Self::finish) cannot read it (the server is gone),
    /// so the refused, timed-out and failed calls are still counted.
    pub fn unchecked(&self) -> PostgresBooks {
        PostgresBooks::reconcile(self.tally.counts(), &[], false)
    }

    /// Reconciles the calls so far with the table (see [`books`]), then
    /// drops the run's tables. Call it once the calls are over; an error
    /// means the table could not be read (the server is gone), and the
    /// tables are then left behind.
    pub fn finish(&self) -> Result<PostgresBooks, String> {
        let url = redact(&self.target.url);
        let mut client = connect::setup_client(&self.setup, &self.target.url)
            .map_err(|error| format!("cannot read the books: {error}"))?;
        let table: Vec<(u64, u64)> = client
            .query(&self.sql.count_rows(), &[])
            .map_err(|error| {
                format!(
                    "cannot read {} at {url}: {}",
                    self.sql.rows_table,
                    outcome::describe(&error)
                )
            })?
            .iter()
            .map(|row| (row.get::<_, i64>(0) as u64, row.get::<_, i64>(1) as u64))
            .collect();
        let books = PostgresBooks::reconcile(self.tally.counts(), &table, self.sql.inserts);
        client
            .batch_execute(&self.sql.drop_tables())
            .map_err(|error| {
                format!(
                    "cannot drop the run's tables at {url}: {}",
                    outcome::describe(&error)
                )
            })?;
        Ok(books)
    }
}

/// A server error's message alone, else the error with its sources.
fn db_detail(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => outcome::describe(error),
    }
}
