//! One value of a scenario file, read with its position: the error that
//! names the file, the line and what is allowed ([`ScenarioError`]), and
//! the checks every table shares (a count of at least 1, a fraction, a
//! rate, a duration, a size).
//!
//! Below both `scenario` (the file's common keys) and `kinds` (each kind's
//! `[workload]` table), so that each reads its own tables with the same
//! errors without importing the other.

mod checks;
mod error;

pub use checks::Checked;
pub(crate) use checks::{at_most, fraction, job_memory, memory, parse, positive, rate, time};
pub use error::{ScenarioError, Source};
