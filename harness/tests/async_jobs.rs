//! Async work measured as async: the tokio strategies get futures (a sleep
//! awaits tokio's timer, the downstream has an async path), `io =
//! "blocking"` runs the anti-pattern on purpose, and fan-in producers can
//! be tasks. Every assertion counts jobs, threads or books; none reads a
//! time.

mod common;

use common::{contend, only_run_folder, run_into, stderr, write_scenario};

use contend::results::{CellResult, ResultsDoc, Status};

/// Runs `text` into a temporary folder and returns its results.
fn run(name: &str, text: &str) -> ResultsDoc {
    let temp = tempfile::tempdir().unwrap();
    let file = write_scenario(temp.path(), &format!("{name}.toml"), text);
    let out = temp.path().join("runs");
    let output = run_into(&file, &out, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let run = only_run_folder(&out);
    let json = std::fs::read_to_string(run.join("results.json")).unwrap();
    serde_json::from_str(&json).expect("results.json parses")
}

fn cell<'a>(doc: &'a ResultsDoc, label: &str) -> &'a CellResult {
    let cells = &doc.scenarios[0].cells;
    cells
        .iter()
        .find(|cell| cell.label == label)
        .unwrap_or_else(|| {
            panic!(
                "no cell `{label}` in {:?}",
                cells.iter().map(|c| &c.label).collect::<Vec<_>>()
            )
        })
}

fn cores() -> u64 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u64)
}

#[test]
fn a_tokio_strategy_awaits_its_io_and_blocking_io_caps_it_at_the_runtime_threads() {
    let doc = run(
        "io-modes",
        r#"
[workload]
jobs = 300
arrival = { type = "batch" }
service = { type = "sleep", mean = "5ms" }

[[strategy]]
name = "tokio-semaphore"
workers = 100
io = ["async", "blocking"]

[[strategy]]
name = "tokio-multiplex"
workers = 100

[[strategy]]
name = "fixed"
workers = 100
"#,
    );
    for label in [
        "tokio-semaphore io=async",
        "tokio-semaphore io=blocking",
        "tokio-multiplex",
        "fixed",
    ] {
        let cell = cell(&doc, label);
        assert_eq!(cell.status(), &Status::Ok, "{label}");
        assert_eq!(
            cell.merged.summaries[&contend::record::Metric::EndToEnd].count,
            300,
            "{label}"
        );
    }
    // Awaiting the timer, 100 jobs wait at once on the runtime's few
    // threads; blocking it, no more jobs run than the runtime has threads.
    let asynchronous = cell(&doc, "tokio-semaphore io=async");
    let blocking = cell(&doc, "tokio-semaphore io=blocking");
    assert!(
        asynchronous.merged.peak_concurrency > 4 * cores(),
        "{:?}",
        asynchronous.merged
    );
    assert!(
        blocking.merged.peak_concurrency <= cores(),
        "{:?}",
        blocking.merged
    );
    assert!(cell(&doc, "tokio-multiplex").merged.peak_concurrency > 4 * cores());
    // A hundred waiting threads against a runtime of `cores` threads.
    let fixed = cell(&doc, "fixed");
    assert!(fixed.merged.peak_threads >= 100, "{:?}", fixed.merged);
    assert!(
        asynchronous.merged.peak_threads < 100 / 2,
        "{:?}",
        asynchronous.merged
    );
}

#[test]
fn async_jobs_in_an_open_loop_are_timed_from_their_schedule_and_balance_their_books() {
    let doc = run(
        "open-async",
        r#"
[workload]
jobs = 400
arrival = { type = "open", rate = 4000 }
service = { type = "sleep", mean = "2ms" }
panic_rate = 0.05
cancel_rate = 0.05

[[strategy]]
name = "tokio-workers"
workers = 8
queue = 16
policy = "discard-oldest"

[[strategy]]
name = "tokio-raw"
workers = 8
policy = "fail-fast"
"#,
    );
    for cell in &doc.scenarios[0].cells {
        assert_eq!(cell.status(), &Status::Ok, "{}", cell.label);
        let summaries = &cell.merged.summaries;
        use contend::record::Metric;
        assert_eq!(summaries[&Metric::Lateness].count, 400, "{}", cell.label);
        let books = cell.repetitions[0].books.ledger.clone();
        let settled = ["completed", "discarded", "cancelled", "handed_back"]
            .iter()
            .map(|key| books[key].as_u64().unwrap())
            .sum::<u64>()
            + books["rejected"]
                .as_object()
                .unwrap()
                .values()
                .map(|n| n.as_u64().unwrap())
                .sum::<u64>();
        assert_eq!(books["submitted"], 400, "{}", cell.label);
        assert_eq!(settled, 400, "{}: {books}", cell.label);
        assert_eq!(
            summaries[&Metric::EndToEnd].count,
            books["completed"].as_u64().unwrap()
        );
        assert!(
            books["panicked"].as_u64().unwrap() > 0,
            "{}: {books}",
            cell.label
        );
    }
}

#[test]
fn the_async_downstream_times_out_an_unbounded_spawn_and_never_a_bounded_one() {
    let doc = run(
        "async-downstream",
        r#"
[workload]
jobs = 300
arrival = { type = "batch" }
downstream = { connections = 5, latency = "10ms", overload_growth = 1.0, timeout = "40ms" }

[[strategy]]
name = "tokio-spawn"

[[strategy]]
name = "tokio-semaphore"
workers = 5
"#,
    );
    let unbounded = cell(&doc, "tokio-spawn");
    let bounded = cell(&doc, "tokio-semaphore");
    assert!(
        unbounded.merged.timeouts.mean > 100.0,
        "{:?}",
        unbounded.merged
    );
    assert_eq!(bounded.merged.timeouts.mean, 0.0, "{:?}", bounded.merged);
    assert!(unbounded.merged.peak_concurrency > 5 * 10);
}

#[test]
fn fanin_producers_can_be_tasks_awaiting_each_send() {
    let doc = run(
        "fanin-tasks",
        r#"
kind = "fanin"

[workload]
producers = 32
items = 2000
capacity = 8

[[strategy]]
name = "tokio-mpsc"
send = ["blocking", "async"]
"#,
    );
    let threads = cell(&doc, "tokio-mpsc send=blocking");
    let tasks = cell(&doc, "tokio-mpsc send=async");
    for cell in [threads, tasks] {
        assert_eq!(cell.status(), &Status::Ok, "{}", cell.label);
        let books = cell.repetitions[0].books.ledger.clone();
        assert_eq!(books["received"], 32 * 2000, "{}", cell.label);
        assert_eq!(books["sends_recorded"], 32 * 2000, "{}", cell.label);
    }
    assert!(threads.merged.peak_threads >= 32);
    assert!(tasks.merged.peak_threads < 32, "{:?}", tasks.merged);
}

#[test]
fn io_and_send_are_refused_where_they_cannot_apply() {
    let temp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[workload]\njobs = 1\narrival = { type = \"batch\" }\n\n[[strategy]]\nname = \"fixed\"\nio = \"async\"\n",
            ":7:6: `io` applies only to the strategies on tokio tasks",
        ),
        (
            "[workload]\njobs = 1\narrival = { type = \"batch\" }\n\n[[strategy]]\nname = \"tokio-workers\"\nio = \"sideways\"\n",
            ":7:6: unknown io `sideways`; allowed: async, blocking",
        ),
        (
            "kind = \"fanin\"\n[workload]\nproducers = 1\nitems = 1\nsend = \"async\"\n\n[[strategy]]\nname = \"crossbeam\"\n",
            "only `tokio-mpsc` has them",
        ),
    ];
    for (index, (text, expected)) in cases.iter().enumerate() {
        let file = write_scenario(temp.path(), &format!("bad{index}.toml"), text);
        let output = contend(&[
            "run",
            file.to_str().unwrap(),
            "--out",
            temp.path().join("out").to_str().unwrap(),
        ]);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{message}");
        assert!(message.contains(expected), "{expected}\n{message}");
        assert!(message.contains(&format!("bad{index}.toml")), "{message}");
    }
}
