//! `.hgrm`: HdrHistogram's percentile distribution text, as Java's
//! `outputPercentileDistribution` writes it, so HdrHistogram's plotter
//! (hdrhistogram.github.io/HdrHistogram/plotFiles.html) reads it.
//! Values are in milliseconds.

use std::fmt::Write as _;

use hdrhistogram::Histogram;

/// The percentile distribution of `histogram` (nanoseconds), in ms.
pub fn render(histogram: &Histogram<u64>) -> String {
    let scale = 1e6;
    let mut text = String::from("       Value     Percentile TotalCount 1/(1-Percentile)\n\n");
    let mut total = 0u64;
    for step in histogram.iter_quantiles(5) {
        total += step.count_since_last_iteration();
        let value = step.value_iterated_to() as f64 / scale;
        let quantile = step.quantile_iterated_to();
        if quantile < 1.0 {
            let _ = writeln!(
                text,
                "{value:12.3} {quantile:2.12} {total:10} {:14.2}",
                1.0 / (1.0 - quantile)
            );
        } else {
            let _ = writeln!(text, "{value:12.3} {quantile:2.12} {total:10}");
        }
    }
    let _ = writeln!(
        text,
        "#[Mean    = {:12.3}, StdDeviation   = {:12.3}]",
        histogram.mean() / scale,
        histogram.stdev() / scale
    );
    let _ = writeln!(
        text,
        "#[Max     = {:12.3}, Total count    = {:12}]",
        histogram.max() as f64 / scale,
        histogram.len()
    );
    let _ = writeln!(
        text,
        "#[Buckets = {:12}, SubBuckets     = {:12}]",
        histogram.buckets(),
        histogram.distinct_values()
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::new_histogram;

    #[test]
    fn an_hgrm_file_ends_at_the_hundredth_percentile_with_every_count() {
        let mut histogram = new_histogram();
        for i in 1..=1000u64 {
            histogram.record(i * 1_000_000).unwrap();
        }
        let text = render(&histogram);
        assert!(text.starts_with("       Value     Percentile TotalCount"));
        let last = text
            .lines()
            .rfind(|l| !l.starts_with('#') && !l.trim().is_empty())
            .unwrap();
        let columns: Vec<&str> = last.split_whitespace().collect();
        assert_eq!(columns[1], "1.000000000000");
        assert_eq!(columns[2], "1000");
        assert!(text.contains("Total count    =         1000"));
    }
}
