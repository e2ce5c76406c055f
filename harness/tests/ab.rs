//! `contend ab` end to end: a build compared with itself is not flagged,
//! over repeated runs; a deliberately slowed build is, and the paired
//! runs stop as soon as that is decided; bad input (an unknown revision, a
//! revision that does not build, a binary that predates the protocol, a
//! scenario a side cannot read) exits 2 and says which and why; a git
//! revision is built once and its build reused.
//!
//! Every assertion is on verdicts and counts, never on times. The slowed
//! build is this binary with `CONTEND_SLOW_SUBMIT` set (busy work before
//! every submit), started through a two-line script.

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

use common::{stderr, write_scenario};
use contend::ab::comparison::Comparison;
use contend::ab::metric::PairedMetric;
use contend::ab::stats::{fewest_pairs, Decision};

/// The paired runs take both cores for seconds: one test at a time, so
/// one test's runs are not another's noise (they must survive noise, but
/// the test of that is the repeated self-comparison, not a race).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const BIN: &str = env!("CARGO_BIN_EXE_contend");

/// Two cells of quick jobs submitted back to back: the submit path is
/// most of the work, so a slower submit shows in goodput and latency.
const SCENARIO: &str = r#"
name = "ab-fixture"
description = "quick jobs, back to back"
repetitions = 1
[workload]
jobs = 3000
arrival = { type = "batch" }
service = { type = "spin", mean = "5us" }
[[strategy]]
name = "fixed"
workers = 2
[[strategy]]
name = "semaphore"
workers = 2
"#;

/// `contend ab BASE NEW FILE --out OUT extra…`, run in `dir`.
fn ab(dir: &Path, base: &str, new: &str, file: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .args(["ab", base, new])
        .arg(file)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("contend runs")
}

/// The `ab.json` of the one report folder under `out`.
fn comparison(out: &Path) -> Comparison {
    let folders: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    let text = std::fs::read_to_string(folders[0].join("ab.json")).unwrap();
    serde_json::from_str(&text).expect("ab.json reads back")
}

/// An executable script `dir/name` with `body` after the shebang.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn a_build_compared_with_itself_is_not_flagged_over_repeated_runs() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let file = write_scenario(dir.path(), "ab.toml", SCENARIO);
    for run in 0..3 {
        let out = dir.path().join(format!("out-{run}"));
        let output = ab(
            dir.path(),
            BIN,
            BIN,
            &file,
            &out,
            &["--pairs", "6", "--max-pairs", "12"],
        );
        assert_eq!(
            output.status.code(),
            Some(0),
            "run {run}: {}",
            stderr(&output)
        );
        let found = comparison(&out);
        assert_eq!(found.cells.len(), 2);
        for cell in &found.cells {
            assert!(cell.failure.is_none(), "{:?}", cell.failure);
            assert!(cell.pairs >= 6 && cell.pairs <= 12, "{} pairs", cell.pairs);
            for metric in &cell.metrics {
                assert_ne!(
                    metric.decision,
                    Decision::Regression,
                    "run {run}: {} {} flagged against itself: {:?}",
                    cell.cell.key(),
                    metric.metric.name(),
                    metric.ratio
                );
            }
        }
        let markdown = std::fs::read_to_string(only(&out).join("ab.md")).unwrap();
        assert!(markdown.contains("**No regression**"), "{markdown}");
        let html = std::fs::read_to_string(only(&out).join("ab.html")).unwrap();
        assert!(
            html.contains("by percentile") && html.contains("<svg"),
            "no curves"
        );
    }
}

fn only(out: &Path) -> PathBuf {
    std::fs::read_dir(out)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
}

#[test]
fn a_slowed_submit_path_is_a_regression_decided_at_the_first_look() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let file = write_scenario(dir.path(), "ab.toml", SCENARIO);
    let slowed = script(
        dir.path(),
        "slowed",
        &format!("CONTEND_SLOW_SUBMIT=200us exec {BIN} \"$@\""),
    );
    let out = dir.path().join("out");
    // One gated metric: 2 cells × 1 metric × 4 looks (10, 20, 30, 32), so
    // each interval is at 99.375%, which 9 pairs can bound: the first
    // look, at 10, decides.
    let output = ab(
        dir.path(),
        BIN,
        slowed.to_str().unwrap(),
        &file,
        &out,
        &["--metric", "goodput", "--pairs", "10", "--max-pairs", "32"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let found = comparison(&out);
    assert_eq!(fewest_pairs(found.plan.interval_confidence), 9);
    for cell in &found.cells {
        let goodput = &cell.metrics[0];
        assert_eq!(goodput.metric, PairedMetric::Goodput);
        assert_eq!(
            goodput.decision,
            Decision::Regression,
            "{}: {goodput:?}",
            cell.cell.key()
        );
        assert!(goodput.gated);
        // Decided at the first look: no pair more than needed.
        assert_eq!(cell.pairs, 10, "{}", cell.cell.key());
        // The ungated metrics are reported and do not count.
        assert!(cell.metrics[1..].iter().all(|m| !m.gated));
    }
    let markdown = std::fs::read_to_string(only(&out).join("ab.md")).unwrap();
    assert!(markdown.contains("regressed"), "{markdown}");
    assert!(
        markdown.contains("ab-fixture / fixed: goodput −"),
        "{markdown}"
    );
    // The same report is printed, to paste.
    assert!(String::from_utf8_lossy(&output.stdout).contains("regressed"));
}

#[test]
fn bad_input_exits_2_and_says_which_side_and_why() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let file = write_scenario(dir.path(), "ab.toml", SCENARIO);
    let out = dir.path().join("out");
    let root = repo_root();
    let check = |output: Output, expected: &[&str]| {
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{text}");
        for part in expected {
            assert!(text.contains(part), "`{part}` missing from: {text}");
        }
        assert!(!text.contains("panicked"), "{text}");
    };
    check(
        ab(&root, "no-such-revision-xyz", BIN, &file, &out, &[]),
        &["`no-such-revision-xyz` is neither a built binary nor a revision"],
    );
    check(
        ab(&root, BIN, "harness", &file, &out, &[]),
        &["NEW `harness` is a folder"],
    );
    check(
        ab(dir.path(), BIN, BIN, &file, &out, &["--metric", "p95"]),
        &["--metric p95: unknown; allowed: goodput, p50"],
    );
    check(
        ab(
            dir.path(),
            BIN,
            BIN,
            &file,
            &out,
            &["--pairs", "9", "--max-pairs", "4"],
        ),
        &["--pairs 9 --max-pairs 4"],
    );
    let old = script(
        dir.path(),
        "old-contend",
        "echo \"error: unrecognized subcommand 'cells'\" >&2; exit 2",
    );
    check(
        ab(dir.path(), old.to_str().unwrap(), BIN, &file, &out, &[]),
        &["BASE (binary", "predates `contend ab`"],
    );
    let broken = write_scenario(
        dir.path(),
        "broken.toml",
        "name = \"x\"\n[workload]\njobz = 3\n",
    );
    check(
        ab(dir.path(), BIN, BIN, &broken, &out, &[]),
        &[
            "BASE (binary",
            "cannot run these scenarios",
            "broken.toml:3",
        ],
    );
    check(
        ab(dir.path(), BIN, BIN, &file, &out, &["--filter", "elastic"]),
        &["no cell in common"],
    );
    assert!(!out.exists(), "no report for bad input");
}

#[test]
fn a_revision_that_does_not_build_exits_2_with_cargos_reason() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // A repository of its own, whose one commit has a manifest cargo
    // rejects: cargo fails before it compiles anything.
    let repo = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .current_dir(repo.path())
            .args(["-c", "user.name=t", "-c", "user.email=t@t"])
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    std::fs::write(repo.path().join("Cargo.toml"), "[workspace\nmembers = [\n").unwrap();
    git(&["add", "Cargo.toml"]);
    git(&["commit", "-qm", "broken"]);
    let file = write_scenario(repo.path(), "ab.toml", SCENARIO);
    let out = repo.path().join("out");
    let output = ab(repo.path(), "HEAD", BIN, &file, &out, &[]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("BASE HEAD ("), "{text}");
    assert!(text.contains("does not build"), "{text}");
    assert!(text.contains("Cargo.toml"), "cargo's reason: {text}");
}

#[test]
fn a_revision_is_built_once_in_release_and_its_build_reused() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let file = write_scenario(dir.path(), "ab.toml", SCENARIO);
    let root = repo_root();
    let one_pair = ["--filter", "fixed", "--pairs", "1", "--max-pairs", "1"];
    let first = ab(&root, "HEAD", BIN, &file, &dir.path().join("a"), &one_pair);
    let text = stderr(&first);
    assert_eq!(first.status.code(), Some(0), "{text}");
    assert!(
        text.contains("BASE: building HEAD (") || text.contains("BASE: HEAD ("),
        "{text}"
    );
    let again = ab(&root, "HEAD", BIN, &file, &dir.path().join("b"), &one_pair);
    let text = stderr(&again);
    assert_eq!(again.status.code(), Some(0), "{text}");
    assert!(text.contains("reusing its build"), "{text}");
    let found = comparison(&dir.path().join("b"));
    assert!(
        found.base.describe.starts_with("revision HEAD ("),
        "{:?}",
        found.base
    );
    assert_eq!(found.cells[0].pairs, 1);
    // One pair cannot bound an interval: undecided, which fails nothing.
    assert!(found.cells[0]
        .metrics
        .iter()
        .all(|m| m.decision == Decision::Undecided));
}

#[test]
fn ctrl_c_stops_after_the_current_pair_and_writes_the_reports() {
    use std::io::{BufRead as _, BufReader};
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let file = write_scenario(dir.path(), "ab.toml", SCENARIO);
    let out = dir.path().join("out");
    let mut child = Command::new(BIN)
        .args(["ab", BIN, BIN])
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .args(["--pairs", "100", "--max-pairs", "200"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    for line in lines.by_ref() {
        if line.unwrap().contains("cells × ") {
            break;
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(1500));
    // SAFETY: kill only sends a signal to the child we started.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    assert_eq!(child.wait().unwrap().code(), Some(130), "{rest:?}");
    let found = comparison(&out);
    assert!(found.interrupted);
    let pairs: usize = found.cells.iter().map(|c| c.pairs).sum();
    assert!(pairs > 0 && pairs < 400, "{pairs} pairs");
    let markdown = std::fs::read_to_string(only(&out).join("ab.md")).unwrap();
    assert!(markdown.contains("Stopped by Ctrl-C"), "{markdown}");
}
