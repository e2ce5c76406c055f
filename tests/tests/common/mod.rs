//! Code shared by test files that include it with `mod common;`.
#![allow(dead_code)]

pub mod single_worker;
#[cfg(not(loom))]
pub mod spawn_each;
