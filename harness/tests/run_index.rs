//! A run of several scenarios is one folder: each scenario's report
//! folder and an index (`index.md`, `index.html`) that links them and says
//! how each went. No assertion depends on how fast the machine is.

mod common;

use common::{contend, only_run, write_scenario};

fn scenario(name: &str, gate: &str) -> String {
    format!(
        r#"
name = "{name}"
description = "{name}: a tiny batch"
repetitions = 1
reference = "serial"

[workload]
jobs = 100
arrival = {{ type = "batch" }}
service = {{ type = "spin", mean = "10us" }}

[[strategy]]
name = "serial"

[[strategy]]
name = "fixed"
workers = 2

[[gate]]
check = "{gate}"
"#
    )
}

#[test]
fn a_run_of_two_scenarios_writes_one_folder_with_an_index_of_both() {
    let temp = tempfile::tempdir().unwrap();
    let passing = write_scenario(temp.path(), "a.toml", &scenario("first", "lost(*) == 0"));
    let failing = write_scenario(temp.path(), "b.toml", &scenario("second", "lost(*) >= 1"));
    let out = temp.path().join("runs");
    let output = contend(&[
        "run",
        passing.to_str().unwrap(),
        failing.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "the second scenario's gate fails"
    );
    let run = only_run(&out);
    for folder in ["first", "second"] {
        assert!(
            run.join(folder).join("report.html").is_file(),
            "{folder}'s report"
        );
        assert!(
            run.join(folder).join("results.json").is_file(),
            "{folder}'s results"
        );
    }
    let md = std::fs::read_to_string(run.join("index.md")).unwrap();
    assert!(md.contains("2 scenarios"), "{md}");
    assert!(md.contains("gates: 1 of 2 passed"), "{md}");
    assert!(
        md.contains("| first | pool | 1 of 1 passed | 2 ok |"),
        "{md}"
    );
    assert!(
        md.contains("| second | pool | 0 of 1 passed | 2 ok |"),
        "{md}"
    );
    assert!(md.contains("[report](first/report.html)"), "{md}");
    assert!(
        md.contains("- **gate failed:** `lost(*) >= 1` (line 20)"),
        "{md}"
    );
    let html = std::fs::read_to_string(run.join("index.html")).unwrap();
    assert!(
        html.contains("<a href=\"second/report.html\">second</a>"),
        "{html}"
    );
    assert!(!html.contains("<script"), "self-contained");
    // `compare` reads a run folder as it read a folder of runs.
    let compared = contend(&["compare", run.to_str().unwrap(), run.to_str().unwrap()]);
    assert_eq!(compared.status.code(), Some(0), "{compared:?}");
}
