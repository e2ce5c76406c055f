//! Criterion benches for contend; see `benches/` and `README.md`.
//!
//! The library is empty: the benches live in `benches/*.rs` and run with
//! `cargo bench -p contend-benches`.
