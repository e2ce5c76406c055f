//! Quantities as scenario files and reports write them: durations
//! (`"50ms"`) and sizes (`"64MiB"`).
//!
//! A module of its own, below everything that reads or prints one, so that
//! the load models, the scenario checks and the kinds share one spelling
//! without importing each other.

pub mod duration;
mod quantity;
pub mod size;
