//! Criterion benches for contend, and what they share; see `benches/` and
//! `README.md`. The benches run with `cargo bench -p contend-benches`;
//! `bench-report` turns their estimates into the ratio table
//! (`scripts/bench-report` does both).

pub mod config;
pub mod countdown;
pub mod estimates;
pub mod ratios;
pub mod spin;
pub mod targets;
