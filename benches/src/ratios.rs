//! Ratios against anchors, their table, and how they moved since the last
//! committed run.
//!
//! A ratio of two benchmarks measured in the same run is what survives a
//! slower or busier machine; its noise is the sum of the two means'
//! relative 95% half-widths. A change since the last run is flagged only
//! when it is beyond both a threshold and that noise, measured then and
//! now.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::estimates::Estimate;
use crate::targets::Target;

/// A target as measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ratio {
    /// The target's name.
    pub name: String,
    /// The benchmark.
    pub bench: String,
    /// The anchor it was divided by (the fastest, for a best-of).
    pub anchor: String,
    /// The benchmark's ns per element.
    pub bench_ns: f64,
    /// The anchor's ns per element.
    pub anchor_ns: f64,
    /// `bench_ns / anchor_ns`.
    pub ratio: f64,
    /// Relative noise of the ratio.
    pub noise: f64,
    /// The target: the ratio must be at most this.
    pub at_most: f64,
}

impl Ratio {
    /// Whether the target is met.
    pub fn met(&self) -> bool {
        self.ratio <= self.at_most
    }
}

/// Computes every target the estimates cover; the others are listed as
/// missing benchmarks.
pub fn compute(
    targets: &[Target],
    estimates: &BTreeMap<String, Estimate>,
) -> (Vec<Ratio>, Vec<String>) {
    let mut ratios = Vec::new();
    let mut missing = Vec::new();
    for target in targets {
        let Some(bench) = estimates.get(&target.bench) else {
            missing.push(target.bench.clone());
            continue;
        };
        let anchor = target
            .anchor
            .ids()
            .into_iter()
            .filter_map(|id| estimates.get(id).map(|e| (id, e)))
            .min_by(|a, b| a.1.ns_per_element.total_cmp(&b.1.ns_per_element));
        let Some((anchor_id, anchor)) = anchor else {
            missing.push(target.anchor.ids().join(" | "));
            continue;
        };
        ratios.push(Ratio {
            name: target.name.clone(),
            bench: target.bench.clone(),
            anchor: anchor_id.to_owned(),
            bench_ns: bench.ns_per_element,
            anchor_ns: anchor.ns_per_element,
            ratio: bench.ns_per_element / anchor.ns_per_element,
            noise: bench.relative_noise + anchor.relative_noise,
            at_most: target.at_most,
        });
    }
    (ratios, missing)
}

/// The Markdown table of `ratios`.
pub fn markdown(ratios: &[Ratio]) -> String {
    let mut out = String::from(
        "| target | bench | anchor | bench ns | anchor ns | ratio | ± | at most | |\n\
         |---|---|---|---:|---:|---:|---:|---:|---|\n",
    );
    for r in ratios {
        let _ = writeln!(
            out,
            "| {} | `{}` | `{}` | {:.1} | {:.1} | {:.2} | {:.0}% | {:.2} | {} |",
            r.name,
            r.bench,
            r.anchor,
            r.bench_ns,
            r.anchor_ns,
            r.ratio,
            r.noise * 100.0,
            r.at_most,
            if r.met() { "met" } else { "**missed**" }
        );
    }
    out
}

/// How one ratio moved since the last run.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// The target's name.
    pub name: String,
    /// The ratio then.
    pub before: f64,
    /// The ratio now.
    pub after: f64,
    /// Whether it moved beyond the threshold and the noise.
    pub significant: bool,
}

impl Change {
    /// A significant change for the worse (a higher ratio).
    pub fn is_regression(&self) -> bool {
        self.significant && self.after > self.before
    }
}

/// Compares with the last run: a change is significant when
/// `|after / before - 1|` exceeds both `threshold` and the two runs' noise.
pub fn compare(before: &[Ratio], after: &[Ratio], threshold: f64) -> Vec<Change> {
    after
        .iter()
        .filter_map(|now| {
            let then = before.iter().find(|b| b.name == now.name)?;
            let moved = (now.ratio / then.ratio - 1.0).abs();
            Some(Change {
                name: now.name.clone(),
                before: then.ratio,
                after: now.ratio,
                significant: moved > threshold && moved > then.noise + now.noise,
            })
        })
        .collect()
}

/// The Markdown table of the changes.
pub fn changes_markdown(changes: &[Change]) -> String {
    let mut out =
        String::from("| target | before | after | change | |\n|---|---:|---:|---:|---|\n");
    for c in changes {
        let verdict = match (c.significant, c.after > c.before) {
            (false, _) => "within noise",
            (true, true) => "**worse**",
            (true, false) => "better",
        };
        let _ = writeln!(
            out,
            "| {} | {:.2} | {:.2} | {:+.0}% | {verdict} |",
            c.name,
            c.before,
            c.after,
            (c.after / c.before - 1.0) * 100.0
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::Anchors;

    fn estimate(ns: f64, noise: f64) -> Estimate {
        Estimate {
            ns_per_element: ns,
            relative_noise: noise,
        }
    }

    fn ratio(name: &str, value: f64, noise: f64) -> Ratio {
        Ratio {
            name: name.into(),
            bench: "b".into(),
            anchor: "a".into(),
            bench_ns: value,
            anchor_ns: 1.0,
            ratio: value,
            noise,
            at_most: 1.5,
        }
    }

    #[test]
    fn a_best_of_anchor_divides_by_the_fastest_and_missing_benches_are_listed() {
        let estimates = BTreeMap::from([
            ("pool/fixed".to_owned(), estimate(150.0, 0.01)),
            ("pool/rayon".to_owned(), estimate(200.0, 0.02)),
            ("pool/threadpool".to_owned(), estimate(100.0, 0.03)),
        ]);
        let targets = vec![
            Target {
                name: "fixed vs best".into(),
                bench: "pool/fixed".into(),
                anchor: Anchors::BestOf(vec!["pool/rayon".into(), "pool/threadpool".into()]),
                at_most: 1.0,
            },
            Target {
                name: "gone".into(),
                bench: "pool/nothing".into(),
                anchor: Anchors::One("pool/rayon".into()),
                at_most: 1.0,
            },
        ];
        let (ratios, missing) = compute(&targets, &estimates);
        assert_eq!(ratios.len(), 1);
        assert_eq!(ratios[0].anchor, "pool/threadpool");
        assert!((ratios[0].ratio - 1.5).abs() < 1e-9);
        assert!((ratios[0].noise - 0.04).abs() < 1e-9);
        assert!(!ratios[0].met());
        assert_eq!(missing, vec!["pool/nothing".to_owned()]);
        assert!(markdown(&ratios).contains("**missed**"));
    }

    #[test]
    fn only_a_change_beyond_threshold_and_noise_is_significant() {
        let before = vec![
            ratio("a", 1.0, 0.02),
            ratio("b", 1.0, 0.2),
            ratio("c", 1.0, 0.02),
        ];
        let after = vec![
            ratio("a", 1.3, 0.02),
            ratio("b", 1.3, 0.2),
            ratio("c", 0.7, 0.02),
        ];
        let changes = compare(&before, &after, 0.1);
        assert!(changes[0].is_regression(), "30% worse, noise 4%");
        assert!(!changes[1].significant, "30% within 40% of noise");
        assert!(
            changes[2].significant && !changes[2].is_regression(),
            "better"
        );
        assert!(changes_markdown(&changes).contains("**worse**"));
    }
}
