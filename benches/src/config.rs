//! The criterion configuration shared by every bench file.
//!
//! One second of measurement after 300 ms of warm-up, 10 samples, and a
//! tenth of criterion's default bootstrap resamples: the analysis of each
//! benchmark then costs tens of milliseconds rather than a few hundred,
//! which matters with a hundred benchmarks a file. With these settings a
//! benchmark takes 1.4 to 1.8 s, so each file keeps its number of
//! benchmarks low enough to finish in under four minutes on the 2-core
//! reference machine (fan-in: 123 benchmarks, about 3.3 min; cache: 98,
//! about 2.4 min; counters: 4, about 10 s).

use std::time::Duration;

use criterion::Criterion;

/// Samples per benchmark.
pub const SAMPLES: usize = 10;

/// The configuration every bench file passes to `criterion_group!`.
pub fn criterion() -> Criterion {
    Criterion::default()
        .measurement_time(Duration::from_secs(1))
        .warm_up_time(Duration::from_millis(300))
        .sample_size(SAMPLES)
        .nresamples(10_000)
        .configure_from_args()
}
