//! The `queue` kind end to end: the `contend` binary runs a scenario whose
//! consumer processes work off a throwaway Redis, one of them SIGKILLed
//! mid-run, and the broker's books show nothing lost; a broker URL that
//! cannot work stops the run before it starts, with exit code 2. Without
//! `redis-server` the tests that need one say `SKIPPED` once and pass.

mod common;

use std::io::Write as _;
use std::path::PathBuf;

use common::{
    only_run_folder, results_json, run_command, run_dropping, run_into, stderr, write_scenario,
};

/// `redis-server` as the harness finds it (`$CONTEND_REDIS_SERVER`, else
/// `PATH`), or `None` after one loud line.
fn redis_server(test: &str) -> Option<PathBuf> {
    let found = std::env::var_os("CONTEND_REDIS_SERVER")
        .map(PathBuf::from)
        .filter(|path| path.is_file())
        .or_else(|| {
            let path = std::env::var_os("PATH").unwrap_or_default();
            std::env::split_paths(&path)
                .map(|dir| dir.join("redis-server"))
                .find(|candidate| candidate.is_file())
        });
    if found.is_none() {
        // Straight to fd 2 in one write: libtest hides a passing test's
        // `eprintln!`, and a skip must be seen.
        let line = format!("SKIPPED: {test}: redis-server not installed\n");
        let _ = std::io::stderr().write_all(line.as_bytes());
    }
    found
}

/// More than three consumers of 4 workers at 10 ms a job can take
/// (1,200/s): consumer 0 is busy, holding messages, when it is killed at
/// 300 ms, and the backlog outlasts the publishing.
const KILLED: &str = r#"
name = "queue-killed"
kind = "queue"
description = "consumer 0 SIGKILLed at 300 ms under a load that keeps every consumer busy"

[workload]
jobs = 2000
arrival = { type = "open", rate = 2000 }
service = { mean = "10ms" }
consumers = 3
kill_worker = { after = "300ms" }
broker = { type = "redis" }

[[strategy]]
name = "fixed"
workers = 4
"#;

#[test]
fn a_killed_consumers_messages_are_claimed_and_none_is_lost() {
    let test = "a_killed_consumers_messages_are_claimed_and_none_is_lost";
    if redis_server(test).is_none() {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let file = write_scenario(temp.path(), "killed.toml", KILLED);
    let out = temp.path().join("runs");
    let output = run_into(&file, &out, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let results = results_json(&only_run_folder(&out));
    let scenario = &results["scenarios"][0];
    assert_eq!(scenario["kind"], "queue");
    let repetition = &scenario["cells"][0]["repetitions"][0];
    assert_eq!(repetition["status"]["state"], "ok", "{repetition:#}");
    let books = &repetition["books"];
    let queue = &books["ledger"];
    let n = |key: &str| queue[key].as_u64().unwrap_or_else(|| panic!("{key}"));
    eprintln!(
        "{test}: published {}, claimed {}, duplicates {}, drain {} ms, backlog peak {}",
        n("published"),
        n("claimed"),
        n("duplicates"),
        n("drain_ms"),
        n("backlog_peak")
    );
    assert_eq!(n("published"), 2000);
    assert_eq!(n("acknowledged"), 2000);
    assert_eq!(n("effects"), 2000);
    assert_eq!(n("missing"), 0);
    assert_eq!(n("pending"), 0);
    assert_eq!(n("killed"), 1);
    assert!(
        n("claimed") > 0,
        "the killed consumer's messages: {queue:#}"
    );
    assert!(n("backlog_peak") > 0);
    assert!(!queue["backlog"].as_array().unwrap().is_empty());
    assert_eq!(queue["broker"]["acknowledged_all"], true);
    // The books the reports read, by name.
    for count in [
        "published",
        "duplicates",
        "claimed",
        "killed",
        "backlog_peak",
        "drain_ms",
    ] {
        assert!(books["counts"].get(count).is_some(), "{count}: {books:#}");
    }
    // The consumer killed completed fewer than a third: the survivors
    // took over.
    let by = &queue["broker"]["completed_by"];
    let killed = by["consumer-0"].as_u64().unwrap_or(0);
    assert!(killed < 2000 / 3, "{by}");
    // Latencies came from the survivors' reports, one per message they
    // acknowledged.
    let recorded = repetition["summaries"]["end_to_end"]["count"]
        .as_u64()
        .unwrap();
    assert!(
        recorded > 2000 - killed - 1 && recorded <= 2000,
        "{recorded}"
    );
}

fn scenario_with_broker(broker: &str) -> String {
    KILLED.replace("broker = { type = \"redis\" }", broker)
}

#[test]
fn an_unreachable_broker_exits_2_before_the_run_naming_its_url() {
    let temp = tempfile::tempdir().unwrap();
    let text = scenario_with_broker(r#"broker = { type = "redis", url = "redis://127.0.0.1:1" }"#);
    let file = write_scenario(temp.path(), "unreachable.toml", &text);
    let out = temp.path().join("runs");
    let output = run_into(&file, &out, &[]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains("redis://127.0.0.1:1"), "{message}");
    assert!(message.contains("cannot reach the broker"), "{message}");
    assert!(message.contains("unreachable.toml"), "{message}");
    assert!(!out.exists(), "nothing ran, nothing was written");
}

#[test]
fn a_malformed_broker_url_exits_2_naming_the_file_and_line() {
    let temp = tempfile::tempdir().unwrap();
    let text = scenario_with_broker(r#"broker = { type = "redis", url = "http://x" }"#);
    let file = write_scenario(temp.path(), "malformed.toml", &text);
    let out = temp.path().join("runs");
    let output = run_into(&file, &out, &[]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains("malformed.toml:12:"), "{message}");
    assert!(message.contains("redis://host:port"), "{message}");
    assert!(!out.exists(), "nothing ran, nothing was written");
}

/// A pool scenario that needs no server, to run beside one that does.
const NO_SERVER: &str = r#"
name = "no-server"
[workload]
jobs = 50
arrival = { type = "batch" }

[[strategy]]
name = "fixed"
workers = 2
queue = 100
"#;

#[test]
fn a_scenario_whose_server_is_not_installed_is_skipped_loudly_and_the_rest_runs() {
    let dir = tempfile::tempdir().unwrap();
    let queue = write_scenario(dir.path(), "queue.toml", KILLED);
    let plain = write_scenario(dir.path(), "plain.toml", NO_SERVER);
    let out = dir.path().join("runs");
    let run = |files: &[&std::path::Path], out: &std::path::Path| {
        run_command(files, out, &["--quick"])
            .env("CONTEND_REDIS_SERVER", "/nonexistent/redis-server")
            .output()
            .unwrap()
    };
    let output = run(&[&queue, &plain], &out);
    let said = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{said}");
    assert!(
        said.contains("SKIPPED: queue-killed: cannot start a throwaway broker"),
        "{said}"
    );
    let results = results_json(&only_run_folder(&out));
    assert_eq!(results["scenarios"][0]["name"], "no-server");
    // Alone, the skipped scenario leaves nothing run: exit 2.
    let output = run(&[&queue], &dir.path().join("alone"));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[test]
fn a_broker_that_goes_away_mid_run_is_a_counted_failure_of_the_cell() {
    let test = "a_broker_that_goes_away_mid_run_is_a_counted_failure_of_the_cell";
    if redis_server(test).is_none() {
        return;
    }
    let server = contend::broker::RedisServer::start().unwrap();
    let temp = tempfile::tempdir().unwrap();
    // No kill: the broker's going away is the fault.
    let text = KILLED
        .replace("kill_worker = { after = \"300ms\" }\n", "")
        .replace(
            "broker = { type = \"redis\" }",
            &format!(
                "broker = {{ type = \"redis\", url = \"{}\" }}",
                server.url()
            ),
        );
    let file = write_scenario(temp.path(), "gone.toml", &text);
    let out = temp.path().join("runs");
    let output = run_dropping(&file, &out, server, std::time::Duration::from_millis(500));
    let said = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    let results = results_json(&only_run_folder(&out));
    let repetition = &results["scenarios"][0]["cells"][0]["repetitions"][0];
    assert_eq!(repetition["status"]["state"], "crashed", "{repetition:#}");
    let message = repetition["status"]["message"].as_str().unwrap();
    assert!(message.contains("broker"), "{message}");
}
