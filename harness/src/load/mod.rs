//! The load a scenario puts on a strategy: when jobs arrive
//! ([`arrival`]), how long each one works ([`service`]), and the
//! downstream service it calls: a simulated one ([`downstream`]) or a real
//! PostgreSQL server ([`postgres`]).
//!
//! The first three are models, deterministic for a given seed, so that two
//! strategies in one run face the same sequence of arrivals and service
//! times, and a unit test can check a model without a clock.

pub mod arrival;
pub mod downstream;
pub mod postgres;
pub mod service;
