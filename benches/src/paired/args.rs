//! `bench-ab`'s command line, and the settings it stands for once
//! checked.

use std::path::PathBuf;

use clap::Parser;
use contend::ab::stats::fewest_pairs;
use serde::Serialize;

/// The pairs run at most per benchmark when `--max-pairs` is not given,
/// unless twice `--pairs` is more: at 95%, 12 pairs narrow the interval of
/// one benchmark from the extreme ratios to the third smallest and third
/// largest, so that two bursts of load cannot widen it.
pub const DEFAULT_MAX_PAIRS: usize = 12;

/// Measures the criterion benches of BASE and NEW side by side, pair by
/// pair, and reports per benchmark the median of the ratios NEW/BASE of
/// their times per element, with a confidence interval and a decision.
///
/// Exit 0: no regression; 1: a regression; 2: bad input, or a side that
/// does not build or run. See benches/README.md, "Paired runs of two
/// revisions".
#[derive(Parser, Debug, Clone)]
#[command(name = "bench-ab")]
pub struct Args {
    /// BASE: a git revision (`main`, `HEAD~1`, a tag), whose benches are
    /// built in release in `target/ab/` and kept by source key.
    #[arg(long, value_name = "REV", required_unless_present = "base_dir")]
    pub against: Option<String>,
    /// BASE: a folder of already built bench executables, each named by
    /// its bench (`counters`, `pools`…).
    #[arg(long, value_name = "DIR", conflicts_with = "against")]
    pub base_dir: Option<PathBuf>,
    /// NEW: a folder of already built bench executables [default: the
    /// working tree's benches, built by `cargo bench --no-run`].
    #[arg(long, value_name = "DIR")]
    pub new_dir: Option<PathBuf>,
    /// The bench files to compare (pools, fanin, cache, counters,
    /// harness) [default: all].
    #[arg(value_name = "BENCH")]
    pub benches: Vec<String>,
    /// Only the benchmarks whose id matches this regular expression
    /// (criterion's own filter).
    #[arg(long, value_name = "REGEX")]
    pub filter: Option<String>,
    /// Pairs run for every benchmark [default: the fewest whose interval
    /// can be bounded: 7 for one benchmark at 0.95, more for more].
    #[arg(long, value_name = "N")]
    pub pairs: Option<usize>,
    /// Pairs at most: benchmarks still undecided after --pairs get one
    /// more pair a round until this many, then are decided again
    /// [default: 12, or twice --pairs if more].
    #[arg(long, value_name = "N")]
    pub max_pairs: Option<usize>,
    /// A change counts only when the whole interval is beyond this
    /// fraction either way (0.05: 5% slower or faster).
    #[arg(long, default_value_t = 0.05)]
    pub threshold: f64,
    /// The chance, 0 to 1, that no benchmark is flagged when none
    /// changed: each interval is computed at 1 - (1 - this) / (benchmarks
    /// x looks).
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// Criterion's --measurement-time for each run, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 0.5)]
    pub measurement_time: f64,
    /// Criterion's --warm-up-time for each run, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 0.2)]
    pub warm_up_time: f64,
    /// Where bench-ab.md, bench-ab.json and the runs' criterion folders go.
    #[arg(long, value_name = "DIR", default_value = "target/bench-ab")]
    pub out: PathBuf,
}

/// What a comparison runs with, checked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Settings {
    /// Pairs every benchmark gets.
    pub pairs: usize,
    /// Pairs an undecided benchmark gets at most.
    pub max_pairs: usize,
    /// The fraction beyond which a change counts.
    pub threshold: f64,
    /// The confidence the whole comparison keeps: the chance that no
    /// benchmark is flagged when none changed.
    pub confidence: f64,
    /// The confidence of each benchmark's interval, so that the whole
    /// comparison keeps `confidence` (Bonferroni over the benchmarks and
    /// the two looks, at `pairs` and at `max_pairs`).
    pub interval_confidence: f64,
    /// Criterion's measurement time per run, seconds.
    pub measurement_time: f64,
    /// Criterion's warm-up time per run, seconds.
    pub warm_up_time: f64,
}

#[cfg(test)]
impl Settings {
    /// `pairs` to `max_pairs` pairs, each interval at 95%, 5% threshold,
    /// criterion's defaults of bench-ab: for the tests of what reads
    /// settings.
    pub fn sample(pairs: usize, max_pairs: usize) -> Self {
        Settings {
            pairs,
            max_pairs,
            threshold: 0.05,
            confidence: 0.95,
            interval_confidence: 0.95,
            measurement_time: 0.5,
            warm_up_time: 0.2,
        }
    }
}

impl Args {
    /// The settings for one benchmark, or why the flags make no sense:
    /// checked before anything is built.
    pub fn settings(&self) -> Result<Settings, String> {
        self.settings_for(1)
    }

    /// The settings for a comparison of `benchmarks` benchmarks, or why
    /// the flags make no sense.
    pub fn settings_for(&self, benchmarks: usize) -> Result<Settings, String> {
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(format!(
                "--confidence {} must lie strictly between 0 and 1",
                self.confidence
            ));
        }
        if !(self.threshold >= 0.0 && self.threshold.is_finite()) {
            return Err(format!(
                "--threshold {} must be a fraction of 0 or more (0.05 is 5%)",
                self.threshold
            ));
        }
        for (flag, secs) in [
            ("--measurement-time", self.measurement_time),
            ("--warm-up-time", self.warm_up_time),
        ] {
            if !(secs > 0.0 && secs.is_finite()) {
                return Err(format!(
                    "{flag} {secs} must be a positive number of seconds"
                ));
            }
        }
        // One look after `pairs`, another at `max_pairs` for what is
        // still undecided: two, unless they are the same.
        let looks = match (self.pairs, self.max_pairs) {
            (Some(pairs), Some(max)) if pairs == max => 1,
            _ => 2,
        };
        let interval_confidence =
            1.0 - (1.0 - self.confidence) / (benchmarks.max(1) * looks) as f64;
        let fewest = fewest_pairs(interval_confidence);
        let pairs = self.pairs.unwrap_or(fewest);
        if pairs == 0 {
            return Err("--pairs must be at least 1".into());
        }
        let max_pairs = self.max_pairs.unwrap_or(DEFAULT_MAX_PAIRS.max(2 * pairs));
        if max_pairs < fewest {
            return Err(format!(
                "--max-pairs {max_pairs} can never decide: with {benchmarks} benchmark(s) and \
                 {looks} look(s), each interval is at {:.3}% and unbounded below {fewest} pairs",
                interval_confidence * 100.0
            ));
        }
        if max_pairs < pairs {
            return Err(format!("--max-pairs {max_pairs} is below --pairs {pairs}"));
        }
        Ok(Settings {
            pairs,
            max_pairs,
            threshold: self.threshold,
            confidence: self.confidence,
            interval_confidence,
            measurement_time: self.measurement_time,
            warm_up_time: self.warm_up_time,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("bench-ab").chain(line.iter().copied()))
    }

    #[test]
    fn the_defaults_are_the_fewest_pairs_that_can_decide_and_twice_that_at_most() {
        let args = parse(&["--against", "main"]).unwrap();
        assert_eq!(args.against.as_deref(), Some("main"));
        assert!(args.benches.is_empty());
        assert_eq!(args.out, PathBuf::from("target/bench-ab"));
        assert_eq!(
            args.settings().unwrap(),
            Settings {
                pairs: 7,
                max_pairs: 14,
                threshold: 0.05,
                confidence: 0.95,
                interval_confidence: 0.975,
                measurement_time: 0.5,
                warm_up_time: 0.2,
            }
        );
        // A higher confidence needs more pairs before anything is bounded.
        let strict = parse(&["--against", "main", "--confidence", "0.99"]).unwrap();
        assert_eq!(strict.settings().unwrap().pairs, 9);
        // So do more benchmarks: the confidence is the whole run's.
        let fifty = args.settings_for(50).unwrap();
        assert!((fifty.interval_confidence - (1.0 - 0.05 / 100.0)).abs() < 1e-12);
        assert_eq!((fifty.pairs, fifty.max_pairs), (12, 24));
        // The cap is twice the pairs when that is more than 12.
        let many = parse(&["--against", "main", "--pairs", "20"]).unwrap();
        assert_eq!(many.settings().unwrap().max_pairs, 40);
    }

    #[test]
    fn benches_filter_and_times_are_taken_as_given() {
        let args = parse(&[
            "--base-dir",
            "old",
            "--new-dir",
            "new",
            "counters",
            "pools",
            "--filter",
            "atomic/t1$",
            "--measurement-time",
            "0.25",
            "--warm-up-time",
            "0.1",
        ])
        .unwrap();
        assert_eq!(args.base_dir, Some(PathBuf::from("old")));
        assert_eq!(args.new_dir, Some(PathBuf::from("new")));
        assert_eq!(args.benches, ["counters", "pools"]);
        assert_eq!(args.filter.as_deref(), Some("atomic/t1$"));
        let settings = args.settings().unwrap();
        assert_eq!(
            (settings.measurement_time, settings.warm_up_time),
            (0.25, 0.1)
        );
    }

    #[test]
    fn base_is_a_revision_or_a_folder_never_both_nor_neither() {
        assert!(parse(&[]).is_err());
        assert!(parse(&["counters"]).is_err());
        assert!(parse(&["--against", "main", "--base-dir", "old"]).is_err());
        assert!(parse(&["--base-dir", "old"]).is_ok());
    }

    #[test]
    fn settings_that_cannot_decide_anything_are_refused() {
        let settings = |line: &[&str]| {
            let mut full = vec!["--against", "main"];
            full.extend_from_slice(line);
            parse(&full).unwrap().settings()
        };
        assert!(settings(&["--max-pairs", "6"])
            .unwrap_err()
            .contains("never decide"));
        assert!(settings(&["--pairs", "8", "--max-pairs", "7"])
            .unwrap_err()
            .contains("below --pairs"));
        assert!(settings(&["--pairs", "0"]).is_err());
        assert!(settings(&["--confidence", "1"]).is_err());
        assert!(settings(&["--threshold=-0.1"]).is_err());
        assert!(settings(&["--measurement-time", "0"]).is_err());
        assert!(settings(&["--warm-up-time=-1"]).is_err());
        // Fewer pairs than can decide is allowed as a start: more are
        // added while undecided.
        assert_eq!(settings(&["--pairs", "3"]).unwrap().pairs, 3);
    }
}
