//! Arrival processes: when the load generator submits each job.
//!
//! Closed loop (`clients` that each submit, wait for their job and think)
//! measures a system that pushes back on its callers; open loop (a fixed
//! rate, uniform or Poisson, bursts, ramps) measures one whose callers do
//! not wait, which is where queues grow. Open-loop processes are a
//! [`Schedule`] of intended start times, computed ahead of the clock, so
//! that latency can be measured from the intended time even when the
//! submitter falls behind.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_distr::{Distribution, Exp};
use serde::{Deserialize, Serialize};

/// How gaps between open-loop arrivals are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Spacing {
    /// Evenly spaced: exactly `1 / rate` apart.
    Uniform,
    /// A Poisson process: exponential gaps with mean `1 / rate`.
    Poisson,
}

impl Spacing {
    /// Names as written in scenario files.
    pub const NAMES: [&'static str; 2] = ["uniform", "poisson"];
}

/// An arrival process.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum Arrival {
    /// Every job submitted back to back by one submitter, as fast as the
    /// executor accepts them (a batch).
    Batch,
    /// `clients` submitters that each submit a job, wait for it to end,
    /// think, and submit the next.
    Closed {
        /// Concurrent clients.
        clients: usize,
        /// Pause between a job's end and the client's next submit.
        think: Duration,
    },
    /// Jobs at a fixed rate, whether or not earlier ones have finished.
    Open {
        /// Jobs per second.
        rate: f64,
        /// How the gaps are drawn.
        spacing: Spacing,
    },
    /// `size` jobs at once, every `every`.
    Burst {
        /// Jobs per burst.
        size: usize,
        /// Time between bursts.
        every: Duration,
    },
    /// Open loop whose rate moves linearly from `from` to `to` over `over`,
    /// then stays at `to`.
    Ramp {
        /// Starting rate, jobs per second.
        from: f64,
        /// Final rate, jobs per second.
        to: f64,
        /// Time to go from one to the other.
        over: Duration,
        /// How the gaps are drawn.
        spacing: Spacing,
    },
}

/// The arrival as a person reads it: `open 3000/s poisson`.
impl std::fmt::Display for Arrival {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let spacing = |spacing: &Spacing| match spacing {
            Spacing::Uniform => "uniform",
            Spacing::Poisson => "poisson",
        };
        let time = |d: &Duration| crate::units::duration::display(*d);
        match self {
            Arrival::Batch => write!(f, "batch"),
            Arrival::Closed { clients, think } if think.is_zero() => {
                write!(f, "closed loop, {clients} clients")
            }
            Arrival::Closed { clients, think } => {
                write!(f, "closed loop, {clients} clients thinking {}", time(think))
            }
            Arrival::Open { rate, spacing: s } => write!(f, "open {rate}/s {}", spacing(s)),
            Arrival::Burst { size, every } => write!(f, "bursts of {size} every {}", time(every)),
            Arrival::Ramp {
                from,
                to,
                over,
                spacing: s,
            } => write!(
                f,
                "ramp {from}/s to {to}/s over {} {}",
                time(over),
                spacing(s)
            ),
        }
    }
}

impl Arrival {
    /// Names as written in scenario files.
    pub const NAMES: [&'static str; 5] = ["batch", "closed", "open", "burst", "ramp"];

    /// Whether arrivals follow a schedule (open loop) rather than the
    /// executor's pace.
    pub fn is_open(&self) -> bool {
        matches!(
            self,
            Arrival::Open { .. } | Arrival::Burst { .. } | Arrival::Ramp { .. }
        )
    }

    /// The schedule of an open-loop process, or `None` for batch and
    /// closed loop. It ends after `jobs` arrivals or at `duration`,
    /// whichever comes first.
    pub fn schedule(
        &self,
        jobs: Option<u64>,
        duration: Option<Duration>,
        seed: u64,
    ) -> Option<Schedule> {
        self.is_open().then(|| Schedule {
            arrival: self.clone(),
            rng: StdRng::seed_from_u64(seed),
            next: 0.0,
            emitted: 0,
            jobs,
            end: duration.map(|d| d.as_secs_f64()),
        })
    }
}

/// Intended start times (offsets from the start of the run), in order.
#[derive(Debug)]
pub struct Schedule {
    arrival: Arrival,
    rng: StdRng,
    /// The next arrival, in seconds from the start.
    next: f64,
    emitted: u64,
    jobs: Option<u64>,
    end: Option<f64>,
}

impl Schedule {
    fn gap(&mut self, rate: f64, spacing: Spacing) -> f64 {
        match spacing {
            Spacing::Uniform => 1.0 / rate,
            Spacing::Poisson => Exp::new(rate)
                .expect("rates are validated positive")
                .sample(&mut self.rng),
        }
    }
}

impl Iterator for Schedule {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        if self.jobs.is_some_and(|jobs| self.emitted >= jobs)
            || self.end.is_some_and(|end| self.next >= end)
        {
            return None;
        }
        let at = self.next;
        self.emitted += 1;
        self.next += match self.arrival.clone() {
            Arrival::Open { rate, spacing } => self.gap(rate, spacing),
            Arrival::Burst { size, every } => {
                if self.emitted % size as u64 == 0 {
                    every.as_secs_f64()
                } else {
                    0.0
                }
            }
            Arrival::Ramp {
                from,
                to,
                over,
                spacing,
            } => {
                let progress = (at / over.as_secs_f64().max(f64::MIN_POSITIVE)).min(1.0);
                self.gap(from + (to - from) * progress, spacing)
            }
            Arrival::Batch | Arrival::Closed { .. } => {
                unreachable!("only open loops have a schedule")
            }
        };
        Some(Duration::from_secs_f64(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_gap(times: &[Duration]) -> f64 {
        (times.last().unwrap().as_secs_f64() - times[0].as_secs_f64()) / (times.len() - 1) as f64
    }

    #[test]
    fn a_uniform_open_loop_spaces_arrivals_exactly_one_over_the_rate() {
        let arrival = Arrival::Open {
            rate: 1000.0,
            spacing: Spacing::Uniform,
        };
        let times: Vec<_> = arrival.schedule(Some(500), None, 1).unwrap().collect();
        assert_eq!(times.len(), 500);
        assert!((mean_gap(&times) - 0.001).abs() < 1e-9);
    }

    #[test]
    fn a_poisson_open_loop_has_the_rate_as_its_mean_and_is_reproducible() {
        let arrival = Arrival::Open {
            rate: 2000.0,
            spacing: Spacing::Poisson,
        };
        let times: Vec<_> = arrival.schedule(Some(20_000), None, 7).unwrap().collect();
        let again: Vec<_> = arrival.schedule(Some(20_000), None, 7).unwrap().collect();
        assert_eq!(times, again);
        let mean = mean_gap(&times);
        assert!((mean - 0.0005).abs() < 0.0005 * 0.03, "mean gap {mean}");
        assert!(times
            .windows(2)
            .any(|w| w[1] - w[0] > Duration::from_micros(1500)));
    }

    #[test]
    fn a_duration_ends_the_schedule() {
        let arrival = Arrival::Open {
            rate: 100.0,
            spacing: Spacing::Uniform,
        };
        let count = arrival
            .schedule(None, Some(Duration::from_secs(2)), 1)
            .unwrap()
            .count();
        assert_eq!(count, 200);
    }

    #[test]
    fn bursts_arrive_together_then_pause() {
        let arrival = Arrival::Burst {
            size: 10,
            every: Duration::from_millis(100),
        };
        let times: Vec<_> = arrival.schedule(Some(35), None, 1).unwrap().collect();
        assert_eq!(times.len(), 35);
        assert!(times[..10].iter().all(|t| t.is_zero()));
        assert_eq!(times[10], Duration::from_millis(100));
        assert_eq!(times[34], Duration::from_millis(300));
    }

    #[test]
    fn a_ramp_arrives_faster_at_its_end_than_at_its_start() {
        let arrival = Arrival::Ramp {
            from: 100.0,
            to: 1000.0,
            over: Duration::from_secs(1),
            spacing: Spacing::Uniform,
        };
        let times: Vec<_> = arrival
            .schedule(None, Some(Duration::from_secs(2)), 1)
            .unwrap()
            .collect();
        let early = times.iter().filter(|t| t.as_secs_f64() < 0.1).count();
        let late = times.iter().filter(|t| t.as_secs_f64() >= 1.9).count();
        assert!(early < 20 && late >= 99, "early {early}, late {late}");
        // about the area under the rate: 550 in the ramp, 1000 after it
        assert!((1450..1600).contains(&times.len()), "{}", times.len());
    }

    #[test]
    fn closed_loops_and_batches_have_no_schedule() {
        assert!(Arrival::Batch.schedule(Some(10), None, 1).is_none());
        let closed = Arrival::Closed {
            clients: 2,
            think: Duration::ZERO,
        };
        assert!(closed.schedule(Some(10), None, 1).is_none());
    }
}
