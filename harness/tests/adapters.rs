//! The adapters around rayon, threadpool and tokio's blocking pool: their
//! books in process (drain, panics, cancels, abort, submit after
//! shutdown), and end to end in a scenario run, where they are refused
//! the overload parameters they cannot honour. No assertion depends on
//! how fast the machine is.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use common::{contend, only_run_folder, results_json, run_into, stderr, write_scenario};
use contend::catalog::Catalog;
use contend_strategies::pool::{
    CancelToken, Executor, Job, PoolConfig, RejectReason, ShutdownMode,
};

const ADAPTERS: [&str; 3] = ["rayon", "threadpool", "tokio-spawn-blocking"];

fn build(name: &str, workers: usize) -> Box<dyn Executor> {
    Catalog::standard()
        .build(name, PoolConfig::new(workers))
        .unwrap_or_else(|error| panic!("{name}: {error}"))
}

/// Silences the panics these tests raise on purpose.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        if info.payload().downcast_ref::<&str>() != Some(&"on purpose") {
            eprintln!("{info}");
        }
    }));
}

#[test]
fn a_drain_runs_every_accepted_job_and_counts_the_panics() {
    quiet_panics();
    for name in ADAPTERS {
        let executor = build(name, 2);
        let ran = Arc::new(AtomicUsize::new(0));
        for i in 0..100 {
            let ran = Arc::clone(&ran);
            executor
                .submit(Job::new(move || {
                    ran.fetch_add(1, Ordering::Relaxed);
                    if i % 10 == 0 {
                        panic!("on purpose");
                    }
                }))
                .unwrap_or_else(|_| panic!("{name} refused a job"));
        }
        let report = executor.shutdown(ShutdownMode::DRAIN);
        assert_eq!(report.completed, 100, "{name}");
        assert!(report.handed_back.is_empty(), "{name}");
        assert_eq!(report.still_running, 0, "{name}");
        assert_eq!(ran.load(Ordering::Relaxed), 100, "{name}");
        let stats = executor.stats();
        assert_eq!(
            (stats.submitted, stats.completed, stats.panicked),
            (100, 100, 10),
            "{name}: {stats:?}"
        );
        assert_eq!((stats.queued, stats.running), (0, 0), "{name}");
        assert_eq!(stats.unaccounted(), 0, "{name}: {stats:?}");
    }
}

#[test]
fn a_job_cancelled_before_it_starts_is_skipped_and_counted() {
    for name in ADAPTERS {
        let executor = build(name, 1);
        let token = CancelToken::new();
        token.cancel();
        let ran = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&ran);
        executor
            .submit(
                Job::new(move || {
                    counter.fetch_add(1, Ordering::Relaxed);
                })
                .with_cancel(token),
            )
            .unwrap();
        executor.shutdown(ShutdownMode::DRAIN);
        let stats = executor.stats();
        assert_eq!((stats.cancelled, stats.completed), (1, 0), "{name}");
        assert_eq!(ran.load(Ordering::Relaxed), 0, "{name}");
        assert_eq!(stats.unaccounted(), 0, "{name}: {stats:?}");
    }
}

#[test]
fn a_submit_after_shutdown_is_rejected_as_closed_with_the_job_inside() {
    for name in ADAPTERS {
        let executor = build(name, 2);
        executor.shutdown(ShutdownMode::DRAIN);
        let ran = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&ran);
        let rejected = executor
            .submit(Job::new(move || {
                counter.fetch_add(1, Ordering::Relaxed);
            }))
            .expect_err("a shut-down executor refuses");
        assert_eq!(rejected.reason(), RejectReason::Closed, "{name}");
        rejected.into_job().run();
        assert_eq!(ran.load(Ordering::Relaxed), 1, "{name}: the job came back");
        let stats = executor.stats();
        assert_eq!(stats.rejected.closed, 1, "{name}");
        assert_eq!(stats.unaccounted(), 0, "{name}: {stats:?}");
        // Shutdown is idempotent.
        assert_eq!(executor.shutdown(ShutdownMode::Abort).completed, 0);
    }
}

/// A latch the blocking jobs wait on.
#[derive(Default)]
struct Latch {
    open: Mutex<bool>,
    opened: Condvar,
}

impl Latch {
    fn wait(&self) {
        let mut open = self.open.lock().unwrap();
        while !*open {
            open = self.opened.wait(open).unwrap();
        }
    }

    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }
}

#[test]
fn an_abort_hands_back_every_job_the_library_had_not_started() {
    for name in ADAPTERS {
        let executor: Arc<dyn Executor> = Arc::from(build(name, 2));
        let latch = Arc::new(Latch::default());
        for _ in 0..2 {
            let latch = Arc::clone(&latch);
            executor.submit(Job::new(move || latch.wait())).unwrap();
        }
        while executor.stats().running < 2 {
            std::thread::sleep(Duration::from_millis(1));
        }
        let queued_ran = Arc::new(AtomicUsize::new(0));
        for _ in 0..5 {
            let ran = Arc::clone(&queued_ran);
            executor
                .submit(Job::new(move || {
                    ran.fetch_add(1, Ordering::Relaxed);
                }))
                .unwrap();
        }
        assert_eq!(executor.stats().queued, 5, "{name}");
        let aborting = Arc::clone(&executor);
        let abort = std::thread::spawn(move || aborting.shutdown(ShutdownMode::Abort));
        // Once a submit is refused as closed, the abort has begun (it
        // raises its flag before it closes): let the running jobs end.
        let mut accepted_probes = 0;
        loop {
            match executor.submit(Job::new(|| {})) {
                Err(rejected) if rejected.reason() == RejectReason::Closed => break,
                Err(rejected) => panic!("{name}: {rejected}"),
                Ok(_) => {
                    accepted_probes += 1;
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        }
        latch.open();
        let report = abort.join().unwrap();
        // The five, and any probe accepted before the close: all queued.
        let unstarted = 5 + accepted_probes;
        assert_eq!(report.handed_back.len(), unstarted, "{name}: {report:?}");
        assert_eq!(report.still_running, 0, "{name}");
        assert_eq!(queued_ran.load(Ordering::Relaxed), 0, "{name}");
        let stats = executor.stats();
        assert_eq!(stats.handed_back, unstarted, "{name}: {stats:?}");
        assert_eq!(stats.rejected.closed, 1, "{name}");
        assert_eq!(stats.completed, 2, "{name}: only the two running jobs ran");
        assert_eq!(stats.submitted, 2 + unstarted + 1, "{name}");
        assert_eq!(stats.queued, 0, "{name}");
        assert_eq!(stats.unaccounted(), 0, "{name}: {stats:?}");
        for job in report.handed_back {
            job.run();
        }
        assert_eq!(
            queued_ran.load(Ordering::Relaxed),
            5,
            "{name}: real jobs came back"
        );
    }
}

#[test]
fn zero_workers_is_refused_by_every_adapter() {
    for name in ADAPTERS {
        let error = Catalog::standard()
            .build(name, PoolConfig::new(0))
            .err()
            .unwrap();
        assert!(
            error.contains("workers must be at least 1"),
            "{name}: {error}"
        );
    }
}

const LIBRARIES: &str = r#"
name = "libraries"
description = "the adapters on a tiny batch"
repetitions = 1

[workload]
jobs = 300
arrival = { type = "batch" }
service = { type = "spin", mean = "20us" }
panic_rate = 0.05
cancel_rate = 0.05

[[strategy]]
name = "fixed"
workers = 2

[[strategy]]
name = "rayon"
workers = 2

[[strategy]]
name = "threadpool"
workers = 2

[[strategy]]
name = "tokio-spawn-blocking"
workers = 2

[[gate]]
check = "lost(*) == 0"
"#;

#[test]
fn every_adapter_runs_a_pool_scenario_with_balanced_books() {
    let temp = tempfile::tempdir().unwrap();
    let file = write_scenario(temp.path(), "libraries.toml", LIBRARIES);
    let out = temp.path().join("runs");
    let output = run_into(&file, &out, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let results = results_json(&only_run_folder(&out));
    let cells = results["scenarios"][0]["cells"].as_array().unwrap();
    let strategies: Vec<_> = cells
        .iter()
        .map(|c| c["strategy"].as_str().unwrap())
        .collect();
    assert_eq!(
        strategies,
        ["fixed", "rayon", "threadpool", "tokio-spawn-blocking"]
    );
    for cell in cells {
        let rep = &cell["repetitions"][0];
        let books = &rep["books"]["ledger"];
        let n = |key: &str| books[key].as_u64().unwrap();
        assert_eq!(rep["status"]["state"], "ok", "{rep}");
        assert_eq!(n("submitted"), 300, "{books}");
        assert_eq!(n("completed") + n("cancelled"), 300, "{books}");
        assert_eq!(n("pool_submitted"), 300, "{books}");
        assert_eq!(n("pool_completed"), n("completed"), "{books}");
        assert!(n("panicked") > 0, "{books}");
        assert_eq!((n("handed_back"), n("duplicates")), (0, 0), "{books}");
        assert_eq!(books["pool_unaccounted"], 0, "{books}");
    }
    assert_eq!(results["scenarios"][0]["gates"][0]["passed"], true);
}

#[test]
fn filter_keeps_only_the_named_adapter() {
    let temp = tempfile::tempdir().unwrap();
    let file = write_scenario(temp.path(), "libraries.toml", LIBRARIES);
    let out = temp.path().join("runs");
    let output = run_into(&file, &out, &["--quick", "--filter", "threadpool"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let results = results_json(&only_run_folder(&out));
    let cells = results["scenarios"][0]["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 1);
    assert_eq!(cells[0]["strategy"], "threadpool");
}

#[test]
fn an_overload_parameter_on_an_adapter_is_refused_with_its_file_and_line() {
    for (name, setting) in [
        ("rayon", "policy = \"fail-fast\""),
        ("threadpool", "queue = 64"),
        ("tokio-spawn-blocking", "block_timeout = \"5ms\""),
        ("rayon", "max_blocked_submitters = 2"),
    ] {
        let temp = tempfile::tempdir().unwrap();
        let text = format!(
            "name = \"refused\"\n\
             [workload]\n\
             jobs = 10\n\
             arrival = {{ type = \"batch\" }}\n\
             service = {{ type = \"spin\", mean = \"1us\" }}\n\
             \n\
             [[strategy]]\n\
             name = \"{name}\"\n\
             workers = 2\n\
             {setting}\n"
        );
        let file = write_scenario(temp.path(), "refused.toml", &text);
        let out = temp.path().join("runs");
        let output = run_into(&file, &out, &[]);
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
        let said = stderr(&output);
        let key = setting.split_whitespace().next().unwrap();
        assert!(
            said.contains(&format!("{}:10:", file.display())),
            "{name}: no file:line in {said}"
        );
        assert!(
            said.contains(&format!(
                "`{key}` does not apply to `{name}`: it is unbounded"
            )),
            "{name}: {said}"
        );
        assert!(
            said.contains("fixed"),
            "names the strategies that take it: {said}"
        );
        assert!(!out.exists(), "nothing ran");
    }
}

#[test]
fn list_tags_the_adapters_as_unbounded() {
    let output = contend(&["list"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for name in ADAPTERS {
        let line = text
            .lines()
            .find(|line| line.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no line for {name} in:\n{text}"));
        assert!(
            line.contains("[adapter, unbounded: no overload policy]"),
            "{line}"
        );
    }
}
