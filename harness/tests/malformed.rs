//! No input can bring the runner down: every malformed scenario file and
//! results file is refused with exit code 2, a message naming the file
//! (and the line, where there is one), and no panic.
//!
//! One table per command. A scenario case names the text on the line the
//! error must point at, so the expected line follows the file as written.

use std::path::Path;
use std::process::{Command, Output};

use contend::results::{ResultsDoc, SCHEMA_VERSION};

/// A bad input and where its error must point.
struct Case {
    /// Names the case and its file (`NAME.toml`, `NAME.json`).
    name: &'static str,
    /// The file's bytes.
    bytes: Vec<u8>,
    /// Text on the line the error must name (the first line holding it);
    /// `None`: no line to name, only the file.
    line_of: Option<&'static str>,
}

fn case(name: &'static str, text: impl Into<String>, line_of: Option<&'static str>) -> Case {
    Case {
        name,
        bytes: text.into().into_bytes(),
        line_of,
    }
}

const POOL_HEAD: &str = "[workload]\njobs = 10\narrival = { type = \"batch\" }\n\n";

/// A pool scenario of ten batch jobs with `strategies` as its tables.
fn pool(strategies: &str) -> String {
    format!("{POOL_HEAD}{strategies}\n")
}

/// A pool scenario of one `[[strategy]]` table with `body`.
fn one(body: &str) -> String {
    pool(&format!("[[strategy]]\n{body}"))
}

/// A pool scenario whose `[workload]` is `workload`, against `fixed`.
fn with_workload(workload: &str) -> String {
    format!("[workload]\n{workload}\n\n[[strategy]]\nname = \"fixed\"\n")
}

fn cache(workload: &str, strategy: &str) -> String {
    format!(
        "kind = \"cache\"\n[workload]\nduration = \"100ms\"\nkeys = 100\n{workload}\n\n[[strategy]]\n{strategy}\n"
    )
}

fn fanin(workload: &str, strategy: &str) -> String {
    format!("kind = \"fanin\"\n[workload]\n{workload}\n\n[[strategy]]\n{strategy}\n")
}

const HUGE: &str = "9223372036854775807";

fn scenario_cases() -> Vec<Case> {
    let huge_workers = format!("name = \"fixed\"\nworkers = {HUGE}");
    let explosion: Vec<String> = (1..=200).map(|n| n.to_string()).collect();
    let explosion = format!(
        "name = \"fixed\"\nworkers = [{}]\nqueue = [{}]",
        explosion.join(", "),
        explosion.join(", ")
    );
    vec![
        // Sizes this machine cannot give.
        case("huge_workers", one(&huge_workers), Some("workers")),
        case(
            "huge_workers_in_a_sweep",
            one(&format!("name = \"fixed\"\nworkers = [2, {HUGE}]")),
            Some("workers"),
        ),
        case(
            "huge_workers_on_tasks",
            one(&format!("name = \"tokio-semaphore\"\nworkers = {HUGE}")),
            Some("workers"),
        ),
        case(
            "huge_workers_on_an_adapter",
            one(&format!("name = \"rayon\"\nworkers = {HUGE}")),
            Some("workers"),
        ),
        case(
            "huge_multiple_of_cores",
            one(&format!("name = \"fixed\"\nworkers = \"{HUGE}*cores\"")),
            Some("workers"),
        ),
        case(
            "multiple_of_cores_beyond_any_number",
            one("name = \"fixed\"\nworkers = \"99999999999999999999999*cores\""),
            Some("workers"),
        ),
        case(
            "huge_queue",
            one("name = \"fixed\"\nqueue = 1000000000000"),
            Some("queue"),
        ),
        case(
            "queue_above_what_fixed_allocates",
            one("name = \"fixed\"\nqueue = 20000000"),
            Some("name"),
        ),
        case(
            "huge_jobs",
            with_workload(&format!("jobs = {HUGE}\narrival = {{ type = \"batch\" }}")),
            Some("jobs"),
        ),
        case(
            "job_memory_beyond_the_machine",
            with_workload(
                "jobs = 10\narrival = { type = \"batch\" }\nservice = { mean = \"1ms\", memory = \"1000000GiB\" }",
            ),
            Some("service"),
        ),
        case(
            "job_memory_beyond_any_size",
            with_workload(
                "jobs = 10\narrival = { type = \"batch\" }\nservice = { mean = \"1ms\", memory = \"1e30GiB\" }",
            ),
            Some("service"),
        ),
        case(
            "huge_readers",
            cache(&format!("readers = {HUGE}"), "name = \"mutex\""),
            Some("readers"),
        ),
        case(
            "huge_keys",
            format!(
                "kind = \"cache\"\n[workload]\nduration = \"100ms\"\nkeys = {HUGE}\n\n[[strategy]]\nname = \"mutex\"\n"
            ),
            Some("keys"),
        ),
        case(
            "huge_shards",
            cache("", &format!("name = \"sharded\"\nshards = {HUGE}")),
            Some("shards"),
        ),
        case(
            "huge_producers",
            fanin(&format!("producers = {HUGE}\nitems = 10"), "name = \"flume\""),
            Some("producers"),
        ),
        case(
            "huge_capacity",
            fanin(
                &format!("producers = 2\nitems = 10\ncapacity = {HUGE}"),
                "name = \"crossbeam\"",
            ),
            Some("capacity"),
        ),
        case(
            "fanin_books_beyond_memory",
            fanin(&format!("producers = 64\nitems = {HUGE}"), "name = \"flume\""),
            Some("producers"),
        ),
        case(
            "sweeps_beyond_any_run",
            one(&explosion),
            Some("name"),
        ),
        // Zero, negative, and wrong units.
        case("zero_workers", one("name = \"fixed\"\nworkers = 0"), Some("workers")),
        case("negative_workers", one("name = \"fixed\"\nworkers = -4"), Some("workers")),
        case("zero_queue", one("name = \"fixed\"\nqueue = 0"), Some("queue")),
        case(
            "negative_capacity",
            fanin("producers = 2\nitems = 10\ncapacity = -1", "name = \"flume\""),
            Some("capacity"),
        ),
        case(
            "zero_jobs",
            with_workload("jobs = 0\narrival = { type = \"batch\" }"),
            Some("jobs"),
        ),
        case(
            "zero_repetitions",
            format!("repetitions = 0\n{}", one("name = \"fixed\"")),
            Some("repetitions"),
        ),
        case(
            "negative_rate",
            with_workload("duration = \"1s\"\narrival = { type = \"open\", rate = -5.0 }"),
            Some("arrival"),
        ),
        case(
            "panic_rate_above_one",
            with_workload("jobs = 10\narrival = { type = \"batch\" }\npanic_rate = 1.5"),
            Some("panic_rate"),
        ),
        case(
            "duration_without_a_unit",
            format!("timeout = \"300\"\n{}", one("name = \"fixed\"")),
            Some("timeout"),
        ),
        case(
            "duration_in_parsecs",
            format!("timeout = \"5 parsecs\"\n{}", one("name = \"fixed\"")),
            Some("timeout"),
        ),
        case(
            "memory_limit_without_a_unit",
            format!("memory_limit = \"64\"\n{}", one("name = \"fixed\"")),
            Some("memory_limit"),
        ),
        case(
            "memory_limit_in_the_wrong_unit",
            format!("memory_limit = \"64 MiBs\"\n{}", one("name = \"fixed\"")),
            Some("memory_limit"),
        ),
        case(
            "negative_memory_limit",
            format!("memory_limit = \"-1MiB\"\n{}", one("name = \"fixed\"")),
            Some("memory_limit"),
        ),
        case(
            "memory_limit_below_a_page",
            format!("memory_limit = \"12B\"\n{}", one("name = \"fixed\"")),
            Some("memory_limit"),
        ),
        // Unknown keys and names, wrong types.
        case("unknown_strategy_key", one("name = \"fixed\"\nwrokers = 2"), Some("wrokers")),
        case(
            "unknown_top_level_key",
            format!("colour = \"red\"\n{}", one("name = \"fixed\"")),
            Some("colour"),
        ),
        case(
            "unknown_workload_key",
            with_workload("jobs = 10\narrival = { type = \"batch\" }\nspeed = 3"),
            Some("speed"),
        ),
        case("unknown_strategy", one("name = \"fixd\""), Some("fixd")),
        case(
            "unknown_policy",
            one("name = \"fixed\"\npolicy = \"drop-newest\""),
            Some("policy"),
        ),
        case(
            "unknown_kind",
            format!("kind = \"mailbox\"\n{}", one("name = \"fixed\"")),
            Some("kind"),
        ),
        case(
            "unknown_arrival",
            with_workload("jobs = 10\narrival = { type = \"trickle\" }"),
            Some("arrival"),
        ),
        case("workers_as_words", one("name = \"fixed\"\nworkers = \"many\""), Some("workers")),
        case("workers_as_a_fraction", one("name = \"fixed\"\nworkers = 2.5"), Some("workers")),
        case(
            "jobs_as_words",
            with_workload("jobs = \"ten\"\narrival = { type = \"batch\" }"),
            Some("jobs"),
        ),
        case("policy_as_a_number", one("name = \"fixed\"\npolicy = 3"), Some("policy")),
        case("empty_sweep", one("name = \"fixed\"\nworkers = []"), Some("workers")),
        case(
            "io_on_a_thread_strategy",
            one("name = \"fixed\"\nio = \"async\""),
            Some("io"),
        ),
        case("queue_on_an_adapter", one("name = \"rayon\"\nqueue = 10"), Some("queue")),
        case(
            "async_send_on_crossbeam",
            fanin("producers = 2\nitems = 10\nsend = \"async\"", "name = \"crossbeam\""),
            Some("name"),
        ),
        case(
            "quick_key_of_another_kind",
            format!("[quick]\nops = 5\n\n{}", one("name = \"fixed\"")),
            Some("ops"),
        ),
        // The same cell twice.
        case(
            "duplicate_cells",
            pool("[[strategy]]\nname = \"fixed\"\n\n[[strategy]]\nname=\"fixed\""),
            Some("name=\"fixed\""),
        ),
        // Gates.
        case(
            "gate_on_an_unknown_metric",
            format!("{}\n[[gate]]\ncheck = \"p98(fixed) < 5ms\"\n", one("name = \"fixed\"")),
            Some("check"),
        ),
        case(
            "gate_on_an_unknown_cell",
            format!("{}\n[[gate]]\ncheck = \"p99(nosuch) < 5ms\"\n", one("name = \"fixed\"")),
            Some("check"),
        ),
        case(
            "gate_without_an_operator",
            format!("{}\n[[gate]]\ncheck = \"p99(fixed) 5ms\"\n", one("name = \"fixed\"")),
            Some("check"),
        ),
        // Not a scenario at all.
        case("empty_file", "", None),
        case("no_strategy", POOL_HEAD, None),
        case("not_toml", "this is not toml\n", Some("this is not toml")),
        Case {
            name: "binary_garbage",
            bytes: b"\x00\x01PK\x03\x04\x7f\x00 = \x01\x02\n\x00".to_vec(),
            line_of: None,
        },
        Case {
            name: "invalid_utf8",
            bytes: b"name = \"\xff\xfe\"\n[workload]\njobs = 1\n".to_vec(),
            line_of: None,
        },
    ]
}

fn results_cases() -> Vec<Case> {
    let valid_empty = valid_doc();
    vec![
        case(
            "truncated",
            format!("{{\n  \"schema_version\": {SCHEMA_VERSION},\n  \"scenarios\": [\n    {{\"name\": \"io"),
            Some("\"name\""),
        ),
        case(
            "another_schema_version",
            "{\"schema_version\": 99, \"scenarios\": []}",
            Some("schema_version"),
        ),
        case("no_schema_version", "{\"scenarios\": []}", Some("scenarios")),
        case(
            "wrong_shape",
            format!("{{\"schema_version\": {SCHEMA_VERSION}, \"scenarios\": 5}}"),
            None,
        ),
        case(
            "wrong_shape_of_a_cell",
            format!(
                "{{\"schema_version\": {SCHEMA_VERSION}, \"scenarios\": [{{\"name\": \"x\", \"cells\": \"none\"}}]}}"
            ),
            None,
        ),
        case("an_array", "[1, 2, 3]", Some("[1, 2, 3]")),
        case("empty_results", "", None),
        case("a_scenario_file", one("name = \"fixed\""), None),
        Case {
            name: "binary_results",
            bytes: b"\x00\x01\x02\x03garbage\xff".to_vec(),
            line_of: None,
        },
        Case {
            name: "invalid_utf8_results",
            bytes: [valid_empty.as_bytes(), b"\xff"].concat(),
            line_of: None,
        },
    ]
}

/// A results file of no scenario, in this build's schema.
fn valid_doc() -> String {
    serde_json::to_string(&ResultsDoc::new(Vec::new())).unwrap()
}

fn contend(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_contend"))
        .args(args)
        // A panic would print its backtrace, and fail the check below.
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("the contend binary runs")
}

/// Checks that `output` is a clean refusal naming `file` (and the line of
/// `line_of` in `bytes`); returns what is wrong, if anything.
fn refusal(
    name: &str,
    output: &Output,
    file: &Path,
    bytes: &[u8],
    line_of: Option<&str>,
) -> Option<String> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let file_name = file.file_name().unwrap().to_string_lossy();
    let mut problems = Vec::new();
    if output.status.code() != Some(2) {
        problems.push(format!("exit {:?}, not 2", output.status.code()));
    }
    if stderr.contains("panicked at") || stderr.contains("RUST_BACKTRACE") {
        problems.push("a panic".to_owned());
    }
    if !stderr.contains(&*file_name) {
        problems.push(format!("no `{file_name}`"));
    }
    if let Some(marker) = line_of {
        let text = String::from_utf8_lossy(bytes);
        let line = text
            .lines()
            .position(|line| line.contains(marker))
            .unwrap_or_else(|| panic!("{name}: no line holds `{marker}`"))
            + 1;
        let at = format!("{file_name}:{line}:");
        if !stderr.contains(&at) {
            problems.push(format!("no `{at}`"));
        }
    }
    (!problems.is_empty()).then(|| format!("{name}: {}\n  stderr: {stderr}", problems.join(", ")))
}

#[test]
fn every_malformed_scenario_file_is_refused_with_its_file_and_line() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    let cases = scenario_cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let file = temp.path().join(format!("{}.toml", case.name));
        std::fs::write(&file, &case.bytes).unwrap();
        let output = contend(&[
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        failures.extend(refusal(
            case.name,
            &output,
            &file,
            &case.bytes,
            case.line_of,
        ));
    }
    assert!(!out.exists(), "a refused file ran something");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_malformed_results_file_is_refused_by_compare_with_its_file() {
    let temp = tempfile::tempdir().unwrap();
    let valid = temp.path().join("valid.json");
    std::fs::write(&valid, valid_doc()).unwrap();
    let mut failures = Vec::new();
    for case in results_cases() {
        let file = temp.path().join(format!("{}.json", case.name));
        std::fs::write(&file, &case.bytes).unwrap();
        // As the new side, and as the base.
        for args in [
            [valid.as_path(), file.as_path()],
            [file.as_path(), valid.as_path()],
        ] {
            let [base, new] = args.map(|p| p.to_str().unwrap());
            let output = contend(&["compare", base, new]);
            failures.extend(refusal(
                case.name,
                &output,
                &file,
                &case.bytes,
                case.line_of,
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_missing_file_or_a_folder_without_results_is_refused_by_name() {
    let temp = tempfile::tempdir().unwrap();
    let empty = temp.path().join("no-runs-here");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(empty.join("notes.txt"), "not results").unwrap();
    let missing = temp.path().join("missing.json");
    let valid = temp.path().join("valid.json");
    std::fs::write(&valid, valid_doc()).unwrap();
    let missing_scenario = temp.path().join("missing.toml");
    let out = temp.path().join("out");
    let runs = [
        (
            "folder_without_results",
            vec!["compare", empty.to_str().unwrap(), valid.to_str().unwrap()],
            &empty,
        ),
        (
            "missing_results",
            vec![
                "compare",
                valid.to_str().unwrap(),
                missing.to_str().unwrap(),
            ],
            &missing,
        ),
        (
            "missing_scenario",
            vec![
                "run",
                missing_scenario.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            &missing_scenario,
        ),
    ];
    let mut failures = Vec::new();
    for (name, args, file) in runs {
        let output = contend(&args);
        failures.extend(refusal(name, &output, file, b"", None));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_unknown_compare_metric_is_bad_usage() {
    let temp = tempfile::tempdir().unwrap();
    let valid = temp.path().join("valid.json");
    std::fs::write(&valid, valid_doc()).unwrap();
    let path = valid.to_str().unwrap();
    let output = contend(&["compare", path, path, "--metric", "p98"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--metric p98") && !stderr.contains("panicked at"),
        "{stderr}"
    );
}

#[test]
fn help_says_what_exit_code_2_means() {
    for command in ["run", "compare"] {
        let output = contend(&[command, "--help"]);
        assert!(output.status.success());
        let help = String::from_utf8_lossy(&output.stdout);
        let line = help
            .lines()
            .find(|line| line.trim_start().starts_with("2 "))
            .unwrap_or_else(|| panic!("`{command} --help` has no exit code 2:\n{help}"));
        assert!(line.contains("bad input"), "{command}: {line}");
    }
}
