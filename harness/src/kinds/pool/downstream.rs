//! What a pool scenario's jobs call: the simulated downstream (a
//! connection limit that slows down when overloaded, in this process) or
//! a real PostgreSQL server, and the `downstream` table that picks one.
//!
//! ```toml
//! downstream = { connections = 50, latency = "20ms", timeout = "200ms" }     # simulated
//! downstream = { type = "postgres", max_connections = 50, statement = "insert", hold = "20ms" }
//! downstream = { type = "postgres", url = "postgres://app@db/app", pool = 20 }
//! ```
//!
//! Without `url`, contend starts a throwaway server for the scenario
//! (`initdb` into a temporary folder, a free port on loopback) with
//! `max_connections` (default 100), and removes it at the end.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::fields::{positive, time, Checked, Source};
use crate::kinds::{PrepareError, Services};
use crate::load::downstream::DownstreamModel;
use crate::load::postgres::{Connection, PostgresDownstream, PostgresTarget, Statement};
use crate::servers::postgres::{PostgresOptions, PostgresServer};

/// The downstream of a pool scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DownstreamSpec {
    /// The simulated one.
    Simulated(DownstreamModel),
    /// A PostgreSQL server.
    Postgres(PostgresSpec),
}

/// A PostgreSQL downstream: the target the jobs call, and the server
/// contend starts when the scenario gives no `url`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PostgresSpec {
    /// What each job runs, and where. The URL is empty until the parent
    /// has started the throwaway server.
    pub target: PostgresTarget,
    /// The throwaway server's `max_connections`; `None` when the scenario
    /// names its own server (`url`), whose limit is its own.
    pub max_connections: Option<u32>,
}

/// The `max_connections` of a throwaway server when the scenario does not
/// say (PostgreSQL's own default).
pub const DEFAULT_MAX_CONNECTIONS: u32 = 100;

/// How long a PostgreSQL call may take when the scenario does not say.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The `downstream` table as TOML gives it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDownstream {
    #[serde(rename = "type")]
    kind: Option<Spanned<String>>,
    connections: Option<Spanned<i64>>,
    latency: Option<Spanned<String>>,
    overload_growth: Option<Spanned<f64>>,
    timeout: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
    max_connections: Option<Spanned<i64>>,
    statement: Option<Spanned<String>>,
    pool: Option<Spanned<i64>>,
    hold: Option<Spanned<String>>,
}

/// The types a `downstream` may have.
const TYPES: &str = "simulated (the default), postgres";

/// Checks a `downstream` table.
pub(crate) fn read(src: Source<'_>, spanned: &Spanned<RawDownstream>) -> Checked<DownstreamSpec> {
    let raw = spanned.get_ref();
    match raw.kind.as_ref().map(|k| k.get_ref().as_str()) {
        None | Some("simulated") => simulated(src, spanned).map(DownstreamSpec::Simulated),
        Some("postgres") => postgres(src, spanned).map(DownstreamSpec::Postgres),
        Some(other) => Err(src.error(
            raw.kind.as_ref().map_or(0..0, Spanned::span),
            format!("unknown downstream type `{other}`; allowed: {TYPES}"),
        )),
    }
}

/// Refuses the keys of the other type.
fn refuse<T>(
    src: Source<'_>,
    keys: &[(&str, Option<&Spanned<T>>)],
    kind: &str,
    allowed: &str,
) -> Checked<()> {
    for (key, value) in keys {
        if let Some(value) = value {
            return Err(src.error(
                value.span(),
                format!("`{key}` does not apply to a {kind} downstream; allowed: {allowed}"),
            ));
        }
    }
    Ok(())
}

fn simulated(src: Source<'_>, spanned: &Spanned<RawDownstream>) -> Checked<DownstreamModel> {
    let raw = spanned.get_ref();
    const ALLOWED: &str = "connections, latency, overload_growth, timeout";
    refuse(
        src,
        &[
            ("url", raw.url.as_ref()),
            ("statement", raw.statement.as_ref()),
        ],
        "simulated",
        ALLOWED,
    )?;
    refuse(
        src,
        &[
            ("max_connections", raw.max_connections.as_ref()),
            ("pool", raw.pool.as_ref()),
        ],
        "simulated",
        ALLOWED,
    )?;
    refuse(src, &[("hold", raw.hold.as_ref())], "simulated", ALLOWED)?;
    let missing = |key: &str| {
        src.error(
            spanned.span(),
            format!("the downstream needs `{key}` (a simulated one: {ALLOWED}; or `type = \"postgres\"`)"),
        )
    };
    let growth = match &raw.overload_growth {
        None => 1.0,
        Some(g) if g.get_ref().is_finite() && *g.get_ref() >= 0.0 => *g.get_ref(),
        Some(g) => {
            return Err(src.error(
                g.span(),
                format!("`overload_growth` must be 0 or more, got {}", g.get_ref()),
            ))
        }
    };
    let timeout_text = raw.timeout.as_ref().ok_or_else(|| missing("timeout"))?;
    let timeout = time(src, timeout_text)?;
    if timeout.is_zero() {
        return Err(src.error(timeout_text.span(), "`timeout` must be more than 0"));
    }
    let connections = raw
        .connections
        .as_ref()
        .ok_or_else(|| missing("connections"))?;
    let latency = raw.latency.as_ref().ok_or_else(|| missing("latency"))?;
    Ok(DownstreamModel {
        connections: positive(src, connections, "connections")? as usize,
        latency: time(src, latency)?,
        overload_growth: growth,
        timeout,
    })
}

fn postgres(src: Source<'_>, spanned: &Spanned<RawDownstream>) -> Checked<PostgresSpec> {
    let raw = spanned.get_ref();
    const ALLOWED: &str = "url, max_connections, statement, pool, hold, timeout";
    refuse(
        src,
        &[("connections", raw.connections.as_ref())],
        "postgres",
        ALLOWED,
    )?;
    refuse(
        src,
        &[("latency", raw.latency.as_ref())],
        "postgres",
        ALLOWED,
    )?;
    refuse(
        src,
        &[("overload_growth", raw.overload_growth.as_ref())],
        "postgres",
        ALLOWED,
    )?;
    let url = match &raw.url {
        Some(url) if !url.get_ref().starts_with("postgres://") && !url.get_ref().starts_with("postgresql://") => {
            return Err(src.error(
                url.span(),
                format!("`url` = \"{}\" is not a PostgreSQL URL; write postgres://user@host:port/database", url.get_ref()),
            ))
        }
        Some(url) => Some(url.get_ref().clone()),
        None => None,
    };
    let max_connections = match (&raw.max_connections, &url) {
        (Some(max), Some(_)) => {
            return Err(src.error(
                max.span(),
                "`max_connections` sets the server contend starts; with `url`, the server's own limit holds (drop one of them)",
            ))
        }
        (Some(max), None) => Some(
            u32::try_from(positive(src, max, "max_connections")?)
                .ok()
                .filter(|n| *n <= 10_000)
                .ok_or_else(|| src.error(max.span(), "`max_connections` is at most 10000"))?,
        ),
        (None, None) => Some(DEFAULT_MAX_CONNECTIONS),
        (None, Some(_)) => None,
    };
    let statement =
        match raw.statement.as_ref().map(|s| s.get_ref().trim()) {
            None | Some("insert") => Statement::Insert,
            Some("read") => Statement::Read,
            Some("") => return Err(src.error(
                raw.statement.as_ref().map_or(0..0, Spanned::span),
                "`statement` is `insert`, `read` or an SQL statement (`$1` binds the record id)",
            )),
            Some(sql) => Statement::Custom(sql.to_owned()),
        };
    let connection = match &raw.pool {
        None => Connection::Own,
        Some(size) => Connection::Pool {
            size: u32::try_from(positive(src, size, "pool")?).unwrap_or(u32::MAX),
        },
    };
    let timeout = match &raw.timeout {
        None => DEFAULT_TIMEOUT,
        Some(text) => match time(src, text)? {
            t if t.is_zero() => return Err(src.error(text.span(), "`timeout` must be more than 0")),
            t => t,
        },
    };
    let hold = raw
        .hold
        .as_ref()
        .map(|h| time(src, h))
        .transpose()?
        .unwrap_or_default();
    Ok(PostgresSpec {
        target: PostgresTarget {
            url: url.unwrap_or_default(),
            statement,
            connection,
            timeout,
            hold,
        },
        max_connections,
    })
}

/// Starts the throwaway server `spec` asks for and points its target at
/// it, or checks that the server its `url` names answers.
pub(crate) fn start_or_reach(spec: &mut PostgresSpec) -> Result<Services, PrepareError> {
    match spec.max_connections {
        Some(max_connections) => {
            let server = PostgresServer::start(PostgresOptions {
                max_connections,
                ..PostgresOptions::default()
            })
            .map_err(|error| {
                let why = format!("cannot start a PostgreSQL server for the scenario: {error} (install PostgreSQL, or give the downstream a `url`)");
                if error.is_unavailable() {
                    PrepareError::Unavailable(why)
                } else {
                    PrepareError::Bad(why)
                }
            })?;
            spec.target.url = server.url();
            Ok(Services(vec![Box::new(server)]))
        }
        None => {
            reach(&spec.target).map_err(PrepareError::Bad)?;
            Ok(Services::default())
        }
    }
}

/// Connects to the server `target` names and creates (then drops) the
/// table a cell would use, so that a bad URL, an unreachable server or a
/// refused login is bad input before the run, not a crashed cell.
fn reach(target: &PostgresTarget) -> Result<(), String> {
    let check =
        PostgresDownstream::prepare(target.clone(), &format!("check_{}", std::process::id()))?;
    check.finish().map(drop)
}
