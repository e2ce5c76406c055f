//! Precomputed operation sequences for the cache benches.
//!
//! A mix is a share (in percent) for each of four operations; a sequence
//! interleaves them at random with keys from a [`KeyDist`], drawn once
//! before the benchmark, so the timed loop only indexes an array.

use crate::keys::{KeyDist, KeySampler, SplitMix64};

/// One cache operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    /// `get(key)`.
    Read,
    /// `insert(key, value)`.
    Insert,
    /// `remove(key)`.
    Remove,
    /// `get_many` of [`GET_MANY`] keys starting at this one: the
    /// multi-key read whose consistency the untorn-refresh promise is about.
    GetMany,
}

/// How many keys one [`OpKind::GetMany`] reads.
pub const GET_MANY: usize = 8;

/// One operation of a sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Op {
    /// What to do.
    pub kind: OpKind,
    /// The key.
    pub key: u64,
}

/// The share of each operation, in percent (they sum to 100).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mix {
    /// The name used in benchmark ids.
    pub name: &'static str,
    /// Percent of reads.
    pub read: u32,
    /// Percent of inserts.
    pub insert: u32,
    /// Percent of removes.
    pub remove: u32,
    /// Percent of `get_many` reads.
    pub get_many: u32,
}

impl Mix {
    /// A mix of the given shares.
    pub const fn new(
        name: &'static str,
        read: u32,
        insert: u32,
        remove: u32,
        get_many: u32,
    ) -> Self {
        assert!(
            read + insert + remove + get_many == 100,
            "shares sum to 100"
        );
        Self {
            name,
            read,
            insert,
            remove,
            get_many,
        }
    }

    fn pick(&self, roll: u32) -> OpKind {
        if roll < self.read {
            OpKind::Read
        } else if roll < self.read + self.insert {
            OpKind::Insert
        } else if roll < self.read + self.insert + self.remove {
            OpKind::Remove
        } else {
            OpKind::GetMany
        }
    }

    /// `len` operations (a power of two) over keys `0..keys`, seeded by `seed`.
    pub fn sequence(&self, dist: KeyDist, keys: u64, len: usize, seed: u64) -> Vec<Op> {
        assert!(len.is_power_of_two(), "sequence lengths wrap with a mask");
        let sampler = KeySampler::new(dist, keys);
        let mut rng = SplitMix64::new(seed);
        (0..len)
            .map(|_| {
                let kind = self.pick(rng.below(100) as u32);
                let key = sampler.sample(&mut rng);
                Op { kind, key }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sequence_follows_its_mix() {
        let mix = Mix::new("test", 50, 20, 20, 10);
        let ops = mix.sequence(KeyDist::Uniform, 100, 1 << 14, 3);
        let share = |kind| ops.iter().filter(|op| op.kind == kind).count() * 100 / ops.len();
        assert!((48..=52).contains(&share(OpKind::Read)));
        assert!((8..=12).contains(&share(OpKind::GetMany)));
    }

    #[test]
    fn a_read_only_mix_only_reads() {
        let ops = Mix::new("ro", 100, 0, 0, 0).sequence(KeyDist::Zipf, 10, 64, 1);
        assert!(ops.iter().all(|op| op.kind == OpKind::Read));
    }
}
