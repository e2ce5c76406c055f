//! A real throwaway server: its connection limit, and that it is gone
//! when its guard drops.

use std::net::TcpStream;

use postgres::error::SqlState;
use postgres::{Client, NoTls};

use super::*;

fn connect(server: &PostgresServer, user: &str) -> Result<Client, postgres::Error> {
    postgres::Config::new()
        .host("127.0.0.1")
        .port(server.port())
        .user(user)
        .dbname(DATABASE)
        .connect_timeout(Duration::from_secs(5))
        .connect(NoTls)
}

/// Opens connections as `user` into `open` until one is refused, and
/// returns how many it opened and the refusal.
fn fill(server: &PostgresServer, user: &str, open: &mut Vec<Client>) -> (usize, postgres::Error) {
    let before = open.len();
    loop {
        match connect(server, user) {
            Ok(client) => open.push(client),
            Err(error) => return (open.len() - before, error),
        }
        assert!(open.len() <= 1000, "never refused");
    }
}

#[test]
fn connections_are_refused_with_53300_at_the_documented_limits_and_drop_removes_the_server() {
    let test =
        "connections_are_refused_with_53300_at_the_documented_limits_and_drop_removes_the_server";
    let options = PostgresOptions {
        max_connections: 10,
        ..PostgresOptions::default()
    };
    let Some(server) = start_or_skip(test, options) else {
        return;
    };
    assert_eq!(server.options().superuser_reserved_connections, 3);
    assert_eq!(
        server.url(),
        format!("postgres://contend@127.0.0.1:{}/postgres", server.port())
    );

    // One superuser connection stays open throughout, so no slot is in
    // the middle of being released when the counting starts.
    let mut admin = connect(&server, USER).unwrap();
    admin
        .batch_execute("create role app login")
        .expect("create an ordinary role");
    let mut open = Vec::new();

    // An ordinary role stops where the reserved slots begin...
    let (ordinary, refusal) = fill(&server, "app", &mut open);
    assert_eq!(
        refusal.code(),
        Some(&SqlState::TOO_MANY_CONNECTIONS),
        "{refusal}"
    );
    assert_eq!(ordinary + 1, server.ordinary_role_limit() as usize);
    assert_eq!(ordinary, 6);

    // ... and the superuser may take those: it stops at max_connections.
    let (more, refusal) = fill(&server, USER, &mut open);
    assert_eq!(
        refusal.code(),
        Some(&SqlState::TOO_MANY_CONNECTIONS),
        "{refusal}"
    );
    assert_eq!(more, 3);
    assert_eq!(1 + open.len(), server.connection_limit() as usize);
    assert_eq!(server.connection_limit(), 10);

    // Dropping the guard stops the server even with clients connected
    // (fast shutdown), frees the port and removes the folder.
    let port = server.port();
    let dir = server.dir().to_path_buf();
    assert!(dir.join("data").join("PG_VERSION").exists());
    drop(server);
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "port {port} still accepts"
    );
    assert!(!dir.exists(), "{} is still there", dir.display());
    assert!(admin.simple_query("select 1").is_err());
}

#[test]
fn the_binaries_found_are_a_server_and_its_initdb() {
    match find_binaries() {
        Ok(binaries) => {
            assert!(binaries.initdb.ends_with("initdb"));
            assert!(binaries.postgres.ends_with("postgres"));
            assert_eq!(binaries.initdb.parent(), binaries.postgres.parent());
        }
        Err(error) => {
            assert!(error.is_unavailable());
            let message = error.to_string();
            assert!(message.contains("PostgreSQL is not installed"), "{message}");
            skip("the_binaries_found_are_a_server_and_its_initdb", &message);
        }
    }
}

#[test]
fn a_server_that_will_not_start_says_why_with_its_log() {
    let test = "a_server_that_will_not_start_says_why_with_its_log";
    let options = PostgresOptions {
        max_connections: 3,
        superuser_reserved_connections: 3,
    };
    match PostgresServer::start(options) {
        Ok(_) => panic!("postgres started with every slot reserved"),
        Err(error) if error.is_unavailable() => skip(test, &error.to_string()),
        Err(error) => {
            assert!(matches!(error, ServerError::StartFailed { .. }), "{error}");
            let message = error.to_string();
            assert!(message.contains("postgres exited"), "{message}");
            assert!(
                message.contains("superuser_reserved_connections"),
                "the log says why: {message}"
            );
        }
    }
}
