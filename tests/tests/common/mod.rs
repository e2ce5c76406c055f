//! Code shared by test files that include it with `mod common;`.
#![allow(dead_code)]

pub mod single_worker;
