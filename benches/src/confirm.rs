//! Which benchmarks to measure again before a miss or a regression is
//! reported: the benchmark and every anchor of each such target, side by
//! side.
//!
//! On a shared machine a burst of load from elsewhere lasts seconds, long
//! enough to slow one benchmark of a pair and not the other: in one full
//! run `pool/empty-1sub/fixed` took 37 ms a batch, against 15 ms in each of
//! several runs before and after, and the ratio's noise column (the two
//! means' confidence intervals) did not show it, since the whole benchmark
//! was slow. Measuring the two sides of a failing ratio again, one right
//! after the other, takes a few seconds per target; a real regression is
//! slow both times, a burst is not. `scripts/bench-report` does it unless
//! told `--no-confirm`, and reports the second measurement.

use std::collections::{BTreeMap, BTreeSet};

use crate::ratios::{Change, Ratio};
use crate::targets::Target;

/// The bench file (`benches/benches/<file>.rs`) that measures `id`, from
/// the id's first segment.
pub fn bench_file(id: &str) -> Option<&'static str> {
    match id.split('/').next()? {
        "pool" | "submit-full" => Some("pools"),
        "fanin" => Some("fanin"),
        "cache" => Some("cache"),
        "counter" => Some("counters"),
        "harness" => Some("harness"),
        _ => None,
    }
}

/// For each bench file, a criterion filter (a regular expression matching
/// exactly those ids) of the benchmarks and anchors of every target that
/// is missed or regressed, and of every target that shares one of them.
pub fn filters<'a>(
    targets: &'a [Target],
    ratios: &[Ratio],
    changes: &[Change],
) -> BTreeMap<&'static str, String> {
    let failing: BTreeSet<&str> = ratios
        .iter()
        .filter(|ratio| !ratio.met())
        .map(|ratio| ratio.name.as_str())
        .chain(
            changes
                .iter()
                .filter(|change| change.is_regression())
                .map(|change| change.name.as_str()),
        )
        .collect();
    let ids_of =
        |target: &'a Target| std::iter::once(target.bench.as_str()).chain(target.anchor.ids());
    let mut again: BTreeSet<&str> = targets
        .iter()
        .filter(|target| failing.contains(target.name.as_str()))
        .flat_map(ids_of)
        .collect();
    // Every other target sharing a benchmark measured again is measured
    // again whole: a second measurement of one side beside a first of the
    // other would be the very mismatch this is here to avoid.
    loop {
        let before = again.len();
        for target in targets {
            if ids_of(target).any(|id| again.contains(id)) {
                again.extend(ids_of(target));
            }
        }
        if again.len() == before {
            break;
        }
    }
    let mut ids: BTreeMap<&'static str, BTreeSet<&str>> = BTreeMap::new();
    for id in again {
        if let Some(file) = bench_file(id) {
            ids.entry(file).or_default().insert(id);
        }
    }
    ids.into_iter()
        .map(|(file, ids)| {
            let alternatives: Vec<String> = ids.into_iter().map(escape).collect();
            (file, format!("^({})$", alternatives.join("|")))
        })
        .collect()
}

/// `id` with the regular-expression metacharacters escaped.
fn escape(id: &str) -> String {
    let mut escaped = String::with_capacity(id.len());
    for c in id.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::Anchors;

    fn target(name: &str, bench: &str, anchor: Anchors) -> Target {
        Target {
            name: name.into(),
            bench: bench.into(),
            anchor,
            at_most: 1.0,
        }
    }

    fn ratio(name: &str, value: f64) -> Ratio {
        Ratio {
            name: name.into(),
            bench: String::new(),
            anchor: String::new(),
            bench_ns: value,
            anchor_ns: 1.0,
            ratio: value,
            noise: 0.01,
            at_most: 1.0,
        }
    }

    #[test]
    fn a_missed_target_brings_its_bench_and_every_anchor() {
        let targets = [
            target(
                "missed",
                "pool/empty-1sub/fixed",
                Anchors::BestOf(vec![
                    "pool/empty-1sub/rayon".into(),
                    "pool/empty-1sub/threadpool".into(),
                ]),
            ),
            target(
                "met",
                "fanin/p1/closer/cap64",
                Anchors::One("fanin/p1/raw-crossbeam/cap64".into()),
            ),
        ];
        let ratios = [ratio("missed", 1.4), ratio("met", 0.9)];
        let filters = filters(&targets, &ratios, &[]);
        assert_eq!(filters.len(), 1, "{filters:?}");
        assert_eq!(
            filters["pools"],
            "^(pool/empty-1sub/fixed|pool/empty-1sub/rayon|pool/empty-1sub/threadpool)$"
        );
    }

    #[test]
    fn a_regression_is_confirmed_even_when_the_target_is_met() {
        let targets = [target(
            "slower",
            "cache/periodic-refresh/snapshot/t2",
            Anchors::One("cache/periodic-refresh/raw-rwlock-hashmap/t2".into()),
        )];
        let ratios = [ratio("slower", 0.5)];
        let changes = [Change {
            name: "slower".into(),
            before: 0.3,
            after: 0.5,
            significant: true,
        }];
        let filters = filters(&targets, &ratios, &changes);
        assert_eq!(
            filters["cache"],
            "^(cache/periodic-refresh/raw-rwlock-hashmap/t2|cache/periodic-refresh/snapshot/t2)$"
        );
        assert!(super::filters(&targets, &ratios, &[]).is_empty());
    }

    #[test]
    fn a_target_sharing_a_benchmark_measured_again_is_measured_again_whole() {
        let targets = [
            target(
                "elastic vs fixed",
                "pool/empty-2sub/elastic",
                Anchors::One("pool/empty-2sub/fixed".into()),
            ),
            target(
                "fixed vs best",
                "pool/empty-2sub/fixed",
                Anchors::BestOf(vec!["pool/empty-2sub/rayon".into()]),
            ),
            target(
                "unrelated",
                "pool/empty-1sub/fixed",
                Anchors::One("pool/empty-1sub/raw-channel".into()),
            ),
        ];
        let ratios = [
            ratio("elastic vs fixed", 1.4),
            ratio("fixed vs best", 0.9),
            ratio("unrelated", 0.9),
        ];
        assert_eq!(
            filters(&targets, &ratios, &[])["pools"],
            "^(pool/empty-2sub/elastic|pool/empty-2sub/fixed|pool/empty-2sub/rayon)$"
        );
    }

    #[test]
    fn ids_are_matched_literally() {
        assert_eq!(escape("cache/98-1-1.uniform"), "cache/98-1-1\\.uniform");
        assert_eq!(bench_file("submit-full/fixed/fail-fast"), Some("pools"));
        assert_eq!(bench_file("counter/increment/atomic/t1"), Some("counters"));
        assert_eq!(bench_file("unknown/x"), None);
    }
}
