//! Shared pieces of contend's criterion benches; the benches themselves
//! live in `benches/*.rs` and run with `cargo bench -p contend-benches`.
//!
//! - [`config`]: the one criterion configuration every bench file uses,
//!   sized so that each file's full run stays within a few minutes on a
//!   2-core machine;
//! - [`crew`]: persistent threads released together by a start barrier,
//!   so thread spawning stays out of every measurement;
//! - [`keys`]: precomputed key sequences (uniform and zipf-like), so no
//!   random number is drawn inside a timed loop;
//! - [`mix`]: precomputed operation sequences for the cache mixes.
//!
//! # Benchmark ids
//!
//! Every bench names its measurements `<group>/<function>/<parameter>`,
//! where the group is the workload shape, the function the variant, and
//! the parameter the one swept dimension; criterion stores each at
//! `target/criterion/<group with '/' as '_'>/<function>/<parameter>/new/`.
//! Each bench file documents its own groups at its top. Every bench runs
//! with `iter_custom` under criterion's default linear sampling, so
//! `estimates.json` has a `slope`: the time of one iteration, with the
//! fixed cost of each sample (waking threads, opening a channel) left in
//! the intercept. An iteration is one message (fan-in), or one operation
//! or increment on each worker thread (cache, counters); ratios between
//! two ids of one group and parameter are ratios of that cost.

pub mod config;
pub mod crew;
pub mod keys;
pub mod mix;
