//! `contend run` and `contend compare` end to end: a tiny scenario, run
//! for real in child processes, into a temporary folder. No assertion
//! here depends on how fast the machine is.

mod common;

use std::process::Command;

use common::{contend, only_run_folder, results_json, run_into, stderr, write_scenario};

const TINY: &str = r#"
name = "tiny"
description = "a tiny batch"
repetitions = 2
reference = "serial"

[workload]
jobs = 300
arrival = { type = "batch" }
service = { type = "spin", mean = "20us" }
panic_rate = 0.05
cancel_rate = 0.05

[quick]
jobs = 200

[[strategy]]
name = "serial"

[[strategy]]
name = "fixed"
workers = [1, 2]
queue = 16
policy = "discard-oldest"

[[gate]]
check = "lost(*) == 0"
"#;

#[test]
fn a_quick_run_writes_every_report_and_they_parse() {
    let temp = tempfile::tempdir().unwrap();
    let file = write_scenario(temp.path(), "tiny.toml", TINY);
    let out = temp.path().join("runs");
    let baseline = temp.path().join("baseline.json");
    let output = contend(&[
        "run",
        "--quick",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--save-baseline",
        baseline.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let run = only_run_folder(&out);
    // `out/<YYYYMMDD-HHMMSS>/tiny/`, beside the run's index.
    assert_eq!(run.file_name().unwrap(), "tiny");
    assert!(run.parent().unwrap().join("index.html").is_file());

    let results: serde_json::Value = results_json(&run);
    assert_eq!(results["schema_version"], 4);
    let scenario = &results["scenarios"][0];
    assert_eq!(scenario["quick"], true);
    let cells = scenario["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 3);
    for cell in cells {
        let reps = cell["repetitions"].as_array().unwrap();
        assert_eq!(reps.len(), 2);
        for rep in reps {
            assert_eq!(rep["status"]["state"], "ok", "{rep}");
            assert_eq!(rep["books"]["offered"], 200);
            assert_eq!(rep["books"]["ledger"]["submitted"], 200);
            assert_eq!(rep["books"]["counts"]["duplicates"], 0);
        }
    }
    assert_eq!(scenario["gates"][0]["passed"], true);

    let summary = std::fs::read_to_string(run.join("summary.md")).unwrap();
    assert!(summary.contains("| fixed workers=2 | ok |"), "{summary}");
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("<svg") && !html.contains("<script")
    );
    let hgrm = std::fs::read_to_string(run.join("serial.end_to_end.hgrm")).unwrap();
    assert!(hgrm.starts_with("       Value     Percentile TotalCount"));
    assert!(hgrm.contains("#[Max"));

    // A run compared with itself has no regression.
    let same = contend(&["compare", baseline.to_str().unwrap(), run.to_str().unwrap()]);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stdout)
    );
}

#[test]
fn a_bad_scenario_exits_2_naming_the_file_and_line() {
    let temp = tempfile::tempdir().unwrap();
    let file = write_scenario(
        temp.path(),
        "bad.toml",
        &TINY.replace("workers = [1, 2]", "workers = [1, 0]"),
    );
    let output = run_into(&file, temp.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(text.contains(&format!("{}:22:", file.display())), "{text}");
    assert!(text.contains("at least 1"), "{text}");
}

#[test]
fn an_unknown_strategy_exits_2_with_the_known_ones() {
    let temp = tempfile::tempdir().unwrap();
    let file = write_scenario(
        temp.path(),
        "bad.toml",
        &TINY.replace("\"fixed\"", "\"fixd\""),
    );
    let output = run_into(&file, temp.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("allowed: serial, unbounded"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_failing_gate_exits_1_and_still_writes_the_reports() {
    let temp = tempfile::tempdir().unwrap();
    let file = write_scenario(
        temp.path(),
        "gate.toml",
        &TINY.replace("lost(*) == 0", "lost(*) >= 1"),
    );
    let out = temp.path().join("runs");
    let output = contend(&[
        "run",
        "--quick",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--filter",
        "serial",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("GATE FAILED"));
    let run = only_run_folder(&out);
    let summary = std::fs::read_to_string(run.join("summary.md")).unwrap();
    assert!(summary.contains("**FAIL**"));
}

/// Compares a results file holding `text` with itself: it must be refused
/// as bad input (exit 2); returns what was said.
fn compare_refuses(text: &str) -> String {
    let temp = tempfile::tempdir().unwrap();
    let file = write_scenario(temp.path(), "results.json", text);
    let output = contend(&["compare", file.to_str().unwrap(), file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    stderr(&output)
}

#[test]
fn a_truncated_results_file_exits_2() {
    let said = compare_refuses("{\"schema_version\": 1, \"scenarios\": [");
    assert!(said.contains("results.json:1:"), "{said}");
}

#[test]
fn a_results_file_of_a_newer_schema_exits_2_and_the_committed_baseline_is_read() {
    let said =
        compare_refuses("{\"schema_version\": 99, \"tool\": \"contend 9\", \"scenarios\": []}");
    assert!(said.contains("reads 1 to 4"), "{said}");
    let baseline = concat!(env!("CARGO_MANIFEST_DIR"), "/../reports/baseline.json");
    let output = contend(&["compare", baseline, baseline]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn a_cell_that_runs_past_its_timeout_is_reported_and_the_run_goes_on() {
    let temp = tempfile::tempdir().unwrap();
    let text = r#"
timeout = "1s"
[workload]
jobs = 3000
arrival = { type = "batch" }
service = { type = "sleep", mean = "2ms" }
[[strategy]]
name = "serial"
[[strategy]]
name = "fixed"
workers = 100
"#;
    let file = write_scenario(temp.path(), "slow.toml", text);
    let out = temp.path().join("runs");
    let output = run_into(&file, &out, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("timed out"), "{}", stderr(&output));
    let run = only_run_folder(&out);
    let results: serde_json::Value = results_json(&run);
    let cells = results["scenarios"][0]["cells"].as_array().unwrap();
    assert_eq!(cells[0]["repetitions"][0]["status"]["state"], "timed_out");
    assert_eq!(cells[1]["repetitions"][0]["status"]["state"], "ok");
}

#[test]
fn a_cell_that_runs_out_of_memory_is_reported_and_the_run_goes_on() {
    let temp = tempfile::tempdir().unwrap();
    // Eight jobs of 16 MiB at once need 128 MiB: over the 64 MiB limit.
    // One at a time they fit.
    let text = r#"
memory_limit = "64MiB"
[workload]
jobs = 24
arrival = { type = "closed", clients = 8 }
service = { mean = "20ms", memory = "16MiB" }
[[strategy]]
name = "fixed"
workers = [8, 1]
"#;
    let file = write_scenario(temp.path(), "hungry.toml", text);
    let out = temp.path().join("runs");
    let output = run_into(&file, &out, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("fixed workers=8: out of memory"),
        "{}",
        stderr(&output)
    );
    let run = only_run_folder(&out);
    let results: serde_json::Value = results_json(&run);
    let cells = results["scenarios"][0]["cells"].as_array().unwrap();
    assert_eq!(
        cells[0]["repetitions"][0]["status"]["state"],
        "out_of_memory"
    );
    assert_eq!(cells[1]["repetitions"][0]["status"]["state"], "ok");
    let summary = std::fs::read_to_string(run.join("summary.md")).unwrap();
    assert!(
        summary.contains("| fixed workers=8 | out of memory |"),
        "{summary}"
    );
}

/// On a terminal each running cell has a bar counting its jobs; piped, the
/// same run prints plain lines. `script` gives the run a pseudo-terminal.
#[test]
fn a_run_on_a_terminal_draws_a_bar_per_cell() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let file = write_scenario(temp.path(), "tiny.toml", TINY);
    let out = temp.path().join("runs");
    let typescript = temp.path().join("typescript");
    let command = format!(
        "stty cols 160 rows 40; {} run --quick {} --out {}",
        env!("CARGO_BIN_EXE_contend"),
        file.display(),
        out.display()
    );
    let status = Command::new("script")
        .args(["-qec", &command])
        .arg(&typescript)
        .output()
        .expect("script runs");
    assert!(status.status.success(), "{status:?}");
    let screen = String::from_utf8_lossy(&std::fs::read(&typescript).unwrap()).into_owned();
    // The bar's counter, in the bar's template only: `{pos}/{len} jobs`.
    assert!(screen.contains("/400 jobs"), "no bar drawn:\n{screen}");
    // Each finished cell leaves its line.
    assert!(screen.contains("  fixed workers=2: "), "{screen}");
    let piped = contend(&[
        "run",
        "--quick",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!stderr(&piped).contains("/400 jobs"), "{}", stderr(&piped));
}

/// Ctrl-C stops the run cleanly: the running cell stops early, and what it
/// measured so far is written with the reports; the exit code is 130.
#[test]
fn ctrl_c_stops_the_run_and_keeps_what_was_measured() {
    use std::io::{BufRead, BufReader};
    let temp = tempfile::tempdir().unwrap();
    // 100 s of work if nobody stops it.
    let text = r#"
[workload]
jobs = 100000
arrival = { type = "batch" }
service = { type = "sleep", mean = "1ms" }
[[strategy]]
name = "serial"
[[strategy]]
name = "fixed"
workers = 2
"#;
    let file = write_scenario(temp.path(), "long.toml", text);
    let out = temp.path().join("runs");
    let mut child = Command::new(env!("CARGO_BIN_EXE_contend"))
        .args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    // Wait until the first cell has started, then let it run a little.
    for line in lines.by_ref() {
        if line.unwrap().contains("serial: 1 repetition(s)") {
            break;
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    // SAFETY: kill only sends a signal to the child we started.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{rest:?}");
    let run = only_run_folder(&out);
    let results: serde_json::Value = results_json(&run);
    let cells = results["scenarios"][0]["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 1, "the second cell never started: {cells:?}");
    let repetition = &cells[0]["repetitions"][0];
    assert_eq!(repetition["status"]["state"], "interrupted");
    let completed = repetition["books"]["ledger"]["completed"].as_u64().unwrap();
    assert!(completed > 0 && completed < 100_000, "{repetition}");
    assert!(run.join("summary.md").exists() && run.join("report.html").exists());
}
