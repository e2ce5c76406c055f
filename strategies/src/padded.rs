//! A value alone on its cache line.
//!
//! Two atomics on one cache line are one atomic as far as the cores are
//! concerned: a write to either takes the line away from every core that
//! reads the other (false sharing). A flag that the consumer reads per
//! item, or a count that spinning waiters read, must therefore not share
//! a line with the lock that every send takes. 128 bytes: x86 prefetches
//! lines in adjacent pairs, and some ARM cores have 128-byte lines.

use std::ops::Deref;

/// `T`, aligned (and so padded) to 128 bytes.
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct CachePadded<T>(pub(crate) T);

impl<T> Deref for CachePadded<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}
