//! Calls from tokio tasks: `tokio-postgres`, and `deadpool-postgres` as
//! its pool.
//!
//! A `tokio-postgres` connection is a future that does the socket work;
//! the client only queues requests to it. Each connection's future is
//! spawned on the tokio runtime the call runs on (deadpool does the same
//! for its connections), so an async call holds no thread while it waits
//! on the server. A call outside a tokio runtime fails (counted, not a
//! panic).
//!
//! The whole call (connecting or waiting for a pooled connection, and
//! the statement) runs under one `tokio::time::timeout`. When it fires,
//! the call is dropped where it was; the server may still commit a
//! statement already sent (the books count it in doubt), and its
//! `statement_timeout` cancels one that runs on. The pool checks only
//! that a returned connection is still open (`RecyclingMethod::Fast`):
//! no extra round trip per call, as on the blocking path.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, PoolError, RecyclingMethod};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls};

use super::outcome::{classify, Failure};
use super::sql::{RunSql, RECORD_TYPE};
use super::target::Connection;

/// How a task's call gets its connection and runs its statement.
pub(crate) struct AsyncClient {
    config: tokio_postgres::Config,
    timeout: Duration,
    /// For [`Connection::Pool`]; it opens no connection until a call
    /// needs one.
    pool: Option<deadpool_postgres::Pool>,
}

impl std::fmt::Debug for AsyncClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncClient")
            .field("config", &self.config)
            .field("timeout", &self.timeout)
            .field("pool", &self.pool.as_ref().map(|pool| pool.status()))
            .finish()
    }
}

impl AsyncClient {
    /// A client for the jobs' `config`; no connection is opened yet.
    pub(crate) fn new(
        config: tokio_postgres::Config,
        connection: Connection,
        timeout: Duration,
    ) -> Result<Self, String> {
        let pool = match connection {
            Connection::Own => None,
            Connection::Pool { size } => {
                let manager = Manager::from_config(
                    config.clone(),
                    NoTls,
                    ManagerConfig {
                        recycling_method: RecyclingMethod::Fast,
                    },
                );
                let pool = deadpool_postgres::Pool::builder(manager)
                    .max_size(size as usize)
                    .build()
                    .map_err(|error| format!("cannot build the async pool: {error}"))?;
                Some(pool)
            }
        };
        Ok(Self {
            config,
            timeout,
            pool,
        })
    }

    /// Runs `sql`'s statement for `record`.
    pub(crate) async fn call(&self, sql: &RunSql, record: u64) -> Result<(), Failure> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(Failure::Failed(
                "call_async must run on a tokio runtime (its connections are tasks)".into(),
            ));
        }
        let bound = sql.bind(record).map_err(Failure::Failed)?;
        match tokio::time::timeout(self.timeout, self.connect_and_run(sql, bound)).await {
            Ok(result) => result,
            Err(_) => Err(Failure::TimedOut(format!(
                "no answer within {} ms",
                self.timeout.as_millis()
            ))),
        }
    }

    async fn connect_and_run(&self, sql: &RunSql, bound: Option<i64>) -> Result<(), Failure> {
        match &self.pool {
            None => {
                let (client, connection) =
                    self.config.connect(NoTls).await.map_err(|e| classify(&e))?;
                // The connection's future ends when the client is dropped
                // (or the server goes away); its error, if any, has
                // reached the client's request already.
                tokio::spawn(connection);
                run(&client, sql, bound).await
            }
            Some(pool) => {
                let client = pool.get().await.map_err(pool_failure)?;
                run(&client, sql, bound).await
            }
        }
    }
}

fn pool_failure(error: PoolError) -> Failure {
    match error {
        PoolError::Backend(error) => classify(&error),
        PoolError::Timeout(kind) => Failure::TimedOut(format!("pool timeout ({kind:?})")),
        other => Failure::Failed(format!("pool: {other}")),
    }
}

/// Runs the statement on a connection.
async fn run(client: &Client, sql: &RunSql, bound: Option<i64>) -> Result<(), Failure> {
    if !sql.hold.is_zero() {
        tokio::time::sleep(sql.hold).await;
    }
    let rows = match &bound {
        Some(id) => {
            client
                .query_typed(&sql.job, &[(id as &(dyn ToSql + Sync), RECORD_TYPE)])
                .await
        }
        None => client.query_typed(&sql.job, &[]).await,
    }
    .map_err(|e| classify(&e))?;
    sql.found(bound, rows.len())
}
