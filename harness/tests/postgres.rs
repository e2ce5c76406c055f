//! PostgreSQL as a pool scenario's downstream, through the command line:
//! the connection limit is hit by the unbounded strategy and never by a
//! strategy bounded below it; bad URLs and an unreachable server are
//! exit 2 before the run; a server that goes away mid-run is a counted
//! failure of the cell. Every assertion is on counts, statuses and exit
//! codes, none on a time.
//!
//! The tests need PostgreSQL's programs (`scripts/install-servers`
//! installs them); without them each test says so in one line and passes.

mod common;

use std::io::Write as _;
use std::path::Path;

use common::{
    only_run_folder, results_json, run_command, run_dropping, run_into, stderr, write_scenario,
};
use contend::servers::postgres::{find_binaries, PostgresOptions, PostgresServer};

/// The tests that start servers run one at a time: the Ctrl-C test looks
/// for the server folders left behind, and must see only its own.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// For a test that starts servers: the turn to run (one at a time), or
/// `None` after one loud line when PostgreSQL cannot run here.
fn postgres_turn(test: &str) -> Option<std::sync::MutexGuard<'static, ()>> {
    postgres_available(test).then(|| ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner()))
}

/// Whether PostgreSQL can run here; if not, says so once for `test`.
fn postgres_available(test: &str) -> bool {
    match find_binaries() {
        Ok(_) => true,
        Err(error) => {
            let line = format!("SKIPPED: {test}: {error}\n");
            let _ = std::io::stderr().write_all(line.as_bytes());
            false
        }
    }
}

/// The counts of a cell's first repetition, by name.
fn counts<'a>(results: &'a serde_json::Value, label: &str) -> &'a serde_json::Value {
    let cell = results["scenarios"][0]["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|cell| cell["label"] == label)
        .unwrap_or_else(|| panic!("no cell {label}"));
    &cell["repetitions"][0]["books"]["counts"]
}

fn run(dir: &Path, text: &str) -> (std::process::Output, std::path::PathBuf) {
    let file = write_scenario(dir, "db.toml", text);
    let out = dir.join("runs");
    let output = run_into(&file, &out, &[]);
    (output, out)
}

#[test]
fn the_connection_limit_is_hit_by_the_unbounded_strategy_and_never_by_one_bounded_below_it() {
    let Some(_turn) = postgres_turn(
        "the_connection_limit_is_hit_by_the_unbounded_strategy_and_never_by_one_bounded_below_it",
    ) else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let (output, out) = run(
        temp.path(),
        r#"
name = "limit"
[workload]
jobs = 300
arrival = { type = "batch" }
downstream = { type = "postgres", max_connections = 20, statement = "insert", hold = "100ms", timeout = "20s" }

[[strategy]]
name = "unbounded"

[[strategy]]
name = "semaphore"
workers = 15

[[strategy]]
name = "tokio-semaphore"
workers = 15
"#,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let results = results_json(&only_run_folder(&out));
    for cell in results["scenarios"][0]["cells"].as_array().unwrap() {
        let rep = &cell["repetitions"][0];
        assert_eq!(rep["status"]["state"], "ok", "{}", cell["label"]);
        let database = &rep["books"]["ledger"]["database"];
        // Every committed record is in the table once, and goodput counts
        // only what committed.
        assert_eq!(database["rows"], database["committed"], "{database}");
        assert_eq!(rep["succeeded"], database["committed"], "{rep}");
    }
    let unbounded = counts(&results, "unbounded");
    assert!(unbounded["refused"].as_u64().unwrap() > 0, "{unbounded}");
    assert_eq!(
        unbounded["refused"].as_u64().unwrap() + unbounded["committed"].as_u64().unwrap(),
        300,
        "{unbounded}"
    );
    for bounded in ["semaphore", "tokio-semaphore"] {
        let counts = counts(&results, bounded);
        assert_eq!(counts["refused"], 0, "{bounded}: {counts}");
        assert_eq!(counts["committed"], 300, "{bounded}: {counts}");
    }
}

#[test]
fn bad_urls_and_an_unreachable_server_exit_2_before_the_run() {
    let temp = tempfile::tempdir().unwrap();
    let scenario = |downstream: &str| {
        format!(
            "name = \"bad\"\n[workload]\njobs = 10\narrival = {{ type = \"batch\" }}\ndownstream = {downstream}\n[[strategy]]\nname = \"fixed\"\nworkers = 2\nqueue = 10\n"
        )
    };
    let cases = [
        (
            r#"{ type = "postgres", url = "mysql://root@db/app" }"#,
            "db.toml:5:",
        ),
        (
            r#"{ type = "postgres", url = "postgres://contend@127.0.0.1:1/postgres", max_connections = 5 }"#,
            "`max_connections` sets the server contend starts",
        ),
        (
            r#"{ type = "postgres", latency = "1ms" }"#,
            "`latency` does not apply to a postgres downstream",
        ),
        (r#"{ type = "mongo" }"#, "unknown downstream type `mongo`"),
        (
            r#"{ type = "postgres", url = "postgres://contend@127.0.0.1:1/postgres", timeout = "1s" }"#,
            "cannot reach PostgreSQL at",
        ),
    ];
    for (downstream, said) in cases {
        let (output, out) = run(temp.path(), &scenario(downstream));
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{downstream}: {text}");
        assert!(
            text.contains(said),
            "{downstream}: expected {said:?} in {text}"
        );
        // Nothing ran: no cell's results.
        assert!(
            !out.exists() || std::fs::read_dir(&out).unwrap().count() == 0 || {
                let runs: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
                runs.iter()
                    .all(|r| !r.as_ref().unwrap().path().join("bad/results.json").exists())
            },
            "{downstream}: a results file was written"
        );
    }
}

#[test]
fn a_server_that_goes_away_mid_run_is_a_counted_failure_of_the_cell() {
    let Some(_turn) =
        postgres_turn("a_server_that_goes_away_mid_run_is_a_counted_failure_of_the_cell")
    else {
        return;
    };
    let server = PostgresServer::start(PostgresOptions::default()).unwrap();
    let temp = tempfile::tempdir().unwrap();
    let text = format!(
        r#"
name = "gone"
[workload]
jobs = 400
arrival = {{ type = "open", rate = 200 }}
downstream = {{ type = "postgres", url = "{}", timeout = "1s" }}

[[strategy]]
name = "fixed"
workers = 4
queue = 10000
"#,
        server.url()
    );
    let file = write_scenario(temp.path(), "db.toml", &text);
    let out = temp.path().join("runs");
    // The server goes away a second into the run.
    let output = run_dropping(&file, &out, server, std::time::Duration::from_secs(1));
    let said = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    let results = results_json(&only_run_folder(&out));
    let rep = &results["scenarios"][0]["cells"][0]["repetitions"][0];
    assert_eq!(rep["status"]["state"], "books_failed", "{rep}");
    let message = rep["status"]["message"].as_str().unwrap();
    assert!(message.contains("could not be checked"), "{message}");
    let counts = &rep["books"]["counts"];
    let failures = ["refused", "db_timeouts", "db_failed"]
        .iter()
        .map(|name| counts[name].as_u64().unwrap())
        .sum::<u64>();
    assert!(counts["committed"].as_u64().unwrap() > 0, "{counts}");
    assert!(failures > 0, "no failed call counted: {counts}");
}

/// The throwaway servers of this process's runs still on disk.
fn server_folders() -> Vec<std::path::PathBuf> {
    std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("contend-postgres-"))
        })
        .collect()
}

#[test]
fn ctrl_c_stops_the_run_and_its_throwaway_server_is_stopped_and_removed() {
    let Some(_turn) =
        postgres_turn("ctrl_c_stops_the_run_and_its_throwaway_server_is_stopped_and_removed")
    else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let file = write_scenario(
        temp.path(),
        "long.toml",
        r#"
name = "long"
[workload]
duration = "60s"
arrival = { type = "open", rate = 100 }
downstream = { type = "postgres", max_connections = 20, pool = 4 }

[[strategy]]
name = "fixed"
workers = 4
queue = 10000
"#,
    );
    let before = server_folders();
    let out = temp.path().join("runs");
    let child = run_command(&[&file], &out, &[])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Until the server is up and the cell runs.
    let started = std::time::Instant::now();
    while server_folders().len() <= before.len() {
        assert!(started.elapsed().as_secs() < 60, "no server started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_secs(2));
    // SAFETY: a signal to our own child, whose pid we hold.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    let left: Vec<_> = server_folders()
        .into_iter()
        .filter(|folder| !before.contains(folder))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let results = results_json(&only_run_folder(&out));
    let rep = &results["scenarios"][0]["cells"][0]["repetitions"][0];
    assert_eq!(rep["status"]["state"], "interrupted", "{rep}");
    assert!(
        rep["books"]["counts"]["committed"].as_u64().unwrap() > 0,
        "{rep}"
    );
}

#[test]
fn a_thread_per_record_out_of_file_descriptors_is_counted_not_a_crashed_cell() {
    let Some(_turn) =
        postgres_turn("a_thread_per_record_out_of_file_descriptors_is_counted_not_a_crashed_cell")
    else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let file = write_scenario(
        temp.path(),
        "fds.toml",
        r#"
name = "fds"
[workload]
jobs = 600
arrival = { type = "batch" }
downstream = { type = "postgres", max_connections = 100, hold = "200ms", timeout = "20s" }

[[strategy]]
name = "unbounded"
"#,
    );
    let out = temp.path().join("runs");
    let mut command = run_command(&[&file], &out, &[]);
    // 600 threads each opening a connection (and the blocking client's
    // runtime) in a process allowed 256 files: some calls cannot open
    // theirs, as a thread per record meets the limit in real code.
    // SAFETY: setrlimit is async-signal-safe; it runs between fork and exec.
    unsafe {
        use std::os::unix::process::CommandExt as _;
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 256,
                rlim_max: 256,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let results = results_json(&only_run_folder(&out));
    let rep = &results["scenarios"][0]["cells"][0]["repetitions"][0];
    assert_eq!(rep["status"]["state"], "ok", "{rep}");
    let counts = &rep["books"]["counts"];
    let n = |name: &str| counts[name].as_u64().unwrap();
    assert!(n("db_failed") + n("refused") > 0, "{counts}");
    assert_eq!(
        n("committed") + n("refused") + n("db_failed") + n("db_timeouts"),
        600,
        "{counts}"
    );
    assert_eq!(n("panicked"), 0, "{counts}");
}
