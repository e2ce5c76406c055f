//! Code shared by test files that include it with `mod common;`.
#![allow(dead_code)]

pub mod opposite_orders;
pub mod racy_pool;
pub mod single_worker;
