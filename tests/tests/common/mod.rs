//! Code shared by test files that include it with `mod common;`.
#![allow(dead_code)]

pub mod lost_wakeup;
pub mod single_worker;
#[cfg(not(loom))]
pub mod spawn_each;
#[cfg(not(loom))]
pub mod submit_races_close;
