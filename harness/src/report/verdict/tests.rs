//! The verdict's sentences, each from hand-built results with exact numbers.

use std::collections::BTreeMap;

use super::{sentences, speed};
use crate::record::{Metric, Summary};
use crate::results::{CellResult, Merged, Repetition, ScenarioResult, Spread, Status};
use crate::scenario::{GateResult, Objective};

fn spread(mean: f64) -> Spread {
    Spread { mean, stdev: 0.0 }
}

/// A measured cell: `strategy` with `params`, its goodput, p99 and mean
/// service time (ms).
fn cell(strategy: &str, params: &[(&str, &str)], goodput: f64, p99: f64) -> CellResult {
    let params: BTreeMap<String, String> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let label = std::iter::once(strategy.to_owned())
        .chain(params.iter().map(|(k, v)| format!("{k}={v}")))
        .collect::<Vec<_>>()
        .join(" ");
    CellResult {
        label,
        strategy: strategy.to_owned(),
        params,
        repetitions: Vec::new(),
        merged: Merged {
            ok_repetitions: 3,
            throughput: spread(goodput),
            goodput: Some(spread(goodput)),
            failed_share: Some(spread(0.0)),
            p99_ms: spread(p99),
            ..Merged::default()
        },
        histograms: BTreeMap::new(),
    }
}

fn with_service(mut cell: CellResult, mean_ms: f64) -> CellResult {
    cell.merged.summaries.insert(
        Metric::Service,
        Summary {
            count: 100,
            mean_ms,
            ..Summary::default()
        },
    );
    cell
}

fn crashed(strategy: &str) -> CellResult {
    let mut cell = cell(strategy, &[], 0.0, 0.0);
    cell.merged = Merged::default();
    cell.repetitions = vec![Repetition::failed(Status::Crashed {
        message: "signal 9".into(),
    })];
    cell
}

fn scenario(kind: &str, cells: Vec<CellResult>) -> ScenarioResult {
    ScenarioResult::sample(kind, 4, cells)
}

fn objective(mut result: ScenarioResult, p99_ms: f64) -> ScenarioResult {
    result.objective = Some(Objective { p99_ms });
    result
}

/// The one sentence containing `needle`.
fn sentence(all: &[String], needle: &str) -> String {
    let found: Vec<&String> = all.iter().filter(|s| s.contains(needle)).collect();
    assert_eq!(found.len(), 1, "`{needle}` in one sentence of {all:#?}");
    found[0].clone()
}

#[test]
fn without_an_objective_each_leader_and_its_trade_off_is_named() {
    let result = scenario(
        "pool",
        vec![
            cell("serial", &[], 480.0, 4000.0),
            cell("unbounded", &[], 4800.0, 210.0),
            cell("semaphore", &[("workers", "50")], 2400.0, 21.0),
        ],
    );
    let all = sentences(&result);
    assert_eq!(
        sentence(&all, "Most goodput"),
        "Most goodput: unbounded (4,800 jobs/s, p99 210 ms); lowest p99: semaphore workers=50 (21.0 ms, 2,400 jobs/s). \
         The lower p99 (10x lower) comes at 50% of the most goodput."
    );
}

#[test]
fn one_cell_leading_both_is_said_so() {
    let result = scenario(
        "pool",
        vec![
            cell("serial", &[], 480.0, 4000.0),
            cell("fixed", &[("workers", "50")], 4800.0, 12.5),
        ],
    );
    let all = sentences(&result);
    assert_eq!(
        sentence(&all, "leads both"),
        "fixed workers=50 leads both: the most goodput (4,800 jobs/s) and the lowest p99 (12.5 ms)."
    );
}

#[test]
fn an_objective_picks_the_most_goodput_within_it_and_names_who_misses_it() {
    let result = objective(
        scenario(
            "pool",
            vec![
                cell("serial", &[], 480.0, 4000.0),
                cell("unbounded", &[], 4800.0, 210.0),
                cell("semaphore", &[("workers", "50")], 2400.0, 21.0),
                cell("fixed", &[("workers", "50")], 2500.0, 50.0),
            ],
        ),
        50.0,
    );
    let all = sentences(&result);
    assert_eq!(
        sentence(&all, "Objective"),
        "Objective end-to-end p99 ≤ 50.0 ms: the most goodput within it is fixed workers=50 (2,500 jobs/s, p99 50.0 ms)."
    );
    assert_eq!(
        sentence(&all, "Missing"),
        "Missing the objective: serial (p99 4,000 ms), unbounded (p99 210 ms)."
    );
    assert!(!all.iter().any(|s| s.contains("Most goodput")), "{all:#?}");
}

#[test]
fn an_objective_every_cell_meets_is_said_so() {
    let result = objective(scenario("pool", vec![cell("serial", &[], 480.0, 4.0)]), 5.0);
    let all = sentences(&result);
    assert!(sentence(&all, "Objective").contains("within it is serial"));
    sentence(&all, "Every measured cell meets the objective");
}

#[test]
fn an_objective_no_cell_meets_says_so_and_names_the_closest() {
    let result = objective(
        scenario(
            "pool",
            vec![
                cell("serial", &[], 480.0, 4000.0),
                cell("unbounded", &[], 4800.0, 210.0),
            ],
        ),
        50.0,
    );
    let all = sentences(&result);
    assert_eq!(
        sentence(&all, "Objective"),
        "Objective end-to-end p99 ≤ 50.0 ms: no cell meets it; the closest is unbounded (p99 210 ms, 4,800 jobs/s)."
    );
}

#[test]
fn crashed_cells_are_left_out_and_cells_failing_a_gate_are_named() {
    let mut result = scenario(
        "pool",
        vec![
            cell("serial", &[], 480.0, 4000.0),
            cell("unbounded", &[], 9000.0, 5.0),
            crashed("elastic"),
        ],
    );
    result.gates = vec![
        GateResult {
            check: "timeouts(unbounded) == 0".into(),
            line: 30,
            passed: false,
            details: vec!["FAILED: `unbounded` = 12.0000 == 0.0000".into()],
        },
        GateResult {
            check: "lost(*) == 0".into(),
            line: 33,
            passed: false,
            details: vec![
                "FAILED: `elastic` has no measurement (it crashed, timed out or failed its books)"
                    .into(),
            ],
        },
    ];
    let all = sentences(&result);
    assert_eq!(
        sentence(&all, "no numbers to trust"),
        "Left out, with no numbers to trust: elastic (crashed)."
    );
    assert_eq!(
        sentence(&all, "Failing a gate"),
        "Failing a gate: unbounded (\"timeouts(unbounded) == 0\" (line 30))."
    );
    // A failed gate is named, its numbers still count; a crash has none.
    assert!(sentence(&all, "leads both").starts_with("unbounded leads both"));
    assert!(!all.iter().any(|s| s.contains("Failed gates")), "{all:#?}");
}

#[test]
fn the_knee_is_the_smallest_value_reaching_95_percent_of_the_best() {
    let result = scenario(
        "pool",
        vec![
            cell("fixed", &[("workers", "50")], 4800.0, 12.0),
            cell("fixed", &[("workers", "10")], 4600.0, 14.0),
            cell("fixed", &[("workers", "4")], 1900.0, 40.0),
            cell("elastic", &[("workers", "10")], 1000.0, 40.0),
            cell("elastic", &[("workers", "50")], 4000.0, 14.0),
        ],
    );
    let all = sentences(&result);
    assert_eq!(
        sentence(&all, "fixed: 95%"),
        "fixed: 95% of its best goodput from workers = 10 on (best 4,800 jobs/s, at workers = 50)."
    );
    assert_eq!(
        sentence(&all, "elastic: 95%"),
        "elastic: 95% of its best goodput only at workers = 50, the largest swept (best 4,000 jobs/s, at workers = 50): the knee may lie further."
    );
}

#[test]
fn a_sweep_in_cores_is_resolved_with_the_runs_cores_and_other_params_split_the_series() {
    let result = scenario(
        "pool",
        vec![
            cell(
                "fixed",
                &[("workers", "cores"), ("queue", "8")],
                1000.0,
                5.0,
            ),
            cell(
                "fixed",
                &[("workers", "4*cores"), ("queue", "8")],
                1010.0,
                9.0,
            ),
            cell(
                "fixed",
                &[("workers", "cores"), ("queue", "64")],
                500.0,
                5.0,
            ),
            cell(
                "fixed",
                &[("workers", "4*cores"), ("queue", "64")],
                1000.0,
                9.0,
            ),
        ],
    );
    let all = sentences(&result);
    assert_eq!(
        sentence(&all, "fixed queue=8:"),
        "fixed queue=8: 95% of its best goodput from workers = cores (4) on (best 1,010 jobs/s, at workers = 4*cores (16))."
    );
    sentence(
        &all,
        "fixed queue=64: 95% of its best goodput only at workers = 4*cores (16)",
    );
    // queue is swept too: one more series per workers value.
    assert_eq!(
        all.iter()
            .filter(|s| s.contains(" swept") || s.contains("95%"))
            .count(),
        4,
        "{all:#?}"
    );
}

#[test]
fn littles_law_reads_busy_workers_from_throughput_and_mean_service_time() {
    let result = scenario(
        "pool",
        vec![
            with_service(cell("fixed", &[("workers", "50")], 4800.0, 12.0), 10.2),
            with_service(cell("serial", &[], 480.0, 12.0), 2.0),
            cell("semaphore", &[("workers", "50")], 4800.0, 12.0),
        ],
    );
    let all = sentences(&result);
    // The cell with no service summary and the one with no workers: none.
    assert_eq!(
        sentence(&all, "busy of"),
        "fixed workers=50: 4,800 jobs/s × 10.2 ms = 49 busy of 50 workers (Little's law: throughput × mean service time)."
    );
}

#[test]
fn kinds_without_goodput_are_compared_by_throughput_and_say_so() {
    let mut a = cell("rwlock", &[("readers", "4")], 2_000_000.0, 0.002);
    let mut b = cell("arcswap", &[("readers", "4")], 9_000_000.0, 0.0005);
    for c in [&mut a, &mut b] {
        c.merged.goodput = None;
    }
    let all = sentences(&scenario("cache", vec![a, b]));
    // The leader first (the run index shows the first sentence), then why
    // throughput stands in for goodput.
    assert!(
        all[0].starts_with("arcswap readers=4 leads both: the most throughput (9,000,000 ops/s)")
    );
    assert_eq!(
        all[1],
        "A cache scenario has no goodput: cells are compared by throughput (ops/s)."
    );
    assert!(!all.iter().any(|s| s.contains("busy of")));
}

#[test]
fn numbers_are_grouped_by_thousands() {
    assert_eq!(speed(4800.4), "4,800");
    assert_eq!(speed(1_234_567.0), "1,234,567");
    assert_eq!(speed(999.0), "999");
    assert_eq!(speed(2.5), "2.5");
}

#[test]
fn an_old_results_file_still_gets_a_verdict_in_both_reports() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/baseline.json");
    let doc = crate::report::json::read(&path).expect("the baseline reads");
    assert_eq!(doc.schema_version, 2);
    for result in &doc.scenarios {
        assert_eq!(result.objective, None);
        let all = sentences(result);
        assert!(!all.is_empty(), "{}", result.name);
        let markdown = crate::report::markdown::render(result);
        let html = crate::report::html::render(result);
        assert!(markdown.contains(&all[0]), "{markdown}");
        assert!(
            html.contains(&crate::report::svg::escape(&all[0])),
            "{}",
            result.name
        );
    }
}
