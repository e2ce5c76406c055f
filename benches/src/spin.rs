//! A job of about one microsecond of CPU: a loop calibrated once per
//! process, so that "1 µs jobs" cost the same in every system compared.

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::Instant;

fn spin(iterations: u64) {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for i in 0..iterations {
        x = black_box(x.rotate_left(5) ^ i);
    }
    black_box(x);
}

/// Loop iterations in one microsecond on this machine: the fastest of a
/// few runs, so that a momentarily busy core does not skew it.
fn iterations_per_microsecond() -> u64 {
    static CALIBRATION: OnceLock<u64> = OnceLock::new();
    *CALIBRATION.get_or_init(|| {
        let probe = 1_000_000u64;
        let fastest = (0..5)
            .map(|_| {
                let start = Instant::now();
                spin(probe);
                start.elapsed()
            })
            .min()
            .expect("five runs");
        (probe as f64 / (fastest.as_nanos().max(1) as f64 / 1000.0)).max(1.0) as u64
    })
}

/// Spins about one microsecond.
pub fn one_microsecond() {
    spin(iterations_per_microsecond());
}

/// Calibrates now, outside any measurement.
pub fn calibrate() {
    iterations_per_microsecond();
}
