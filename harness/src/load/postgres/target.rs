//! What a pool scenario's jobs do against PostgreSQL: which database,
//! which statement, and how a job gets its connection.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The database a scenario's jobs call, and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PostgresTarget {
    /// A `postgres://` URL (or a `key=value` connection string).
    pub url: String,
    /// The statement each job runs.
    pub statement: Statement,
    /// How a job gets its connection.
    pub connection: Connection,
    /// The most a call may take: connecting (or waiting for a pooled
    /// connection) and running the statement. A call that takes longer is
    /// [`TimedOut`](super::CallOutcome::TimedOut), even if its statement
    /// committed in the end (the books then count the record as in doubt).
    pub timeout: Duration,
    /// How long a job holds its connection before its statement: the
    /// record's own work (parsing, transforming, other statements) done
    /// while its connection is open, as an import's is. Zero by default.
    #[serde(default)]
    pub hold: Duration,
}

/// The statement each job runs, in a transaction of its own (autocommit).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Statement {
    /// Insert the job's record id into the run's table; the books then
    /// check that every committed id is there exactly once.
    Insert,
    /// Read one row by primary key from a seeded table (the record id
    /// modulo the table's size).
    Read,
    /// A statement the scenario gives. `$1`, if it appears, is bound to
    /// the record id as a `bigint`.
    Custom(String),
}

impl Statement {
    /// Whether the SQL binds the record id as `$1`.
    pub fn binds_record(&self) -> bool {
        match self {
            Statement::Insert | Statement::Read => true,
            Statement::Custom(sql) => sql.contains("$1"),
        }
    }
}

/// How a job gets its connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum Connection {
    /// Every job opens a connection of its own and closes it afterwards,
    /// as naive code does: as many connections as jobs in flight, each
    /// paying for a connection setup (a server process, for PostgreSQL).
    Own,
    /// Jobs share a client-side pool of `size` connections and wait for
    /// one when all are in use.
    Pool {
        /// Connections in the pool.
        size: u32,
    },
}
