//! Which jobs ran: one bit per job id, set when the job starts.
//!
//! A bit per job (not a counter) is what shows a job run twice. The bitmap
//! is allocated in chunks as ids grow, so a run of unknown length (a
//! duration, a closed loop) needs no size up front, and it holds no lock:
//! setting a bit is one `fetch_or`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

const WORDS_PER_CHUNK: usize = 1024;
const IDS_PER_CHUNK: u64 = (WORDS_PER_CHUNK * 64) as u64;
const CHUNKS: usize = 1 << 13;

/// The set of job ids that started.
pub struct Ledger {
    chunks: Box<[OnceLock<Box<[AtomicU64]>>]>,
    duplicates: AtomicU64,
    out_of_range: AtomicU64,
}

impl Default for Ledger {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger").field("ran", &self.ran()).finish()
    }
}

impl Ledger {
    /// Ids a ledger can hold (about 536 million).
    pub const CAPACITY: u64 = IDS_PER_CHUNK * CHUNKS as u64;

    /// An empty ledger.
    pub fn new() -> Self {
        Self {
            chunks: (0..CHUNKS).map(|_| OnceLock::new()).collect(),
            duplicates: AtomicU64::new(0),
            out_of_range: AtomicU64::new(0),
        }
    }

    /// Job `id` started.
    #[inline]
    pub fn mark(&self, id: u64) {
        let chunk = (id / IDS_PER_CHUNK) as usize;
        let Some(slot) = self.chunks.get(chunk) else {
            self.out_of_range.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let words = slot.get_or_init(|| (0..WORDS_PER_CHUNK).map(|_| AtomicU64::new(0)).collect());
        let bit = id % IDS_PER_CHUNK;
        let mask = 1u64 << (bit % 64);
        if words[(bit / 64) as usize].fetch_or(mask, Ordering::Relaxed) & mask != 0 {
            self.duplicates.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Distinct jobs that started.
    pub fn ran(&self) -> u64 {
        let marked: u64 = self
            .chunks
            .iter()
            .filter_map(OnceLock::get)
            .flat_map(|words| words.iter())
            .map(|word| u64::from(word.load(Ordering::Relaxed).count_ones()))
            .sum();
        marked + self.out_of_range.load(Ordering::Relaxed)
    }

    /// Starts of an id that had already started.
    pub fn duplicates(&self) -> u64 {
        self.duplicates.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ledger_counts_distinct_jobs_and_catches_a_second_start() {
        let ledger = Ledger::new();
        for id in [0, 1, 63, 64, IDS_PER_CHUNK + 5, 3 * IDS_PER_CHUNK] {
            ledger.mark(id);
        }
        assert_eq!(ledger.ran(), 6);
        assert_eq!(ledger.duplicates(), 0);
        ledger.mark(64);
        assert_eq!(ledger.ran(), 6);
        assert_eq!(ledger.duplicates(), 1);
    }
}
