//! `contend run --quick` end to end on tiny `cache` and `fanin`
//! scenarios, into a temporary folder: every report is written and parses.
//! No assertion depends on how fast the machine is.

mod common;

use std::path::Path;

use common::{contend, only_run_folder, run_into, stderr, write_scenario};

use contend::results::{ResultsDoc, Status};

const CACHE: &str = r#"
name = "tiny-cache"
kind = "cache"
repetitions = 2
reference = "rwlock"

[workload]
readers = [1, 2]
ops = 20000
keys = 200
refresh_keys = 50
refresh_every = "1ms"
read_batch = 8
mix = { get = 70, get_many = 20, insert = 5, remove = 5 }

[quick]
ops = 5000

[[strategy]]
name = "rwlock"

[[strategy]]
name = "sharded"
shards = 4

[[strategy]]
name = "snapshot"

[[gate]]
check = "torn_reads(rwlock) == 0"

[[gate]]
check = "lost(*) == 0"
"#;

const FANIN: &str = r#"
name = "tiny-fanin"
kind = "fanin"

[workload]
producers = [1, 3]
items = 3000
capacity = [0, 4, "unbounded"]

[quick]
items = 500

[[strategy]]
name = "drop-close"

[[strategy]]
name = "closer"

[[strategy]]
name = "flume"

[[gate]]
check = "lost(*) == 0"
"#;

/// Runs `text` with --quick into a temporary folder; returns the parsed
/// results and the run's folder (kept alive by the returned tempdir).
fn run_quick(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf, ResultsDoc) {
    let temp = tempfile::tempdir().unwrap();
    let file = write_scenario(temp.path(), &format!("{name}.toml"), text);
    let out = temp.path().join("runs");
    let output = run_into(&file, &out, &["--quick"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let run = only_run_folder(&out);
    let json = std::fs::read_to_string(run.join("results.json")).unwrap();
    let doc: ResultsDoc = serde_json::from_str(&json).expect("results.json parses");
    (temp, run, doc)
}

fn check_reports(run: &Path, doc: &ResultsDoc, kind: &str, metrics: &[&str]) {
    let scenario = &doc.scenarios[0];
    assert_eq!(scenario.kind, kind);
    assert!(scenario.quick);
    for cell in &scenario.cells {
        assert_eq!(cell.status(), &Status::Ok, "{}", cell.label);
        assert_eq!(cell.merged.ok_repetitions, cell.repetitions.len());
        assert!(cell.merged.throughput.mean > 0.0, "{}", cell.label);
        for metric in metrics {
            let stem = contend::report::file_stem(&cell.label);
            let hgrm = run.join(format!("{stem}.{metric}.hgrm"));
            let text = std::fs::read_to_string(&hgrm)
                .unwrap_or_else(|e| panic!("{}: {e}", hgrm.display()));
            assert!(text.contains("Percentile"), "{}", hgrm.display());
        }
    }
    assert!(
        scenario.gates.iter().all(|g| g.passed),
        "{:?}",
        scenario.gates
    );
    let summary = std::fs::read_to_string(run.join("summary.md")).unwrap();
    assert!(summary.contains("every cell balanced"), "{summary}");
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(html.contains("<svg"), "the report has charts");
}

#[test]
fn a_quick_cache_run_writes_every_report_and_they_parse() {
    let (_temp, run, doc) = run_quick("tiny-cache", CACHE);
    check_reports(&run, &doc, "cache", &["read", "write", "refresh"]);
    let scenario = &doc.scenarios[0];
    assert_eq!(scenario.cells.len(), 6);
    assert_eq!(scenario.cells[2].label, "sharded readers=1");
    let summary = std::fs::read_to_string(run.join("summary.md")).unwrap();
    assert!(summary.contains("| torn reads |"), "{summary}");
    assert!(summary.contains("5000 ops per reader"), "{summary}");
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert!(
        html.contains("against readers"),
        "a sweep chart over readers"
    );
    // A run compares with itself without a regression.
    let results = run.join("results.json");
    let results = results.to_str().unwrap();
    let output = contend(&["compare", "--relative", results, results]);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn a_quick_fanin_run_writes_every_report_and_they_parse() {
    let (_temp, run, doc) = run_quick("tiny-fanin", FANIN);
    check_reports(&run, &doc, "fanin", &["delivery", "send"]);
    let scenario = &doc.scenarios[0];
    assert_eq!(scenario.cells.len(), 18);
    assert_eq!(scenario.cells[0].label, "drop-close producers=1 capacity=0");
    for cell in &scenario.cells {
        let producers: u64 = cell.params["producers"].parse().unwrap();
        for rep in &cell.repetitions {
            let books = rep.books.ledger.clone();
            assert_eq!(books["sent"], producers * 500, "{}", cell.label);
            assert_eq!(books["received"], producers * 500, "{}", cell.label);
        }
    }
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert!(html.contains("against producers") && html.contains("against capacity"));
}
