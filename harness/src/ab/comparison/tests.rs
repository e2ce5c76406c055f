use super::*;
use crate::record::Summary;
use crate::results::Status;

fn cell() -> ListedCell {
    ListedCell {
        scenario: "s".into(),
        file: "s.toml".into(),
        kind: "pool".into(),
        label: "fixed".into(),
        strategy: "fixed".into(),
        timeout_ms: 1000,
    }
}

fn plan(gated: Vec<PairedMetric>) -> Plan {
    Plan {
        threshold: 0.05,
        confidence: 0.95,
        interval_confidence: 0.95,
        look_every: 8,
        max_pairs: 32,
        gated,
        quick: true,
    }
}

/// A repetition with `goodput` units/s and a p50 of `p50_ms`.
fn rep(goodput: f64, p50_ms: f64) -> Repetition {
    let mut rep = Repetition::failed(Status::Ok);
    rep.wall_s = 1.0;
    rep.throughput = goodput;
    rep.goodput = Some(goodput);
    rep.cpu_s = 0.5;
    rep.peak_rss_kb = 10_240;
    rep.summaries.insert(
        Metric::EndToEnd,
        Summary {
            count: 100,
            mean_ms: p50_ms,
            p50_ms,
            p90_ms: p50_ms * 2.0,
            p99_ms: p50_ms * 3.0,
            p999_ms: p50_ms * 4.0,
            max_ms: p50_ms * 5.0,
        },
    );
    rep
}

fn pairs(n: usize, base: (f64, f64), new: (f64, f64)) -> Vec<Pair> {
    (0..n)
        .map(|i| {
            // Noise that both sides of a pair share: a slow pair is slow
            // on both sides, and its ratio stays put.
            let load = 1.0 + (i % 3) as f64 * 0.3;
            Pair {
                base: rep(base.0 / load, base.1 * load),
                new: rep(new.0 / load, new.1 * load),
                base_first: i % 2 == 0,
            }
        })
        .collect()
}

fn metric(compared: &CellComparison, which: PairedMetric) -> &MetricComparison {
    compared.metrics.iter().find(|m| m.metric == which).unwrap()
}

#[test]
fn a_slower_new_is_a_regression_in_goodput_and_latency_and_fails() {
    let compared = CellComparison::of(
        cell(),
        &pairs(8, (1000.0, 1.0), (800.0, 1.3)),
        &plan(PairedMetric::ALL.to_vec()),
        None,
    );
    assert_eq!(compared.pairs, 8);
    let goodput = metric(&compared, PairedMetric::Goodput);
    assert_eq!(goodput.decision, Decision::Regression);
    assert!((goodput.ratio.unwrap().median - 0.8).abs() < 1e-9);
    assert_eq!(
        metric(&compared, PairedMetric::P99).decision,
        Decision::Regression
    );
    // Peak memory and CPU did not move: unchanged.
    assert_eq!(
        metric(&compared, PairedMetric::PeakRss).decision,
        Decision::Unchanged
    );
    assert_eq!(
        metric(&compared, PairedMetric::Cpu).decision,
        Decision::Unchanged
    );
    assert!(compared.fails());
    assert!(compared.is_decided());
    assert_eq!(compared.regressions().len(), 4);
}

#[test]
fn a_regression_in_an_ungated_metric_fails_nothing() {
    let compared = CellComparison::of(
        cell(),
        &pairs(8, (1000.0, 1.0), (1000.0, 1.3)),
        &plan(vec![PairedMetric::Goodput]),
        None,
    );
    let p50 = metric(&compared, PairedMetric::P50);
    assert_eq!(p50.decision, Decision::Regression);
    assert!(!p50.gated);
    assert_eq!(
        metric(&compared, PairedMetric::Goodput).decision,
        Decision::Unchanged
    );
    assert!(!compared.fails());
    assert!(compared.is_decided(), "only gated metrics must be decided");
}

#[test]
fn too_few_pairs_leave_every_metric_undecided_and_more_are_needed() {
    let compared = CellComparison::of(
        cell(),
        &pairs(3, (1000.0, 1.0), (500.0, 2.0)),
        &plan(PairedMetric::ALL.to_vec()),
        None,
    );
    assert!(compared
        .metrics
        .iter()
        .all(|m| m.decision == Decision::Undecided));
    assert!(!compared.is_decided());
    assert!(!compared.fails());
}

#[test]
fn a_failed_repetition_of_new_fails_the_cell_and_one_of_base_does_not() {
    let mut broken = pairs(2, (1000.0, 1.0), (1000.0, 1.0));
    broken[1].new.status = Status::TimedOut;
    let failure = |side: &str| {
        Some(Failure {
            side: side.into(),
            status: "timed out".into(),
        })
    };
    let new_failed = CellComparison::of(cell(), &broken, &plan(vec![]), failure("NEW"));
    assert_eq!(new_failed.pairs, 1, "the broken pair is left out");
    assert!(new_failed.fails() && new_failed.is_decided());
    let base_failed = CellComparison::of(cell(), &broken, &plan(vec![]), failure("BASE"));
    assert!(!base_failed.fails() && base_failed.is_decided());
}

#[test]
fn the_confidence_is_shared_among_every_gated_comparison_and_look() {
    let plan = plan(vec![PairedMetric::Goodput]);
    assert_eq!(plan.looks(), 4);
    assert!(plan.looks_at(8) && plan.looks_at(24) && plan.looks_at(32));
    assert!(!plan.looks_at(7) && !plan.looks_at(0));
    let odd = Plan {
        max_pairs: 20,
        ..plan.clone()
    };
    assert_eq!(odd.looks(), 3);
    assert!(odd.looks_at(20), "the cap is a look");
    let corrected = Plan::corrected(0.95, 10, 4);
    assert!((corrected - (1.0 - 0.05 / 40.0)).abs() < 1e-12);
}
