//! `bench-ab` end to end, on fake bench executables: shell scripts that
//! answer `--bench --list` and `--bench --exact ID` the way a criterion
//! bench does, writing criterion-shaped `benchmark.json` and
//! `estimates.json` under `$CRITERION_HOME` with fixed times. The
//! assertions are on verdicts and exit codes, never on timing.
//!
//! The last test runs the real `counters` bench against itself; it builds
//! the bench and takes over a minute, so it is ignored by default:
//! `cargo test -p contend-benches --test bench_ab -- --ignored`.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A criterion bench in shell: every benchmark takes `ns` ns per element;
/// it lists `fake/add/t1`, `fake/add/t2` and `extra` ids, and logs each
/// run as `<base|new> <id>` to `$CRITERION_HOME/../runs.log` (the folder
/// name says which side's run it was).
fn fake_bench(dir: &Path, name: &str, ns: f64, extra: &[&str]) {
    std::fs::create_dir_all(dir).unwrap();
    let extra: String = extra.iter().map(|id| format!("{id}\\n")).collect();
    let script = format!(
        r#"#!/bin/sh
if [ "$1" = --bench ] && [ "$2" = --list ]; then
    printf 'fake/add/t1\nfake/add/t2\n{extra}' | grep -E -- "${{3:-.}}" | sed 's/$/: benchmark/'
    echo
    exit 0
fi
[ "$1" = --bench ] || {{ echo "not run as a bench: $*" >&2; exit 3; }}
id=; prev=
for arg in "$@"; do
    [ "$prev" = --exact ] && id=$arg
    prev=$arg
done
[ -n "$id" ] || {{ echo "no --exact id: $*" >&2; exit 3; }}
case "$*" in *--measurement-time*--warm-up-time*) ;; *) echo "no times: $*" >&2; exit 3 ;; esac
[ "$id" = fake/add/crash ] && {{ echo "thread 'main' panicked" >&2; exit 101; }}
echo "$(basename "$CRITERION_HOME") $id" >> "$CRITERION_HOME/../runs.log"
new="$CRITERION_HOME/$(echo "$id" | tr / _)/new"
mkdir -p "$new"
printf '{{"full_id":"%s","throughput":{{"Elements":1}}}}' "$id" > "$new/benchmark.json"
printf '{{"mean":{{"point_estimate":{ns},"confidence_interval":{{"lower_bound":{ns},"upper_bound":{ns}}}}},"slope":null}}' > "$new/estimates.json"
"#
    );
    let path = dir.join(name);
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn bench_ab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bench-ab"))
        .args(args)
        .output()
        .expect("bench-ab runs")
}

/// `bench-ab --out OUT args…`: its exit code and what it said on stderr.
fn exit_and_stderr(out: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut full = vec!["--out", path(out)];
    full.extend_from_slice(args);
    let output = bench_ab(&full);
    (output.status.code(), text(&output.stderr))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn report_json(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("bench-ab.json")).unwrap()).unwrap()
}

#[test]
fn a_side_twenty_percent_slower_is_a_regression_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let (fast, slow, out) = (
        dir.path().join("fast"),
        dir.path().join("slow"),
        dir.path().join("out"),
    );
    fake_bench(&fast, "counters", 100.0, &[]);
    fake_bench(&slow, "counters", 120.0, &["fake/only-new/t1"]);
    let output = bench_ab(&[
        "--base-dir",
        path(&fast),
        "--new-dir",
        path(&slow),
        "--out",
        path(&out),
    ]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(
            "| `fake/add/t1` | 100.0 | 120.0 | 1.200 | [1.200, 1.200] | 8 | REGRESSION |"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("2 regressions, 0 improvements, 0 unchanged, 0 undecided."));
    assert!(stdout.contains("Only in NEW, not compared: `fake/only-new/t1`."));
    assert!(
        stderr.contains("median 1.200 [1.200, 1.200] over 8 pairs: REGRESSION"),
        "{stderr}"
    );
    // The files a pull request takes its table from.
    let markdown = std::fs::read_to_string(out.join("bench-ab.md")).unwrap();
    assert_eq!(markdown.trim_end(), stdout.trim_end());
    let json = report_json(&out);
    assert_eq!(json["benchmarks"][0]["decision"], "regression");
    // 2 benchmarks × 2 looks: each interval at 98.75%, bounded from 8 pairs.
    assert_eq!(json["benchmarks"][0]["ratios"].as_array().unwrap().len(), 8);
    assert_eq!(json["only_new"][0], "fake/only-new/t1");
    // Round-robin over the benchmarks, BASE first in even pairs and NEW
    // first in odd ones, each side in its own criterion folder.
    let runs = std::fs::read_to_string(out.join("criterion/runs.log")).unwrap();
    let runs: Vec<&str> = runs.lines().collect();
    assert_eq!(runs.len(), 2 * 2 * 8, "{runs:?}");
    assert_eq!(
        runs[..8],
        [
            "base fake/add/t1",
            "new fake/add/t1",
            "base fake/add/t2",
            "new fake/add/t2",
            "new fake/add/t1",
            "base fake/add/t1",
            "new fake/add/t2",
            "base fake/add/t2",
        ]
    );
}

#[test]
fn the_same_benches_on_both_sides_are_unchanged_and_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let (same, out) = (dir.path().join("same"), dir.path().join("out"));
    fake_bench(&same, "counters", 100.0, &[]);
    let output = bench_ab(&[
        "--base-dir",
        path(&same),
        "--new-dir",
        path(&same),
        "--out",
        path(&out),
        "counters",
        "--filter",
        "t2$",
    ]);
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&output.stderr)
    );
    assert!(!stdout.contains("REGRESSION"), "{stdout}");
    assert!(stdout
        .contains("| `fake/add/t2` | 100.0 | 100.0 | 1.000 | [1.000, 1.000] | 7 | unchanged |"));
    // --filter went to criterion's listing: t1 was not measured.
    assert!(!stdout.contains("fake/add/t1"), "{stdout}");
    assert_eq!(report_json(&out)["benchmarks"].as_array().unwrap().len(), 1);
}

#[test]
fn a_benchmark_that_fails_stops_alone_and_fails_the_comparison_as_new_s() {
    let dir = tempfile::tempdir().unwrap();
    let (same, out) = (dir.path().join("same"), dir.path().join("out"));
    fake_bench(&same, "counters", 100.0, &["fake/add/crash"]);
    let run = |args: &[&str]| exit_and_stderr(&out, args);
    // A benchmark that fails on both sides: NEW's failure (exit 1, as a
    // regression), which benchmark, and its output; it is in the report.
    let (code, stderr) = run(&[
        "--base-dir",
        path(&same),
        "--new-dir",
        path(&same),
        "--filter",
        "crash|t1$",
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("fake/add/crash failed on NEW"), "{stderr}");
    assert!(stderr.contains("panicked"), "{stderr}");
    let report = std::fs::read_to_string(out.join("bench-ab.md")).unwrap();
    assert!(
        report.contains("| `fake/add/crash` | – | – | – | – | 0 | FAILED: NEW"),
        "{report}"
    );

    // The other benchmark went on to its pairs.
    assert!(
        report.contains("| `fake/add/t1` | 100.0 | 100.0 | 1.000 |"),
        "{report}"
    );
}

#[test]
fn bad_input_exits_2_and_says_what_was_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let (same, other, out) = (
        dir.path().join("same"),
        dir.path().join("other"),
        dir.path().join("out"),
    );
    fake_bench(&same, "counters", 100.0, &["fake/add/crash"]);
    fake_bench(&other, "pools", 100.0, &[]);
    let run = |args: &[&str]| exit_and_stderr(&out, args);

    // A revision git does not know, named (the tests run inside the
    // project's repository).
    let (code, stderr) = run(&[
        "--against",
        "no-such-revision-a1b2c3",
        "--new-dir",
        path(&same),
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("`no-such-revision-a1b2c3` is not a revision"),
        "{stderr}"
    );

    // No benchmark common to both sides.
    let (code, stderr) = run(&["--base-dir", path(&same), "--new-dir", path(&other)]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no benchmark is common"), "{stderr}");

    // A bench neither side has.
    let (code, stderr) = run(&["--base-dir", path(&same), "--new-dir", path(&same), "fanin"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no bench named fanin"), "{stderr}");

    // Flags that could never decide anything; flags clap refuses.
    let (code, stderr) = run(&[
        "--base-dir",
        path(&same),
        "--new-dir",
        path(&same),
        "--max-pairs",
        "3",
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("can never decide"), "{stderr}");
    let (code, _) = run(&["--base-dir", path(&same), "--pairs", "many"]);
    assert_eq!(code, Some(2));
}

/// A criterion bench in plain Rust (no dependency, so it builds offline in
/// a second): lists `fake/add/t1` and writes 100 ns for it.
const RUST_FAKE_BENCH: &str = r#"fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        println!("fake/add/t1: benchmark");
        return;
    }
    let at = args.iter().position(|a| a == "--exact").expect("--exact ID");
    let id = &args[at + 1];
    let home = std::env::var("CRITERION_HOME").expect("CRITERION_HOME");
    let new = format!("{home}/{}/new", id.replace('/', "_"));
    std::fs::create_dir_all(&new).unwrap();
    std::fs::write(
        format!("{new}/benchmark.json"),
        format!("{{\"full_id\":\"{id}\",\"throughput\":null}}"),
    )
    .unwrap();
    std::fs::write(
        format!("{new}/estimates.json"),
        "{\"mean\":{\"point_estimate\":100.0,\"confidence_interval\":\
         {\"lower_bound\":99.0,\"upper_bound\":101.0}},\"slope\":null}",
    )
    .unwrap();
}
"#;

fn git(repo: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=bench-ab test",
            "-c",
            "user.email=test@example.invalid",
        ])
        .args(args)
        .current_dir(repo)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        text(&status.stderr)
    );
}

/// `--against REV` on a repository of its own (not the project's, whose
/// shared checkout in `target/ab/` other runs may be using): a package
/// named `contend-benches` with one bench. The revision is built and
/// kept, a second comparison reuses it, and a revision that does not
/// compile exits 2 with the compiler's reason.
#[test]
fn a_revision_is_built_once_reused_and_a_broken_one_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, new, out) = (
        dir.path().join("repo"),
        dir.path().join("new"),
        dir.path().join("out"),
    );
    std::fs::create_dir_all(repo.join("src")).unwrap();
    std::fs::create_dir_all(repo.join("benches")).unwrap();
    std::fs::write(
        repo.join("Cargo.toml"),
        "[package]\nname = \"contend-benches\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [workspace]\n\n[[bench]]\nname = \"fake\"\nharness = false\n",
    )
    .unwrap();
    std::fs::write(repo.join("src/lib.rs"), "").unwrap();
    std::fs::write(repo.join("benches/fake.rs"), RUST_FAKE_BENCH).unwrap();
    std::fs::write(repo.join(".gitignore"), "/target\n").unwrap();
    git(&repo, &["init", "--quiet"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "--quiet", "-m", "a bench"]);
    fake_bench(&new, "fake", 100.0, &[]);
    let against = |rev: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_bench-ab"))
            .args([
                "--against",
                rev,
                "--new-dir",
                path(&new),
                "--out",
                path(&out),
            ])
            .current_dir(&repo)
            .output()
            .unwrap();
        (
            output.status.code(),
            text(&output.stdout),
            text(&output.stderr),
        )
    };

    let (code, stdout, stderr) = against("HEAD");
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stderr.contains("BASE: built fake in"), "{stderr}");
    assert!(
        stdout
            .contains("| `fake/add/t1` | 100.0 | 100.0 | 1.000 | [1.000, 1.000] | 7 | unchanged |"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Only in NEW, not compared: `fake/add/t2`."),
        "{stdout}"
    );
    let kept = std::fs::read_dir(repo.join("target/ab/bench"))
        .unwrap()
        .count();
    assert_eq!(kept, 1);

    let (code, _, stderr) = against("HEAD");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("reusing its benches"), "{stderr}");

    std::fs::write(
        repo.join("benches/fake.rs"),
        "fn main() { let x: u32 = \"not a number\"; }\n",
    )
    .unwrap();
    git(&repo, &["commit", "--quiet", "-am", "a broken bench"]);
    let (code, _, stderr) = against("HEAD");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("BASE revision HEAD"), "{stderr}");
    assert!(stderr.contains("does not build"), "{stderr}");
    assert!(stderr.contains("mismatched types"), "{stderr}");
    // The revision before it is still kept.
    let (code, _, stderr) = against("HEAD~1");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("reusing its benches"), "{stderr}");
}

/// The `counters` bench of the working tree against itself: no
/// regression. Builds the bench (`cargo bench --no-run`, in this test's
/// target folder) and runs 4 benchmarks × 6 to 12 pairs: about 80 s on the
/// 2-core reference machine, hence ignored.
#[test]
#[ignore = "builds and runs the real counters bench (over a minute)"]
fn the_real_counters_bench_against_itself_is_no_regression() {
    let workspace = contend::ab::revision::Workspace::discover().unwrap();
    let side = contend_benches::paired::build::working_tree_side(
        &workspace,
        &["counters".into()],
        &|line| eprintln!("{line}"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (bin, out) = (dir.path().join("bin"), dir.path().join("out"));
    std::fs::create_dir_all(&bin).unwrap();
    let built: &PathBuf = &side.executables["counters"];
    std::fs::copy(built, bin.join("counters")).unwrap();
    let output = bench_ab(&[
        "--base-dir",
        path(&bin),
        "--new-dir",
        path(&bin),
        "--out",
        path(&out),
    ]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    eprintln!("{stderr}\n{stdout}");
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    let json = report_json(&out);
    let benchmarks = json["benchmarks"].as_array().unwrap();
    assert_eq!(benchmarks.len(), 4, "{stdout}");
    assert!(
        benchmarks.iter().all(|b| b["decision"] != "regression"),
        "{stdout}"
    );
}
