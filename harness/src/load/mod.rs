//! The load a scenario puts on a strategy: when jobs arrive
//! ([`arrival`]), how long each one works ([`service`]), and the
//! downstream service it calls ([`downstream`]).
//!
//! These are models, deterministic for a given seed, so that two
//! strategies in one run face the same sequence of arrivals and service
//! times, and a unit test can check a model without a clock.

pub mod arrival;
pub mod downstream;
pub mod service;
