//! `bench-ab`: the criterion benches of two revisions measured side by
//! side, pair by pair.
//!
//! `bench-report` compares this run's ratios with a table committed on
//! another day, on a machine that was busy differently. Here BASE (a git
//! revision, built once and kept) and NEW (the working tree) run each
//! benchmark back to back, in processes of their own, several times; a
//! burst of load from elsewhere slows both runs of a pair alike and
//! cancels out of their ratio NEW/BASE (time per element: above 1 is
//! slower). The median of those ratios and its sign-test interval
//! (`contend::ab::stats`, the statistics `contend ab` uses for the load
//! tests) decide, against a threshold, whether NEW is a regression, an
//! improvement, unchanged, or undecided.
//!
//! - [`args`]: the command line, and the settings it stands for;
//! - [`build`]: each side's bench executables (a folder of them, the
//!   working tree built by cargo, or a revision built in
//!   `target/ab/build` and kept by source key);
//! - [`listing`]: the benchmarks each executable has, and which both
//!   sides have;
//! - [`schedule`]: the order of the runs (pairs round-robin over the
//!   benchmarks, BASE first in even pairs and NEW first in odd ones,
//!   more pairs only where undecided);
//! - [`measure`]: one criterion run of one benchmark, and its time per
//!   element;
//! - [`report`]: the Markdown table and the JSON of a comparison.

pub mod args;
pub mod build;
pub mod listing;
pub mod measure;
pub mod report;
pub mod schedule;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use contend::ab::revision::Workspace;

use self::args::{Args, Settings};
use self::build::Executables;
use self::listing::{Benchmark, Matched};
use self::measure::Runner;
use self::report::{Compared, Report};
use self::schedule::{Role, Tally};

/// One side of the comparison: what it is, and its bench executables.
#[derive(Clone, Debug)]
pub struct Side {
    /// `BASE` or `NEW`.
    pub role: Role,
    /// What it is, for the report: `revision main (1a2b3c4d5e6f)`,
    /// `folder …`, `working tree`.
    pub describe: String,
    /// Its bench executables, by bench name.
    pub executables: Executables,
}

/// Runs the whole comparison `args` asks for; `say` reports progress (on
/// stderr, in the binary). Any error is bad input or a side that cannot
/// run (exit 2).
pub fn run(args: &Args, stop: &AtomicBool, say: &dyn Fn(&str)) -> Result<Report, String> {
    // The flags are checked before anything is built; the settings are
    // fixed once the benchmarks are counted.
    args.settings()?;
    let started = Instant::now();
    // The git repository is needed only to build a side.
    let workspace = || Workspace::discover().map_err(|e| e.to_string());
    let base = match (&args.against, &args.base_dir) {
        (Some(spec), _) => build::revision_side(&workspace()?, spec, &args.benches, say)?,
        (None, Some(dir)) => build::folder_side(Role::Base, dir)?,
        (None, None) => return Err("give BASE: --against REV or --base-dir DIR".into()),
    };
    let new = match &args.new_dir {
        Some(dir) => build::folder_side(Role::New, dir)?,
        None => build::working_tree_side(&workspace()?, &args.benches, say)?,
    };
    let Matched {
        common: benchmarks,
        only_base,
        only_new,
    } = common_benchmarks(&base, &new, args)?;
    for id in &only_base {
        say(&format!("only in BASE, not compared: {id}"));
    }
    for id in &only_new {
        say(&format!("only in NEW, not compared: {id}"));
    }
    if benchmarks.is_empty() {
        return Err(format!(
            "no benchmark is common to BASE ({}) and NEW ({}){}",
            base.describe,
            new.describe,
            args.filter
                .as_deref()
                .map(|f| format!(" and matches --filter `{f}`"))
                .unwrap_or_default()
        ));
    }
    let settings = args.settings_for(benchmarks.len())?;
    say(&format!(
        "{} benchmarks, {} pairs each ({} at most), each interval at {:.3}% so that the whole \
         comparison keeps {:.0}%, BASE: {}, NEW: {}",
        benchmarks.len(),
        settings.pairs,
        settings.max_pairs,
        settings.interval_confidence * 100.0,
        settings.confidence * 100.0,
        base.describe,
        new.describe
    ));
    let runner = Runner::new(&args.out, &settings);
    let tallies = schedule::run_rounds(
        &benchmarks,
        &settings,
        stop,
        |benchmark: &Benchmark, role| {
            let side = match role {
                Role::Base => &base,
                Role::New => &new,
            };
            runner.run(role, &side.executables[&benchmark.bench], &benchmark.id)
        },
        |benchmark, tally| say(&look_line(benchmark, tally, &settings)),
    );
    for (benchmark, tally) in benchmarks.iter().zip(&tallies) {
        if let Some((role, why)) = &tally.failure {
            say(&format!(
                "{} failed on {}; it stops: {why}",
                benchmark.id,
                role.label()
            ));
        }
    }
    let compared = benchmarks
        .iter()
        .zip(&tallies)
        .map(|(benchmark, tally)| Compared::new(benchmark, tally, &settings))
        .collect();
    Ok(Report {
        base: base.describe,
        new: new.describe,
        settings,
        benchmarks: compared,
        only_base,
        only_new,
        seconds: started.elapsed().as_secs_f64(),
        interrupted: stop.load(Ordering::Relaxed),
    })
}

/// The benchmarks both sides have (among the bench files chosen, matching
/// the filter), and what only one side has: `bench <file>` for a whole
/// bench file, the id for a benchmark.
fn common_benchmarks(base: &Side, new: &Side, args: &Args) -> Result<Matched<Benchmark>, String> {
    let files = listing::match_files(&base.executables, &new.executables, &args.benches)?;
    let whole = |files: &[String]| files.iter().map(|f| format!("bench {f}")).collect();
    let mut matched = Matched {
        common: Vec::new(),
        only_base: whole(&files.only_base),
        only_new: whole(&files.only_new),
    };
    for file in &files.common {
        let list = |side: &Side| {
            listing::list(&side.executables[file], args.filter.as_deref())
                .map_err(|e| format!("{} {file}: {e}", side.role.label()))
        };
        let listed = listing::match_ids(file, &list(base)?, &list(new)?);
        matched.common.extend(listed.common);
        matched.only_base.extend(listed.only_base);
        matched.only_new.extend(listed.only_new);
    }
    Ok(matched)
}

/// The line printed after each pair of one benchmark: the pair's two
/// times and ratio, then what the pairs so far say.
fn look_line(benchmark: &Benchmark, tally: &Tally, settings: &Settings) -> String {
    let pairs = tally.pairs();
    let (base, new) = tally.last().expect("a look follows a pair");
    let verdict = if pairs < settings.pairs {
        format!("{pairs} of {} pairs", settings.pairs)
    } else {
        let interval = tally
            .interval(settings.interval_confidence)
            .expect("pairs were run");
        format!(
            "median {:.3} {} over {pairs} pairs: {}",
            interval.median,
            report::interval_text(&interval),
            tally.decision(settings).word()
        )
    };
    format!(
        "pair {pairs:>2} {}: BASE {} NEW {} ns/element, ratio {:.3}; {verdict}",
        benchmark.id,
        report::ns(base),
        report::ns(new),
        new / base
    )
}
