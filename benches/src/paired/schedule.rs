//! The order of the runs.
//!
//! - Within a pair the two sides run back to back, BASE first in even
//!   pairs and NEW first in odd ones: whatever the first run of a pair
//!   does to the second (a warmer cache, a CPU clocked up or throttled)
//!   then favours each side in half the pairs, and cancels out of the
//!   median instead of biasing every ratio the same way.
//! - Pairs go round-robin: pair 0 of every benchmark, then pair 1 of
//!   every benchmark, … so that a burst of load from elsewhere, which
//!   lasts seconds on a shared machine, lands on pairs of different
//!   benchmarks rather than on all the pairs of one, and moves one ratio
//!   of each, which the median shrugs off.
//! - Every benchmark gets the minimum number of pairs and is decided
//!   then; only the undecided ones get more, one round at a time, up to
//!   the cap, where they are decided again. A decided benchmark is not run
//!   again, so the extra time goes where it can change an answer; and two
//!   looks, not one per pair, is what the confidence is corrected for.

use contend::ab::stats::{decide, median_interval, Better, Decision, Interval};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use super::args::Settings;

/// The two sides of a comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The revision compared against.
    Base,
    /// The revision compared.
    New,
}

impl Role {
    /// `BASE` or `NEW`, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Base => "BASE",
            Role::New => "NEW",
        }
    }

    /// `base` or `new`, for folder names.
    pub fn dir(self) -> &'static str {
        match self {
            Role::Base => "base",
            Role::New => "new",
        }
    }
}

/// The order of the two runs of pair `pair` (counted from 0).
pub fn order(pair: usize) -> [Role; 2] {
    if pair % 2 == 1 {
        [Role::New, Role::Base]
    } else {
        [Role::Base, Role::New]
    }
}

/// One benchmark's measurements so far: ns per element of each side, pair
/// by pair.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    /// BASE's time per element in each pair.
    pub base_ns: Vec<f64>,
    /// NEW's time per element in each pair.
    pub new_ns: Vec<f64>,
    /// The run that failed, which stopped this benchmark (the others go
    /// on): its side and why.
    pub failure: Option<(Role, String)>,
}

impl Tally {
    /// Pairs measured.
    pub fn pairs(&self) -> usize {
        self.base_ns.len()
    }

    /// The last pair's (BASE, NEW).
    pub fn last(&self) -> Option<(f64, f64)> {
        Some((*self.base_ns.last()?, *self.new_ns.last()?))
    }

    /// NEW/BASE of each pair: above 1 is slower.
    pub fn ratios(&self) -> Vec<f64> {
        self.base_ns
            .iter()
            .zip(&self.new_ns)
            .map(|(base, new)| new / base)
            .collect()
    }

    /// The median ratio and its interval; `None` before the first pair.
    pub fn interval(&self, confidence: f64) -> Option<Interval> {
        median_interval(&self.ratios(), confidence)
    }

    /// What the pairs so far decide: a time per element is better lower.
    pub fn decision(&self, settings: &Settings) -> Decision {
        self.interval(settings.interval_confidence)
            .map_or(Decision::Undecided, |interval| {
                decide(&interval, Better::Lower, settings.threshold)
            })
    }
}

/// Runs the pairs of every benchmark, round-robin, and returns each one's
/// tally (in the order of `benchmarks`). `measure(benchmark, role)` runs
/// one side once and returns its ns per element; `look(benchmark,
/// tally)` is called after each pair. A failed run stops its benchmark
/// (recorded in its tally) and the others go on; `stop` (Ctrl-C) ends
/// the rounds before the next pair.
pub fn run_rounds<B>(
    benchmarks: &[B],
    settings: &Settings,
    stop: &AtomicBool,
    mut measure: impl FnMut(&B, Role) -> Result<f64, String>,
    mut look: impl FnMut(&B, &Tally),
) -> Vec<Tally> {
    let mut tallies = vec![Tally::default(); benchmarks.len()];
    'rounds: for pair in 0..settings.max_pairs {
        let mut ran = false;
        for (benchmark, tally) in benchmarks.iter().zip(tallies.iter_mut()) {
            let decided_at_first_look = tally.pairs() == settings.pairs
                && pair >= settings.pairs
                && tally.decision(settings).is_decided();
            if decided_at_first_look || tally.failure.is_some() {
                continue;
            }
            // Both sides run even when the first fails, so that a
            // benchmark both break is NEW's failure, not BASE's alone.
            let (mut base, mut new) = (f64::NAN, f64::NAN);
            let mut failed: Vec<(Role, String)> = Vec::new();
            for role in order(pair) {
                if stop.load(Ordering::Relaxed) {
                    break 'rounds;
                }
                match measure(benchmark, role) {
                    Ok(ns) if role == Role::Base => base = ns,
                    Ok(ns) => new = ns,
                    Err(why) => failed.push((role, why)),
                }
            }
            if !failed.is_empty() {
                failed.sort_by_key(|(role, _)| *role != Role::New);
                tally.failure = failed.into_iter().next();
                continue;
            }
            tally.base_ns.push(base);
            tally.new_ns.push(new);
            look(benchmark, tally);
            ran = true;
        }
        if !ran {
            break;
        }
    }
    tallies
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_side_that_runs_first_alternates_from_pair_to_pair() {
        assert_eq!(order(0), [Role::Base, Role::New]);
        assert_eq!(order(1), [Role::New, Role::Base]);
        assert_eq!(order(2), [Role::Base, Role::New]);
        assert_eq!(order(7), [Role::New, Role::Base]);
    }

    #[test]
    fn pairs_go_round_robin_over_the_benchmarks_in_alternating_order() {
        let mut runs = Vec::new();
        let tallies = run_rounds(
            &["a", "b"],
            &Settings::sample(6, 6),
            &AtomicBool::new(false),
            |benchmark, role| {
                runs.push(format!("{benchmark}:{}", role.dir()));
                Ok(10.0)
            },
            |_, _| {},
        );
        let expected: Vec<String> = (0..6)
            .flat_map(|pair| {
                let [first, second] = order(pair);
                ["a", "b"].into_iter().flat_map(move |b| {
                    [
                        format!("{b}:{}", first.dir()),
                        format!("{b}:{}", second.dir()),
                    ]
                })
            })
            .collect();
        assert_eq!(runs, expected);
        assert_eq!(tallies[0].ratios(), vec![1.0; 6]);
        assert_eq!(
            tallies[0].decision(&Settings::sample(6, 6)),
            Decision::Unchanged
        );
    }

    #[test]
    fn only_undecided_benchmarks_get_more_pairs_up_to_the_cap() {
        // "steady": NEW is 20% slower every time: decided at 6 pairs.
        // "noisy": NEW is 30% faster and 30% slower in turn: never decided.
        let mut calls = std::collections::HashMap::<&str, usize>::new();
        let mut looks = Vec::new();
        let tallies = run_rounds(
            &["steady", "noisy"],
            &Settings::sample(6, 10),
            &AtomicBool::new(false),
            |&benchmark, role| {
                let n = calls.entry(benchmark).or_default();
                *n += 1;
                let pair = (*n - 1) / 2;
                Ok(match (benchmark, role) {
                    (_, Role::Base) => 100.0,
                    ("steady", Role::New) => 120.0,
                    (_, Role::New) if pair % 2 == 1 => 130.0,
                    _ => 70.0,
                })
            },
            |&benchmark, tally| looks.push((benchmark, tally.pairs())),
        );
        assert_eq!(tallies[0].pairs(), 6);
        assert_eq!(
            tallies[0].decision(&Settings::sample(6, 10)),
            Decision::Regression
        );
        assert_eq!(tallies[1].pairs(), 10);
        assert_eq!(
            tallies[1].decision(&Settings::sample(6, 10)),
            Decision::Undecided
        );
        // A look after every pair; the extra rounds only for "noisy".
        assert_eq!(looks.len(), 16);
        assert_eq!(
            looks[12..],
            [("noisy", 7), ("noisy", 8), ("noisy", 9), ("noisy", 10)]
        );
    }

    #[test]
    fn fewer_pairs_than_can_decide_go_on_to_the_cap_and_are_decided_there() {
        let tallies = run_rounds(
            &["x"],
            &Settings::sample(3, 12),
            &AtomicBool::new(false),
            |_, _| Ok(1.0),
            |_, _| {},
        );
        // Unbounded (undecided) at the first look, 3 pairs; at the cap,
        // the second and last look, unchanged.
        assert_eq!(tallies[0].pairs(), 12);
        assert_eq!(
            tallies[0].decision(&Settings::sample(3, 12)),
            Decision::Unchanged
        );
    }

    #[test]
    fn a_failed_run_stops_its_benchmark_new_s_failure_first_and_the_others_go_on() {
        let tallies = run_rounds(
            &["broken", "fine"],
            &Settings::sample(6, 6),
            &AtomicBool::new(false),
            |&benchmark, role| match benchmark {
                "broken" => Err(format!("{} broken: crashed", role.label())),
                _ => Ok(1.0),
            },
            |&benchmark, _| assert_eq!(benchmark, "fine"),
        );
        assert_eq!(
            tallies[0].failure,
            Some((Role::New, "NEW broken: crashed".to_owned()))
        );
        assert_eq!(tallies[0].pairs(), 0);
        assert_eq!(tallies[1].pairs(), 6);
    }

    #[test]
    fn a_stop_ends_the_rounds_before_the_next_run() {
        let stop = AtomicBool::new(false);
        let mut runs = 0;
        let tallies = run_rounds(
            &["x", "y"],
            &Settings::sample(6, 6),
            &stop,
            |_, _| {
                runs += 1;
                if runs == 5 {
                    stop.store(true, Ordering::Relaxed);
                }
                Ok(1.0)
            },
            |_, _| {},
        );
        // Pair 0 of x and of y, then the first run of x's pair 1 set the
        // stop: its second run never starts, and the pair is not counted.
        assert_eq!(runs, 5);
        assert_eq!((tallies[0].pairs(), tallies[1].pairs()), (1, 1));
    }
}
