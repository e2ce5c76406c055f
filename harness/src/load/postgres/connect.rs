//! Reading the target's URL, and connecting for setup with errors a
//! person can act on.
//!
//! `prepare` runs before a run starts, and its error is what the user
//! sees, so it says which of the usual mistakes this is: the URL does
//! not parse, nothing answers at that address, the server turned the
//! login down, or the database is missing. The URL is shown with its
//! password hidden.
//!
//! The jobs' connections get the target's timeout twice: as the
//! client's connect timeout, and as the server's `statement_timeout`
//! (set at connection start-up, so it costs no round trip), so the
//! server itself cancels a statement that outlives the call.

use std::str::FromStr;
use std::time::Duration;

use postgres::error::SqlState;

use super::outcome::{describe, io_kind};

/// The application name jobs' connections show in `pg_stat_activity`,
/// unless the URL names one.
pub const APPLICATION_NAME: &str = "contend";

/// `url` with its password, if any, replaced by `***`.
pub fn redact(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        if let Some((userinfo, host)) = authority.rsplit_once('@') {
            if let Some((user, _password)) = userinfo.split_once(':') {
                return format!("{scheme}://{user}:***@{host}{tail}");
            }
        }
        return url.to_string();
    }
    // key=value form: hide the value after password=.
    url.split_whitespace()
        .map(|pair| match pair.split_once('=') {
            Some(("password", _)) => "password=***".to_string(),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses `url` as a connection string.
pub(crate) fn parse(url: &str) -> Result<tokio_postgres::Config, String> {
    tokio_postgres::Config::from_str(url).map_err(|error| {
        format!(
            "{} is not a valid PostgreSQL URL: {}",
            redact(url),
            describe(&error)
        )
    })
}

/// The configuration every job connection uses: `base` with the
/// timeout as connect timeout and `statement_timeout`.
pub(crate) fn for_jobs(base: &tokio_postgres::Config, timeout: Duration) -> tokio_postgres::Config {
    let mut config = base.clone();
    config.connect_timeout(timeout);
    let millis = timeout.as_millis().clamp(1, i32::MAX as u128);
    let options = match base.get_options() {
        Some(theirs) => format!("{theirs} -c statement_timeout={millis}"),
        None => format!("-c statement_timeout={millis}"),
    };
    config.options(&options);
    if base.get_application_name().is_none() {
        config.application_name(APPLICATION_NAME);
    }
    config
}

/// Connects for setup (creating tables, reading them at the end).
pub(crate) fn setup_client(
    config: &tokio_postgres::Config,
    url: &str,
) -> Result<postgres::Client, String> {
    postgres::Config::from(config.clone())
        .connect(postgres::NoTls)
        .map_err(|error| explain(url, &error))
}

/// What went wrong connecting to `url`, for a person.
pub(crate) fn explain(url: &str, error: &postgres::Error) -> String {
    let url = redact(url);
    let detail = describe(error);
    let Some(db) = error.as_db_error() else {
        return match io_kind(error) {
            Some(_) => format!("cannot reach PostgreSQL at {url}: {detail}"),
            // The client's own authentication errors (a password the
            // server asks for and the URL lacks) carry no SQLSTATE.
            None if detail.starts_with("authentication") => {
                format!("PostgreSQL at {url} refused the login: {detail}")
            }
            None => format!("cannot connect to PostgreSQL at {url}: {detail}"),
        };
    };
    let detail = format!("{} (SQLSTATE {})", db.message(), db.code().code());
    match db.code() {
        code if code.code().starts_with("28") => {
            format!("PostgreSQL at {url} refused the login: {detail}")
        }
        &SqlState::INVALID_CATALOG_NAME => {
            format!("PostgreSQL at {url} has no such database: {detail}")
        }
        &SqlState::TOO_MANY_CONNECTIONS => {
            format!("PostgreSQL at {url} has no connection slot free: {detail}")
        }
        _ => format!("PostgreSQL at {url} refused the connection: {detail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("postgres://me:secret@db:5432/app?sslmode=disable"),
            "postgres://me:***@db:5432/app?sslmode=disable"
        );
        assert_eq!(redact("postgres://me@db/app"), "postgres://me@db/app");
        assert_eq!(
            redact("host=db user=me password=secret"),
            "host=db user=me password=***"
        );
    }

    #[test]
    fn job_connections_carry_the_timeout_to_the_server() {
        let base = parse("postgres://me@db/app?options=-c%20work_mem%3D4MB").unwrap();
        let jobs = for_jobs(&base, Duration::from_millis(1500));
        assert_eq!(
            jobs.get_options(),
            Some("-c work_mem=4MB -c statement_timeout=1500")
        );
        assert_eq!(
            jobs.get_connect_timeout(),
            Some(&Duration::from_millis(1500))
        );
        assert_eq!(jobs.get_application_name(), Some(APPLICATION_NAME));
    }

    #[test]
    fn a_url_that_does_not_parse_is_named_without_its_password() {
        let error = parse("postgres://me:secret@db:notaport/app").unwrap_err();
        assert!(error.contains("not a valid PostgreSQL URL"), "{error}");
        assert!(error.contains("me:***@db"), "{error}");
        assert!(!error.contains("secret"), "{error}");
    }
}
