//! Scenario validation: every class of bad input names the file, the line
//! and what is allowed.

use std::path::Path;

use super::{Kind, Scenario, ScenarioError, Workload};

const GOOD: &str = r#"
name = "demo"
description = "a demo"
repetitions = 2

[workload]
jobs = 100
arrival = { type = "open", rate = 500, spacing = "poisson" }
service = { type = "spin", dist = "lognormal", mean = "1ms", sigma = 0.5 }
downstream = { connections = 5, latency = "1ms", timeout = "50ms" }

[[strategy]]
name = "serial"

[[strategy]]
name = "fixed"
workers = [2, 4]
policy = ["block", "fail-fast"]

[[gate]]
check = "p99(fixed[workers=4]) <= 1.5 * p99(serial)"
"#;

fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    Scenario::parse(Path::new("scenarios/demo.toml"), text)
}

/// Replaces `from` in the good file by `to`, expects an error, and checks
/// its line and that its message contains `needle`.
fn bad(from: &str, to: &str, line: usize, needle: &str) {
    assert!(GOOD.contains(from), "{from}");
    let error = parse(&GOOD.replacen(from, to, 1)).expect_err("the file must be refused");
    assert_eq!(error.file, Path::new("scenarios/demo.toml"));
    assert_eq!(error.line, line, "{error}");
    assert!(error.message.contains(needle), "`{needle}` not in: {error}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("scenarios/demo.toml:{line}:")),
        "{error}"
    );
}

#[test]
fn a_good_file_expands_its_sweeps_into_cells() {
    let scenario = parse(GOOD).unwrap();
    assert_eq!(scenario.kind, Kind::Pool);
    assert_eq!(scenario.repetitions, 2);
    let labels: Vec<_> = scenario.cells.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "serial",
            "fixed workers=2 policy=block",
            "fixed workers=2 policy=fail-fast",
            "fixed workers=4 policy=block",
            "fixed workers=4 policy=fail-fast"
        ]
    );
    assert_eq!(scenario.reference, "serial");
    assert_eq!(scenario.gates.len(), 1);
    assert_eq!(scenario.gates[0].labels().count(), 4);
}

#[test]
fn quick_mode_scales_jobs_and_repetitions_down() {
    let scenario = parse(GOOD).unwrap();
    let jobs = |workload: Workload| match workload {
        Workload::Pool(pool) => pool.jobs,
        other => panic!("a pool scenario has a pool workload, not {other:?}"),
    };
    let (workload, repetitions) = scenario.plan(true);
    assert_eq!(jobs(workload), Some(10));
    assert_eq!(repetitions, 2);
    assert_eq!(jobs(scenario.plan(false).0), Some(100));
}

#[test]
fn malformed_toml_names_the_line() {
    bad("repetitions = 2", "repetitions = = 2", 4, "");
}

#[test]
fn an_unknown_field_names_the_allowed_fields() {
    bad("repetitions = 2", "repetitons = 2", 4, "repetitions");
}

#[test]
fn an_unknown_strategy_names_the_known_ones() {
    bad(
        "name = \"serial\"",
        "name = \"seriall\"",
        13,
        "allowed: serial, unbounded, semaphore, fixed, dispatcher, elastic",
    );
}

#[test]
fn zero_workers_are_refused_with_the_minimum() {
    bad(
        "workers = [2, 4]",
        "workers = [0, 4]",
        17,
        "at least 1, got 0",
    );
}

#[test]
fn a_negative_rate_is_refused_with_the_range() {
    bad("rate = 500", "rate = -5", 8, "more than 0");
}

#[test]
fn an_unknown_policy_names_the_policies() {
    bad("\"fail-fast\"]", "\"fail-slow\"]", 18, "discard-oldest");
}

#[test]
fn an_unknown_arrival_type_names_the_types() {
    bad(
        "type = \"open\"",
        "type = \"opne\"",
        8,
        "batch, closed, open, burst, ramp",
    );
}

#[test]
fn a_field_of_another_arrival_type_is_refused() {
    bad(
        "spacing = \"poisson\"",
        "clients = 4",
        8,
        "allowed: rate, spacing",
    );
}

#[test]
fn a_bad_duration_names_the_units() {
    bad("mean = \"1ms\"", "mean = \"1 msec\"", 9, "ns, us, ms, s, m");
}

#[test]
fn a_rate_above_one_is_refused() {
    bad(
        "jobs = 100",
        "jobs = 100\npanic_rate = 1.5",
        8,
        "from 0 to 1",
    );
}

#[test]
fn a_gate_on_a_cell_that_does_not_exist_lists_the_cells() {
    bad(
        "p99(fixed[workers=4])",
        "p99(fixed[workers=8])",
        21,
        "cells: serial",
    );
}

#[test]
fn a_gate_with_an_unknown_metric_names_the_metrics() {
    bad(
        "p99(fixed[workers=4])",
        "p98(fixed[workers=4])",
        21,
        "throughput, lost",
    );
}

#[test]
fn an_unknown_kind_names_the_kinds() {
    bad(
        "repetitions = 2",
        "repetitions = 2\nkind = \"caches\"",
        5,
        "allowed: pool, cache, fanin",
    );
}

#[test]
fn a_policy_the_strategy_cannot_honour_is_refused_before_running() {
    bad(
        "name = \"serial\"",
        "name = \"semaphore\"\nworkers = 2\npolicy = \"discard-oldest\"",
        13,
        "needs a queue",
    );
}

#[test]
fn a_batch_needs_a_job_count() {
    let text = GOOD.replace("jobs = 100", "duration = \"1s\"").replace(
        "type = \"open\", rate = 500, spacing = \"poisson\"",
        "type = \"batch\"",
    );
    let error = parse(&text).unwrap_err();
    assert!(error.message.contains("`jobs`"), "{error}");
}

#[test]
fn a_memory_limit_without_a_unit_names_the_units() {
    bad(
        "repetitions = 2",
        "repetitions = 2\nmemory_limit = \"64\"",
        5,
        "MiB",
    );
    bad(
        "sigma = 0.5 }",
        "sigma = 0.5, memory = \"12B\" }",
        9,
        "at least 4KiB",
    );
}

#[test]
fn a_memory_limit_and_memory_per_job_are_read() {
    let text = GOOD
        .replacen(
            "repetitions = 2",
            "repetitions = 2\nmemory_limit = \"1GiB\"",
            1,
        )
        .replacen("sigma = 0.5 }", "sigma = 0.5, memory = \"2MiB\" }", 1);
    let scenario = parse(&text).unwrap();
    assert_eq!(scenario.memory_limit, Some(1 << 30));
    match &scenario.workload {
        Workload::Pool(pool) => assert_eq!(pool.service.memory, 2 << 20),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_objective_is_read_and_a_bad_one_names_the_line() {
    let with = |objective: &str| {
        GOOD.replacen(
            "repetitions = 2",
            &format!("repetitions = 2\n{objective}"),
            1,
        )
    };
    let scenario = parse(&with("objective = { p99 = \"50ms\" }")).unwrap();
    assert_eq!(scenario.objective.map(|o| o.p99_ms), Some(50.0));
    assert_eq!(parse(GOOD).unwrap().objective, None);
    bad(
        "repetitions = 2",
        "repetitions = 2\nobjective = { p99 = \"50\" }",
        5,
        "ns, us, ms, s, m",
    );
    bad(
        "repetitions = 2",
        "repetitions = 2\nobjective = { p99 = \"0ms\" }",
        5,
        "more than 0",
    );
    bad(
        "repetitions = 2",
        "repetitions = 2\nobjective = { p50 = \"5ms\" }",
        5,
        "p99",
    );
    bad(
        "repetitions = 2",
        "repetitions = 2\nobjective = { p99 = 50 }",
        5,
        "string",
    );
}
