//! Criterion benches for contend, and what they share; see `benches/` and
//! `README.md`. The benches run with `cargo bench -p contend-benches`;
//! `bench-report` turns their estimates into the ratio table.

pub mod config;
pub mod countdown;
pub mod spin;
