//! The statistics of a paired comparison: the median of the paired ratios
//! NEW/BASE and a distribution-free confidence interval for it, and what
//! the interval decides against a threshold.
//!
//! The interval is the sign test's, inverted: for `n` ratios sorted, the
//! true median lies between the `k`-th smallest and the `k`-th largest
//! with probability at least `1 - 2·P(Binomial(n, ½) < k)`, whatever the
//! distribution of the noise. It asks nothing of the noise (not
//! normality, not symmetry) but that pairs are independent, which is why
//! it suits latencies of a shared machine: a burst of load that slows one
//! pair three times moves one ratio, not the interval. With few pairs no
//! `k` reaches the confidence asked for, and the interval is unbounded:
//! undecided, never a regression.

use serde::{Deserialize, Serialize};

/// The median of paired ratios and its confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Pairs the interval is over.
    pub pairs: usize,
    /// The median ratio.
    pub median: f64,
    /// The lower bound (`0` when unbounded).
    pub low: f64,
    /// The upper bound (`f64::INFINITY` when unbounded; written as `null`
    /// in JSON).
    #[serde(with = "unbounded")]
    pub high: f64,
    /// The confidence the bounds hold with (at least the one asked for),
    /// 0 to 1; `0` when unbounded.
    pub confidence: f64,
}

impl Interval {
    /// Whether enough pairs were run for the bounds to mean anything.
    pub fn is_bounded(&self) -> bool {
        self.high.is_finite()
    }
}

/// The median of `ratios` and the sign-test interval around it at
/// `confidence` (0 to 1, e.g. 0.95); `None` for no ratio. Ratios that are
/// not finite are left out.
pub fn median_interval(ratios: &[f64], confidence: f64) -> Option<Interval> {
    let sorted = finite_sorted(ratios);
    let median = median_of_sorted(&sorted)?;
    let n = sorted.len();
    // The largest k whose two tails, each P(X < k), fit in 1 - confidence.
    let alpha = 1.0 - confidence;
    let mut tail = 0.0; // P(X <= k - 1) for the k being tried
    let mut best: Option<(usize, f64)> = None;
    for k in 1..=n.div_ceil(2) {
        tail += binomial_half(n, k - 1);
        if 2.0 * tail <= alpha {
            best = Some((k, 1.0 - 2.0 * tail));
        } else {
            break;
        }
    }
    Some(match best {
        Some((k, held)) => Interval {
            pairs: n,
            median,
            low: sorted[k - 1],
            high: sorted[n - k],
            confidence: held,
        },
        None => Interval {
            pairs: n,
            median,
            low: 0.0,
            high: f64::INFINITY,
            confidence: 0.0,
        },
    })
}

/// The median of `values` (the mean of the middle two for an even
/// count), leaving out values that are not finite; `None` for none.
pub fn median(values: &[f64]) -> Option<f64> {
    median_of_sorted(&finite_sorted(values))
}

fn finite_sorted(values: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    sorted
}

fn median_of_sorted(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// `P(X = j)` for `X ~ Binomial(n, ½)`, in logarithms so that large `n`
/// neither overflows nor underflows early.
fn binomial_half(n: usize, j: usize) -> f64 {
    let ln_choose: f64 = (0..j)
        .map(|i| ((n - i) as f64).ln() - ((i + 1) as f64).ln())
        .sum();
    (ln_choose - n as f64 * std::f64::consts::LN_2).exp()
}

/// The fewest pairs whose interval can be bounded at `confidence`: below
/// it, nothing can be decided.
pub fn fewest_pairs(confidence: f64) -> usize {
    (1..=10_000)
        .find(|&n| 2.0 * binomial_half(n, 0) <= 1.0 - confidence)
        .unwrap_or(10_000)
}

/// Which way a metric is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// More is better (goodput).
    Higher,
    /// Less is better (latency, memory, CPU).
    Lower,
}

/// What an interval says, against a threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Worse beyond the threshold, with the confidence asked for.
    Regression,
    /// Better beyond the threshold, with the confidence asked for.
    Improvement,
    /// Within the threshold either way, with the confidence asked for.
    Unchanged,
    /// The interval straddles a threshold: more pairs could decide.
    Undecided,
}

impl Decision {
    /// The word for tables.
    pub fn word(self) -> &'static str {
        match self {
            Decision::Regression => "REGRESSION",
            Decision::Improvement => "improvement",
            Decision::Unchanged => "unchanged",
            Decision::Undecided => "undecided",
        }
    }

    /// Whether more pairs are needed.
    pub fn is_decided(self) -> bool {
        self != Decision::Undecided
    }
}

/// Decides `interval` for a metric where `better` is better: a change
/// counts only when the whole interval lies beyond `threshold` (a
/// fraction: 0.05 is 5%), measured as a factor either way (a 5% slower
/// goodput is a ratio below 1/1.05).
pub fn decide(interval: &Interval, better: Better, threshold: f64) -> Decision {
    if !interval.is_bounded() {
        return Decision::Undecided;
    }
    let up = 1.0 + threshold;
    let down = 1.0 / up;
    let (worse, improved) = match better {
        Better::Lower => (interval.low > up, interval.high < down),
        Better::Higher => (interval.high < down, interval.low > up),
    };
    if worse {
        Decision::Regression
    } else if improved {
        Decision::Improvement
    } else if interval.low >= down && interval.high <= up {
        Decision::Unchanged
    } else {
        Decision::Undecided
    }
}

/// `f64::INFINITY` as JSON's `null` and back.
mod unbounded {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        if value.is_finite() {
            serializer.serialize_f64(*value)
        } else {
            serializer.serialize_none()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(deserializer)?.unwrap_or(f64::INFINITY))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_is_bounded_only_from_enough_pairs() {
        // 2·(1/2)^n <= 0.05 first holds at n = 6.
        assert_eq!(fewest_pairs(0.95), 6);
        let five = median_interval(&[1.0, 1.1, 0.9, 1.2, 0.8], 0.95).unwrap();
        assert!(!five.is_bounded(), "{five:?}");
        assert_eq!(five.median, 1.0);
        let six = median_interval(&[1.0, 1.1, 0.9, 1.2, 0.8, 1.05], 0.95).unwrap();
        assert_eq!((six.low, six.high), (0.8, 1.2));
        assert!((six.confidence - (1.0 - 2.0 / 64.0)).abs() < 1e-12);
    }

    #[test]
    fn the_interval_narrows_to_inner_order_statistics_as_pairs_grow() {
        // n = 20 at 95%: P(X <= 5) = 0.0207, P(X <= 6) = 0.0577, so k = 6:
        // the 6th smallest and the 6th largest.
        let ratios: Vec<f64> = (1..=20).map(f64::from).collect();
        let interval = median_interval(&ratios, 0.95).unwrap();
        assert_eq!((interval.low, interval.high), (6.0, 15.0));
        assert_eq!(interval.median, 10.5);
        assert!(interval.confidence >= 0.95 && interval.confidence < 0.96);
    }

    #[test]
    fn the_median_is_the_middle_value_or_the_mean_of_the_middle_two() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[f64::NAN, 5.0]), Some(5.0));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn one_wild_pair_does_not_move_the_interval() {
        let mut ratios = vec![1.0; 12];
        ratios[3] = 3.0; // a burst of load slowed one run
        let interval = median_interval(&ratios, 0.95).unwrap();
        assert_eq!(
            (interval.low, interval.median, interval.high),
            (1.0, 1.0, 1.0)
        );
    }

    #[test]
    fn a_change_counts_only_when_the_whole_interval_is_beyond_the_threshold() {
        let at = |low, high| Interval {
            pairs: 10,
            median: (low + high) / 2.0,
            low,
            high,
            confidence: 0.95,
        };
        let t = 0.05;
        assert_eq!(
            decide(&at(1.06, 1.2), Better::Lower, t),
            Decision::Regression
        );
        assert_eq!(
            decide(&at(1.06, 1.2), Better::Higher, t),
            Decision::Improvement
        );
        assert_eq!(
            decide(&at(0.8, 0.9), Better::Higher, t),
            Decision::Regression
        );
        assert_eq!(
            decide(&at(0.8, 0.9), Better::Lower, t),
            Decision::Improvement
        );
        assert_eq!(
            decide(&at(0.97, 1.03), Better::Lower, t),
            Decision::Unchanged
        );
        assert_eq!(
            decide(&at(1.01, 1.2), Better::Lower, t),
            Decision::Undecided
        );
        assert_eq!(
            decide(&at(0.9, 1.0), Better::Higher, t),
            Decision::Undecided
        );
        let unbounded = median_interval(&[2.0, 2.0], 0.95).unwrap();
        assert_eq!(decide(&unbounded, Better::Lower, t), Decision::Undecided);
    }

    #[test]
    fn unbounded_intervals_round_trip_through_json() {
        let unbounded = median_interval(&[2.0], 0.95).unwrap();
        let text = serde_json::to_string(&unbounded).unwrap();
        assert!(text.contains("\"high\":null"), "{text}");
        let back: Interval = serde_json::from_str(&text).unwrap();
        assert_eq!(back, unbounded);
    }
}
