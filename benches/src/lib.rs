//! Shared pieces of contend's criterion benches, and `bench-report`'s
//! library; the benches live in `benches/*.rs` and run with
//! `cargo bench -p contend-benches` (`scripts/bench-report` runs them and
//! prints the ratio table).
//!
//! - [`config`]: the one criterion configuration every bench file uses,
//!   sized so that each file's full run stays within a few minutes on a
//!   2-core machine;
//! - [`crew`]: persistent threads released together by a start barrier,
//!   so thread spawning stays out of every measurement;
//! - [`countdown`]: the completion signal every pool is waited with;
//! - [`spin`]: a calibrated microsecond of CPU;
//! - [`keys`]: precomputed key sequences (uniform and zipf-like), so no
//!   random number is drawn inside a timed loop;
//! - [`mix`]: precomputed operation sequences for the cache mixes;
//! - [`estimates`], [`targets`], [`ratios`], [`confirm`]: `bench-report`;
//! - [`paired`]: `bench-ab`, the benches of two revisions measured side by
//!   side, pair by pair (`scripts/bench-report --against REV`).
//!
//! # Benchmark ids
//!
//! Every bench names its measurements `<group>/<function>/<parameter>`,
//! where the group is the workload shape, the function the variant, and
//! the parameter the one swept dimension; criterion stores each at
//! `target/criterion/<group with '/' as '_'>/<function>/<parameter>/new/`.
//! Each bench file documents its own groups at its top. The fan-in, cache
//! and counter benches run with `iter_custom` under linear sampling, so
//! `estimates.json` has a `slope`: the time of one iteration, with the
//! fixed cost of each sample (waking threads, opening a channel) left in
//! the intercept. An iteration is one message (fan-in), or one operation
//! or increment on each worker thread (cache, counters). The pool benches
//! time a batch of jobs and declare it as their throughput. `bench-report`
//! reads the slope where there is one, the mean otherwise, divided by the
//! declared throughput: a time per element either way.

pub mod config;
pub mod confirm;
pub mod countdown;
pub mod crew;
pub mod estimates;
pub mod keys;
pub mod mix;
pub mod paired;
pub mod ratios;
pub mod spin;
pub mod targets;
