//! The criterion settings every bench file shares: short enough that the
//! whole bench suite runs in minutes on 2 cores, long enough that the
//! ratios it reports are stable to a few percent.

use std::time::Duration;

use criterion::Criterion;

/// Ten samples of about two seconds after half a second of warm-up.
pub fn criterion() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .without_plots()
}
