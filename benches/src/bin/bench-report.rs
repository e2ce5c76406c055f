//! `bench-report`: the ratio table of the last `cargo bench` run, and how
//! it moved since the committed one.
//!
//! Reads criterion's estimates, divides each target's benchmark by its
//! anchor (`benches/targets.toml`), prints the table, and compares it with
//! the last committed ratios (`benches/ratios.json`). Exit code 0 when no
//! ratio got worse beyond both the threshold and the noise, 1 when one
//! did, 2 on bad input. `--save` rewrites the committed ratios and the
//! table in `benches/README.md` (between its `ratios` markers).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use contend_benches::ratios::{self, Ratio};
use contend_benches::{confirm, estimates, targets};

#[derive(Parser)]
#[command(about, long_about = None)]
struct Args {
    /// Criterion's output folder.
    #[arg(long, default_value = "target/criterion")]
    criterion: PathBuf,
    /// The ratio targets.
    #[arg(long, default_value = "benches/targets.toml")]
    targets: PathBuf,
    /// The last committed ratios to compare with.
    #[arg(long, default_value = "benches/ratios.json")]
    baseline: PathBuf,
    /// A ratio moving by less than this fraction is never flagged.
    #[arg(long, default_value_t = 0.10)]
    threshold: f64,
    /// Write the ratios to `--baseline` and the table into `--readme`.
    #[arg(long)]
    save: bool,
    /// The README whose table `--save` replaces.
    #[arg(long, default_value = "benches/README.md")]
    readme: PathBuf,
    /// Print only what to measure again before reporting: for each bench
    /// file with a missed or regressed target, a line `<file><TAB><filter>`
    /// (the criterion filter of those targets' benchmarks and anchors).
    /// `scripts/bench-report` uses it to confirm a failure.
    #[arg(long, conflicts_with = "save")]
    confirm_list: bool,
}

const BEGIN: &str = "<!-- ratios:begin -->";
const END: &str = "<!-- ratios:end -->";

fn run(args: &Args) -> Result<bool, String> {
    let targets = targets::read(&args.targets)?;
    let estimates = estimates::read_all(&args.criterion)?;
    let (ratios, missing) = ratios::compute(&targets, &estimates);
    for id in &missing {
        eprintln!("not measured in this run: {id}");
    }
    let before = read_baseline(&args.baseline)?;
    let changes = before
        .as_deref()
        .map(|before| ratios::compare(before, &ratios, args.threshold));
    if args.confirm_list {
        for (file, filter) in confirm::filters(&targets, &ratios, changes.as_deref().unwrap_or(&[]))
        {
            println!("{file}\t{filter}");
        }
        return Ok(false);
    }
    let table = ratios::markdown(&ratios);
    println!("{table}");
    let missed = ratios.iter().filter(|r| !r.met()).count();
    println!("targets met: {} of {}", ratios.len() - missed, ratios.len());
    let mut regressed = false;
    if let Some(changes) = &changes {
        println!(
            "\nsince {}:\n\n{}",
            args.baseline.display(),
            ratios::changes_markdown(changes)
        );
        regressed = changes.iter().any(ratios::Change::is_regression);
    }
    if args.save {
        let json = serde_json::to_string_pretty(&ratios).expect("ratios serialise");
        std::fs::write(&args.baseline, json + "\n")
            .map_err(|e| format!("cannot write {}: {e}", args.baseline.display()))?;
        let readme = std::fs::read_to_string(&args.readme)
            .map_err(|e| format!("cannot read {}: {e}", args.readme.display()))?;
        let (Some(begin), Some(end)) = (readme.find(BEGIN), readme.find(END)) else {
            return Err(format!(
                "{} has no {BEGIN} … {END} markers",
                args.readme.display()
            ));
        };
        let updated = format!("{}{BEGIN}\n{table}{}", &readme[..begin], &readme[end..]);
        std::fs::write(&args.readme, updated)
            .map_err(|e| format!("cannot write {}: {e}", args.readme.display()))?;
        println!(
            "saved {} and the table in {}",
            args.baseline.display(),
            args.readme.display()
        );
    }
    Ok(regressed)
}

/// The last committed ratios, if there are any.
fn read_baseline(path: &Path) -> Result<Option<Vec<Ratio>>, String> {
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => {
            eprintln!("a ratio got worse beyond the threshold and the noise");
            ExitCode::from(1)
        }
        Err(message) => {
            eprintln!("bench-report: {message}");
            ExitCode::from(2)
        }
    }
}
