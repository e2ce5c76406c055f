//! `bench-ab`: the criterion benches of two revisions measured side by
//! side, pair by pair (see `contend_benches::paired` and the README's
//! "Paired runs of two revisions").
//!
//! Writes `<out>/bench-ab.md` (the table, also printed) and
//! `<out>/bench-ab.json` (every pair's times). Progress goes to stderr, a
//! line per benchmark per pair. Exit 0 when no benchmark is a
//! regression, 1 when one is (or NEW fails to run one: that benchmark
//! stops, the others go on), 2 on bad input: unknown flags or revision, a
//! side that does not build, no benchmark common to both sides; 130 on
//! Ctrl-C, after reporting what was measured.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::Parser;
use contend_benches::paired::{self, args::Args, report::Report};

fn write(args: &Args, report: &Report) -> Result<(), String> {
    let markdown = report.markdown();
    let json = serde_json::to_string_pretty(report).expect("a report serialises") + "\n";
    for (name, text) in [("bench-ab.md", &markdown), ("bench-ab.json", &json)] {
        let path = args.out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    println!("{markdown}");
    eprintln!(
        "wrote {} and bench-ab.json",
        args.out.join("bench-ab.md").display()
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    let say = |line: &str| eprintln!("{line}");
    // The first Ctrl-C lets the current run finish and reports what was
    // measured; a second quits at once.
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let handler = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::Relaxed) {
            std::process::exit(130);
        }
        eprintln!(
            "\nstopping: finishing the current run, then reporting (Ctrl-C again to quit now)"
        );
    });
    if let Err(error) = handler {
        eprintln!("bench-ab: cannot install the Ctrl-C handler: {error}");
        return ExitCode::from(2);
    }
    let outcome = std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))
        .and_then(|()| paired::run(&args, &stop, &say))
        .and_then(|report| write(&args, &report).map(|()| report));
    match outcome {
        Ok(report) if report.interrupted => ExitCode::from(130),
        Ok(report) if report.regressions() > 0 => {
            eprintln!(
                "bench-ab: {} benchmark(s) slower beyond {}% or failing on NEW",
                report.regressions(),
                report.settings.threshold * 100.0
            );
            ExitCode::from(1)
        }
        Ok(_) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench-ab: {message}");
            ExitCode::from(2)
        }
    }
}
