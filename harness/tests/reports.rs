//! What a person decides from: goodput beside throughput, gates on it,
//! old results files still read, and report pages whose charts keep one
//! colour per cell and sweep numbers in ascending order. Every assertion
//! is on counts, shares or the order of text: none on a time or a speed.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{contend, only_run_folder, results_json, run_into, stderr, write_scenario};

/// Every call to a downstream that answers in 50 ms but is given 1 ms.
const ALL_TIME_OUT: &str = r#"
name = "all-time-out"
description = "every downstream call times out"
repetitions = 1

[workload]
jobs = 40
arrival = { type = "batch" }
downstream = { connections = 2, latency = "50ms", overload_growth = 0.0, timeout = "1ms" }

[[strategy]]
name = "fixed"
workers = 4
queue = 100

[[gate]]
check = "failed(fixed) == 1"

[[gate]]
check = "goodput(fixed) == 0"
"#;

/// Jobs with no downstream, some panicking, some cancelled; a sweep
/// written 8 before 2, after a cell at 8.
const SWEEP: &str = r#"
name = "sweep"
description = "a sweep written out of order"
repetitions = 2

[workload]
jobs = 200
arrival = { type = "batch" }
service = { type = "spin", mean = "20us" }
panic_rate = 0.1
cancel_rate = 0.05

[[strategy]]
name = "semaphore"
workers = 8

[[strategy]]
name = "fixed"
workers = [8, 2]
queue = 1000

[[gate]]
check = "failed(*) < 1"
"#;

fn run_quietly(dir: &Path, name: &str, text: &str) -> (PathBuf, std::process::Output) {
    let file = write_scenario(dir, name, text);
    let out = dir.join(format!("{name}.runs"));
    let output = run_into(&file, &out, &[]);
    (only_run_folder(&out), output)
}

fn cells(results: &serde_json::Value) -> &Vec<serde_json::Value> {
    results["scenarios"][0]["cells"].as_array().unwrap()
}

#[test]
fn a_cell_whose_calls_all_time_out_has_no_goodput_and_fails_everything() {
    let temp = tempfile::tempdir().unwrap();
    let (run, output) = run_quietly(temp.path(), "all.toml", ALL_TIME_OUT);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let results = results_json(&run);
    assert_eq!(results["schema_version"], 4);
    let cell = &cells(&results)[0];
    for rep in cell["repetitions"].as_array().unwrap() {
        assert_eq!(rep["timeouts"], 40, "{rep}");
        assert_eq!(rep["succeeded"], 0);
        assert_eq!(rep["failed"], 40);
        assert_eq!(rep["goodput"].as_f64(), Some(0.0));
        assert!(rep["throughput"].as_f64().unwrap() > 0.0, "the jobs ran");
    }
    assert_eq!(cell["merged"]["goodput"]["mean"].as_f64(), Some(0.0));
    assert_eq!(cell["merged"]["failed_share"]["mean"].as_f64(), Some(1.0));
    let summary = std::fs::read_to_string(run.join("summary.md")).unwrap();
    assert!(summary.contains("goodput jobs/s"), "{summary}");
    assert!(summary.contains("100.0%"), "{summary}");
    assert!(
        stderr(&output).contains("goodput 0 jobs/s (100.0% failed)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn goodput_counts_the_jobs_that_succeeded_over_the_same_wall_time() {
    let temp = tempfile::tempdir().unwrap();
    let (run, output) = run_quietly(temp.path(), "sweep.toml", SWEEP);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let results = results_json(&run);
    for cell in cells(&results) {
        for rep in cell["repetitions"].as_array().unwrap() {
            let books = &rep["books"]["ledger"];
            let completed = books["completed"].as_u64().unwrap();
            let panicked = books["panicked"].as_u64().unwrap();
            let submitted = books["submitted"].as_u64().unwrap();
            let succeeded = rep["succeeded"].as_u64().unwrap();
            // No downstream: a job succeeded unless it panicked.
            assert_eq!(succeeded, completed - panicked, "{rep}");
            assert_eq!(rep["failed"].as_u64().unwrap(), submitted - succeeded);
            let wall = rep["wall_s"].as_f64().unwrap();
            let goodput = rep["goodput"].as_f64().unwrap();
            let throughput = rep["throughput"].as_f64().unwrap();
            assert!(
                (goodput - succeeded as f64 / wall).abs() <= 1e-9 * goodput.max(1.0),
                "{rep}"
            );
            assert!(goodput <= throughput, "{rep}");
            assert!(
                succeeded < completed,
                "panic_rate 0.1 of 200 panics some: {rep}"
            );
        }
    }
}

#[test]
fn a_failing_gate_on_goodput_or_failed_exits_1() {
    let temp = tempfile::tempdir().unwrap();
    for (check, code) in [
        ("goodput(fixed) > 0", 1),
        ("failed(fixed) < 0.5", 1),
        ("failed(fixed) >= 0.5", 0),
    ] {
        let text = ALL_TIME_OUT.split("[[gate]]").next().unwrap().to_owned()
            + &format!("[[gate]]\ncheck = \"{check}\"\n");
        let name = format!("gate{code}-{}.toml", check.len());
        let (_, output) = run_quietly(temp.path(), &name, &text);
        assert_eq!(
            output.status.code(),
            Some(code),
            "{check}: {}",
            stderr(&output)
        );
        assert_eq!(
            stderr(&output).contains("GATE FAILED"),
            code == 1,
            "{check}"
        );
    }
}

fn baseline() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/baseline.json")
}

#[test]
fn the_committed_baseline_of_an_older_schema_still_loads_and_compares() {
    let path = baseline();
    let raw: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(
        raw["schema_version"].as_u64().unwrap() < 3,
        "the baseline is older"
    );
    let doc = contend::report::json::read(&path).expect("an older file reads");
    let mut derived = 0;
    for cell in doc.scenarios.iter().flat_map(|s| &s.cells) {
        if cell.merged.ok_repetitions == 0 {
            continue;
        }
        let goodput = cell.merged.goodput.expect("derived from the counts");
        // Equal where nothing failed, up to the rounding of two divisions.
        let throughput = cell.merged.throughput.mean;
        assert!(goodput.mean <= throughput * (1.0 + 1e-9), "{}", cell.label);
        let failed = cell.merged.failed_share.unwrap().mean;
        assert!((0.0..=1.0).contains(&failed), "{}", cell.label);
        derived += 1;
    }
    assert!(derived > 0);
    let output = contend(&[
        "compare",
        "--relative",
        "--metric",
        "throughput",
        path.to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("0 regression(s)"), "{table}");
}

/// The SVG elements (`<svg …>…</svg>`) of a page.
fn svgs(html: &str) -> Vec<&str> {
    html.split("<svg")
        .skip(1)
        .map(|s| s.split("</svg>").next().unwrap())
        .collect()
}

/// The colour of every tag carrying `data-cell`, by cell label.
fn cell_colours(html: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("data-cell=\"") {
        let tag_start = rest[..at].rfind('<').unwrap();
        let tag_end = at + rest[at..].find('>').unwrap();
        let tag = &rest[tag_start..tag_end];
        let label_start = at + "data-cell=\"".len();
        let label = &rest[label_start..label_start + rest[label_start..].find('"').unwrap()];
        let colour = ["stroke=\"#", "fill=\"#", "background:#"]
            .iter()
            .find_map(|key| {
                let i = tag.find(key)? + key.len() - 1;
                Some(tag[i..i + 7].to_owned())
            })
            .unwrap_or_else(|| panic!("no colour in {tag}"));
        found.push((label.to_owned(), colour));
        rest = &rest[tag_end..];
    }
    found
}

#[test]
fn report_pages_sweep_numbers_in_order_and_keep_one_colour_per_cell() {
    let temp = tempfile::tempdir().unwrap();
    let (run, output) = run_quietly(temp.path(), "sweep.toml", SWEEP);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert!(!html.contains("<script"), "self-contained");
    assert!(
        !html.contains("http://")
            || !html
                .replace("http://www.w3.org/2000/svg", "")
                .contains("http://")
    );

    let sweeps: Vec<&str> = svgs(&html)
        .into_iter()
        .filter(|s| s.contains("against workers"))
        .collect();
    assert!(!sweeps.is_empty(), "a sweep chart");
    for svg in sweeps {
        // The x ticks are the first centred texts, before the axis title.
        let ticks: Vec<&str> = svg
            .split("text-anchor=\"middle\">")
            .skip(1)
            .map(|t| t.split('<').next().unwrap())
            .take_while(|t| *t != "workers")
            .collect();
        assert_eq!(ticks, ["2", "8"], "{svg}");
    }

    let found = cell_colours(&html);
    let mut by_cell: BTreeMap<String, String> = BTreeMap::new();
    for (label, colour) in &found {
        let first = by_cell
            .entry(label.clone())
            .or_insert_with(|| colour.clone());
        assert_eq!(first, colour, "`{label}` has two colours");
    }
    let labels: Vec<&str> = by_cell.keys().map(String::as_str).collect();
    assert_eq!(labels, ["fixed workers=2", "fixed workers=8", "semaphore"]);
    let mut colours: Vec<&String> = by_cell.values().collect();
    colours.dedup();
    colours.sort();
    colours.dedup();
    assert_eq!(colours.len(), 3, "three cells, three colours: {by_cell:?}");
    // Each cell is drawn in several charts (bars, percentile lines, sweep points).
    for label in labels {
        let charts = svgs(&html)
            .iter()
            .filter(|s| s.contains(&format!("data-cell=\"{label}\"")))
            .count();
        assert!(charts >= 4, "`{label}` appears in {charts} charts");
    }
    // Stacked bars: the failed part is there (jobs panicked) and explained.
    assert!(html.contains("data-part=\"failed\""));
    assert!(html.contains("hatched: failed"));
}
