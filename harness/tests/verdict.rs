//! The verdict end to end: a tiny scenario with an objective no cell can
//! meet, run by the binary; its summary and page open with the verdict,
//! its results keep the objective. Nothing here depends on this machine's
//! speed: the objective is a microsecond, the jobs sleep 1 ms.

use std::path::{Path, PathBuf};

mod common;

const SCENARIO: &str = r#"
name = "verdict-e2e"
objective = { p99 = "1us" }

[workload]
jobs = 40
arrival = { type = "batch" }
service = { type = "sleep", dist = "fixed", mean = "1ms" }

[[strategy]]
name = "serial"

[[strategy]]
name = "fixed"
workers = [2, 4]
"#;

/// Every file called `name` under `dir`, however deep.
fn find(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(find(&path, name));
        } else if path.file_name().is_some_and(|n| n == name) {
            found.push(path);
        }
    }
    found
}

fn read_one(dir: &Path, name: &str) -> String {
    let found = find(dir, name);
    assert_eq!(found.len(), 1, "{found:?}");
    std::fs::read_to_string(&found[0]).unwrap()
}

#[test]
fn an_objective_no_cell_meets_is_said_so_in_both_reports() {
    let temp = tempfile::tempdir().unwrap();
    let file = common::write_scenario(temp.path(), "verdict.toml", SCENARIO);
    let out = temp.path().join("out");
    let output = common::run_into(&file, &out, &[]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let summary = read_one(&out, "summary.md");
    let verdict = summary
        .split("**Verdict**")
        .nth(1)
        .and_then(|rest| rest.split("| cell |").next())
        .unwrap_or_else(|| panic!("no verdict before the table:\n{summary}"));
    assert!(
        verdict
            .contains("Objective end-to-end p99 ≤ 0.00100 ms: no cell meets it; the closest is "),
        "{verdict}"
    );
    assert!(
        verdict.contains("fixed: 95% of its best goodput "),
        "{verdict}"
    );
    assert!(
        verdict.contains("fixed workers=4: ") && verdict.contains(" busy of 4 workers"),
        "{verdict}"
    );
    let page = read_one(&out, "report.html");
    let section = page
        .split("<section class=\"verdict\">")
        .nth(1)
        .unwrap_or_else(|| panic!("no verdict section"));
    assert!(section.contains("no cell meets it"), "{section}");
    assert!(
        page.find("class=\"verdict\"") < page.find("<table>"),
        "the verdict comes first"
    );
    let results: serde_json::Value = serde_json::from_str(&read_one(&out, "results.json")).unwrap();
    assert_eq!(results["scenarios"][0]["objective"]["p99_ms"], 0.001);
}

#[test]
fn a_bad_objective_is_refused_with_its_line_and_exit_2() {
    let temp = tempfile::tempdir().unwrap();
    let text = SCENARIO.replace("p99 = \"1us\"", "p99 = \"fast\"");
    let file = common::write_scenario(temp.path(), "bad.toml", &text);
    let output = common::run_into(&file, &temp.path().join("out"), &[]);
    assert_eq!(output.status.code(), Some(2), "{}", common::stderr(&output));
    let stderr = common::stderr(&output);
    assert!(stderr.contains("bad.toml:3:"), "{stderr}");
    assert!(stderr.contains("not a duration"), "{stderr}");
}
