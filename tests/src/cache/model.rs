//! The model check: random sequences of every operation on one thread,
//! each result compared with what a `HashMap` answers.

use std::collections::HashMap;

use contend_strategies::cache::RefreshMode;

use super::Variant;
use crate::support::Rng;

const SEQUENCES: u64 = 100;
const STEPS: usize = 300;
const KEYS: u64 = 24;

/// A random batch for `refresh`, duplicates included.
pub(super) fn random_batch(rng: &mut Rng, keys: u64) -> Vec<(u64, u64)> {
    (0..rng.below(0..10))
        .map(|_| (rng.below(0..keys), rng.next_u64()))
        .collect()
}

/// Every operation agrees with a `HashMap` driven the same way, over
/// many seeded random sequences (the seed is in the failure message).
pub fn behaves_like_a_hashmap_on_one_thread<C: Variant>(make: fn() -> C) {
    for seed in 0..SEQUENCES {
        let cache = make();
        let mut model: HashMap<u64, u64> = HashMap::new();
        let mut rng = Rng::new(seed);
        for step in 0..STEPS {
            let context = format!("{}, sequence {seed}, step {step}", cache.name());
            let key = rng.below(0..KEYS);
            match rng.below(0..7) {
                0 => assert_eq!(cache.get(&key), model.get(&key).copied(), "{context}: get"),
                1 => {
                    let keys: Vec<u64> = (0..rng.below(0..6)).map(|_| rng.below(0..KEYS)).collect();
                    let expected: Vec<_> = keys.iter().map(|k| model.get(k).copied()).collect();
                    assert_eq!(cache.get_many(&keys), expected, "{context}: get_many");
                }
                2 | 3 => {
                    let value = rng.next_u64();
                    assert_eq!(
                        cache.insert(key, value),
                        model.insert(key, value),
                        "{context}: insert"
                    );
                }
                4 => assert_eq!(cache.remove(&key), model.remove(&key), "{context}: remove"),
                5 => {
                    let batch = random_batch(&mut rng, KEYS);
                    let mode = if rng.percent(50) {
                        RefreshMode::Replace
                    } else {
                        RefreshMode::Merge
                    };
                    if mode == RefreshMode::Replace {
                        model.clear();
                    }
                    model.extend(batch.iter().copied());
                    cache.refresh(batch, mode);
                }
                _ => {
                    assert_eq!(cache.len(), model.len(), "{context}: len");
                    assert_eq!(cache.is_empty(), model.is_empty(), "{context}: is_empty");
                }
            }
        }
        for key in 0..KEYS {
            assert_eq!(
                cache.get(&key),
                model.get(&key).copied(),
                "seed {seed}: final key {key}"
            );
        }
    }
}
