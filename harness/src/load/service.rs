//! Service time: how long a job works, and whether it sleeps (IO-bound) or
//! spins a core (CPU-bound).
//!
//! A spin is a calibrated number of loop iterations, not a wait on the
//! clock: on an idle core it takes the asked time, on a contended core it
//! takes longer, exactly as real CPU work does. That is what makes "more
//! workers than cores" visible.

use std::time::{Duration, Instant};

use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal};
use serde::{Deserialize, Serialize};

/// What a job does for its service time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Work {
    /// Sleeps: an IO-bound job waiting on something else.
    Sleep,
    /// Spins a core: a CPU-bound job.
    Spin,
}

impl Work {
    /// Names as written in scenario files.
    pub const NAMES: [&'static str; 2] = ["sleep", "spin"];
}

/// How a job on a tokio strategy waits: for its sleep and its downstream
/// call. Thread strategies always block (a thread waiting on IO is what
/// they are).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Io {
    /// Awaits tokio's timer and the downstream's async path: a waiting
    /// job holds no thread. The default on tokio strategies.
    Async,
    /// Blocks the runtime thread it runs on (`std::thread::sleep`, the
    /// blocking downstream call): the anti-pattern, on purpose, to show
    /// what it costs. A runtime then runs at most as many jobs at once as
    /// it has threads.
    Blocking,
}

impl Io {
    /// Names as written in scenario files.
    pub const NAMES: [&'static str; 2] = ["async", "blocking"];

    /// The mode called `name`.
    pub fn from_name(name: &str) -> Option<Io> {
        match name {
            "async" => Some(Io::Async),
            "blocking" => Some(Io::Blocking),
            _ => None,
        }
    }

    /// Its name in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Io::Async => "async",
            Io::Blocking => "blocking",
        }
    }
}

/// How service times are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "dist")]
pub enum Dist {
    /// Always `mean`.
    Fixed {
        /// The service time.
        mean: Duration,
    },
    /// Exponential with mean `mean`: mostly short, a long tail.
    Exponential {
        /// The mean service time.
        mean: Duration,
    },
    /// Log-normal with mean `mean` and shape `sigma`: the long tail real
    /// services show.
    LogNormal {
        /// The mean service time.
        mean: Duration,
        /// The standard deviation of the underlying normal.
        sigma: f64,
    },
}

impl Dist {
    /// Names as written in scenario files.
    pub const NAMES: [&'static str; 3] = ["fixed", "exponential", "lognormal"];

    /// Draws one service time.
    pub fn sample(&self, rng: &mut impl Rng) -> Duration {
        let seconds = match *self {
            Dist::Fixed { mean } => return mean,
            Dist::Exponential { mean } if mean.is_zero() => 0.0,
            Dist::Exponential { mean } => Exp::new(1.0 / mean.as_secs_f64())
                .expect("a positive mean")
                .sample(rng),
            Dist::LogNormal { mean, .. } if mean.is_zero() => 0.0,
            Dist::LogNormal { mean, sigma } => {
                let mu = mean.as_secs_f64().ln() - sigma * sigma / 2.0;
                LogNormal::new(mu, sigma)
                    .expect("a finite sigma")
                    .sample(rng)
            }
        };
        Duration::from_secs_f64(seconds.min(3600.0))
    }
}

/// A job's service: what it does and how long.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceModel {
    /// Sleep or spin.
    pub work: Work,
    /// How long.
    #[serde(flatten)]
    pub dist: Dist,
    /// Bytes each job holds while it works (a request's buffers): with
    /// many jobs in flight, this is what makes unbounded concurrency run
    /// out of memory. 0: none.
    #[serde(default)]
    pub memory: u64,
}

impl Default for ServiceModel {
    fn default() -> Self {
        Self {
            work: Work::Sleep,
            dist: Dist::Fixed {
                mean: Duration::ZERO,
            },
            memory: 0,
        }
    }
}

/// Spin iterations per nanosecond on this machine, measured once per
/// process.
#[derive(Clone, Copy, Debug)]
pub struct SpinCalibration {
    iterations_per_ns: f64,
}

#[inline(never)]
fn spin_iterations(iterations: u64) -> u64 {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for i in 0..iterations {
        x = std::hint::black_box(x.rotate_left(5) ^ i);
    }
    x
}

impl SpinCalibration {
    /// Measures the spin loop: the fastest of a few 2 ms runs, so that a
    /// momentarily busy core does not make every later spin too short.
    pub fn measure() -> Self {
        let probe = 200_000u64;
        let fastest = (0..5)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(spin_iterations(probe));
                start.elapsed()
            })
            .min()
            .unwrap_or(Duration::from_millis(1));
        Self {
            iterations_per_ns: probe as f64 / fastest.as_nanos().max(1) as f64,
        }
    }

    /// Spins for about `time` of CPU.
    pub fn spin(&self, time: Duration) {
        let iterations = (time.as_nanos() as f64 * self.iterations_per_ns) as u64;
        std::hint::black_box(spin_iterations(iterations));
    }
}

impl ServiceModel {
    /// Performs `time` of this model's work on the calling thread.
    pub fn perform(&self, time: Duration, calibration: &SpinCalibration) {
        let _held = (self.memory > 0).then(|| hold_memory(self.memory));
        if time.is_zero() {
            return;
        }
        match self.work {
            Work::Sleep => std::thread::sleep(time),
            Work::Spin => calibration.spin(time),
        }
    }
}

impl ServiceModel {
    /// The same work from async code: a sleep awaits tokio's timer and
    /// holds no thread; a spin is CPU work and holds the runtime thread it
    /// runs on for its whole length, as real computation would.
    pub async fn perform_async(&self, time: Duration, calibration: &SpinCalibration) {
        let _held = (self.memory > 0).then(|| hold_memory(self.memory));
        if time.is_zero() {
            return;
        }
        match self.work {
            Work::Sleep => tokio::time::sleep(time).await,
            Work::Spin => calibration.spin(time),
        }
    }
}

/// Allocates `bytes` and writes to every page, so that the memory is
/// really resident (an untouched allocation costs only address space).
fn hold_memory(bytes: u64) -> Vec<u8> {
    const PAGE: usize = 4096;
    let mut buffer = vec![0u8; bytes as usize];
    for page in buffer.iter_mut().step_by(PAGE) {
        *page = 1;
    }
    std::hint::black_box(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn mean_of(dist: Dist) -> f64 {
        let mut rng = StdRng::seed_from_u64(3);
        let n = 50_000;
        (0..n)
            .map(|_| dist.sample(&mut rng).as_secs_f64())
            .sum::<f64>()
            / n as f64
    }

    #[test]
    fn every_distribution_has_the_mean_it_was_given() {
        let mean = Duration::from_millis(10);
        for dist in [
            Dist::Fixed { mean },
            Dist::Exponential { mean },
            Dist::LogNormal { mean, sigma: 0.8 },
        ] {
            let measured = mean_of(dist);
            assert!((measured - 0.010).abs() < 0.0005, "{dist:?}: {measured}");
        }
    }

    #[test]
    fn a_zero_mean_draws_zero() {
        let mut rng = StdRng::seed_from_u64(1);
        let zero = Duration::ZERO;
        assert!(Dist::Exponential { mean: zero }.sample(&mut rng).is_zero());
        assert!(Dist::LogNormal {
            mean: zero,
            sigma: 1.0
        }
        .sample(&mut rng)
        .is_zero());
    }
}
