//! A user's binary, for real: this test's `main` is the ten-line `main`
//! of `examples/own_strategy` (same executor, same `main_with` call), so
//! when it runs a scenario, each cell's child process is this binary
//! again, and the user's strategy must be known there too.
//!
//! Invoked with a contend command (`list`, `run`, `cell`, `compare`) it is
//! the user's CLI; invoked by `cargo test` (no command) it runs the tests
//! below, which start it again as that CLI. No libtest harness: a
//! harness would not let `main` serve the cell's child. A failing test
//! panics, and the process exits non-zero.

#[path = "../examples/own_strategy/executor.rs"]
mod executor;

mod common;

use std::path::Path;
use std::process::{Command, ExitCode, Output};

use common::{contend, only_run_folder, results_json, stderr, write_scenario};
use contend::catalog::{Bounds, ExtraStrategy};
use contend_strategies::pool::{Executor, RunsOn, Serial};
use executor::ThreadPerJob;

/// Set to add an extra named like a built-in, which must be refused.
const CLASH: &str = "OWN_STRATEGY_CLASH";

fn extras() -> Vec<ExtraStrategy> {
    let mut extras = vec![ExtraStrategy::new(
        ThreadPerJob::NAME,
        "a std thread per job (examples/own_strategy)",
        RunsOn::Threads,
        Bounds::Unbounded,
        |config| Ok(Box::new(ThreadPerJob::new(config)) as Box<dyn Executor>),
    )];
    if std::env::var_os(CLASH).is_some() {
        extras.push(ExtraStrategy::new(
            "fixed",
            "a clash",
            RunsOn::Threads,
            Bounds::Bounded,
            |_| Ok(Box::new(Serial::new()) as Box<dyn Executor>),
        ));
    }
    extras
}

fn main() -> ExitCode {
    let command = std::env::args().nth(1);
    if matches!(
        command.as_deref(),
        Some("list" | "run" | "cell" | "compare" | "help" | "--help")
    ) {
        return contend::cli::main_with(extras());
    }
    let filter = command.filter(|arg| !arg.starts_with('-'));
    let tests: [(&str, fn()); 5] = [
        (
            "a_users_binary_lists_its_own_strategy",
            a_users_binary_lists_its_own_strategy,
        ),
        (
            "a_users_binary_runs_a_scenario_naming_its_strategy_in_child_processes",
            a_users_binary_runs_a_scenario_naming_its_strategy_in_child_processes,
        ),
        (
            "an_extra_named_like_a_built_in_is_refused_with_exit_2",
            an_extra_named_like_a_built_in_is_refused_with_exit_2,
        ),
        (
            "an_overload_parameter_on_an_unbounded_extra_is_refused_at_check_time",
            an_overload_parameter_on_an_unbounded_extra_is_refused_at_check_time,
        ),
        (
            "the_stock_binary_does_not_know_the_users_strategy",
            the_stock_binary_does_not_know_the_users_strategy,
        ),
    ];
    let mut ran = 0;
    for (name, test) in tests {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        eprint!("test {name} ... ");
        test();
        eprintln!("ok");
        ran += 1;
    }
    eprintln!("test result: ok. {ran} passed");
    ExitCode::SUCCESS
}

/// This binary, as the user's CLI.
fn users_binary(args: &[&str]) -> Output {
    Command::new(std::env::current_exe().unwrap())
        .args(args)
        .env_remove(CLASH)
        .output()
        .expect("the test binary runs")
}

fn run(file: &Path, out: &Path) -> Output {
    users_binary(&[
        "run",
        "--quick",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

const MINE: &str = r#"
name = "mine"
description = "the user's executor beside a built-in and an adapter"
repetitions = 1
reference = "fixed"

[workload]
jobs = 300
arrival = { type = "batch" }
service = { type = "spin", mean = "20us" }
panic_rate = 0.05
cancel_rate = 0.05

[quick]
jobs = 200

[[strategy]]
name = "fixed"
workers = 2

[[strategy]]
name = "thread-per-job"

[[strategy]]
name = "rayon"
workers = 2

[[gate]]
check = "lost(*) == 0"
"#;

fn a_users_binary_lists_its_own_strategy() {
    let output = users_binary(&["list"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    let line = text
        .lines()
        .find(|line| line.split_whitespace().next() == Some("thread-per-job"))
        .unwrap_or_else(|| panic!("no line for thread-per-job in:\n{text}"));
    assert!(
        line.contains("a std thread per job") && line.contains("[extra, unbounded"),
        "{line}"
    );
    assert!(text.lines().any(|l| l.trim_start().starts_with("fixed ")));
}

fn a_users_binary_runs_a_scenario_naming_its_strategy_in_child_processes() {
    let temp = tempfile::tempdir().unwrap();
    let file = write_scenario(temp.path(), "mine.toml", MINE);
    let out = temp.path().join("runs");
    let output = run(&file, &out);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let results = results_json(&only_run_folder(&out));
    let scenario = &results["scenarios"][0];
    let cells = scenario["cells"].as_array().unwrap();
    let strategies: Vec<_> = cells
        .iter()
        .map(|c| c["strategy"].as_str().unwrap())
        .collect();
    assert_eq!(strategies, ["fixed", "thread-per-job", "rayon"]);
    for cell in cells {
        let rep = &cell["repetitions"][0];
        let books = &rep["books"]["ledger"];
        let n = |key: &str| books[key].as_u64().unwrap();
        // "ok" means the cell's child (this binary) built the strategy,
        // ran it and balanced its books.
        assert_eq!(rep["status"]["state"], "ok", "{rep}");
        assert_eq!(n("submitted"), 200, "{books}");
        assert_eq!(n("completed") + n("cancelled"), 200, "{books}");
        assert_eq!(n("pool_completed"), n("completed"), "{books}");
        assert!(n("panicked") > 0, "{books}");
        assert_eq!(books["pool_unaccounted"], 0, "{books}");
    }
    assert_eq!(scenario["gates"][0]["passed"], true);
}

fn an_extra_named_like_a_built_in_is_refused_with_exit_2() {
    let output = Command::new(std::env::current_exe().unwrap())
        .arg("list")
        .env(CLASH, "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let said = stderr(&output);
    assert!(
        said.contains("extra strategy `fixed`: the name is taken by a built-in strategy"),
        "{said}"
    );
    assert!(output.stdout.is_empty(), "nothing listed");
}

fn an_overload_parameter_on_an_unbounded_extra_is_refused_at_check_time() {
    let temp = tempfile::tempdir().unwrap();
    let text = MINE.replace(
        "name = \"thread-per-job\"\n",
        "name = \"thread-per-job\"\npolicy = \"discard\"\n",
    );
    let file = write_scenario(temp.path(), "mine.toml", &text);
    let line = text.lines().position(|l| l.starts_with("policy")).unwrap() + 1;
    let output = run(&file, &temp.path().join("runs"));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(
        said.contains(&format!("{}:{line}:", file.display())),
        "no file:line in {said}"
    );
    assert!(
        said.contains("`policy` does not apply to `thread-per-job`: it is unbounded"),
        "{said}"
    );
}

fn the_stock_binary_does_not_know_the_users_strategy() {
    let temp = tempfile::tempdir().unwrap();
    let file = write_scenario(temp.path(), "mine.toml", MINE);
    let output = contend(&["run", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(
        said.contains("unknown pool strategy `thread-per-job`"),
        "{said}"
    );
}
