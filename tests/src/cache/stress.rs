//! Stress versions: many seeded rounds on real threads with random sizes.

use std::collections::HashMap;
use std::thread;

use contend_strategies::cache::RefreshMode;

use super::model::random_batch;
use super::refresh::{race, read_all_keys, read_one_key, Race};
use super::Variant;
use crate::support::{within_deadline, Rng};

/// A random race size for round `rng`.
fn random_race(rng: &mut Rng) -> Race {
    Race {
        keys: rng.below(1..128),
        versions: rng.below(1..50),
        readers: rng.below(1..5) as usize,
    }
}

/// Writers on disjoint key ranges (2 to 8 threads), each checking every
/// answer against its own model while a reader calls `get_many` and a
/// refresher merges batches into keys nobody else writes: no update is
/// lost, and the cache ends equal to the union of the models.
pub fn stress_disjoint_writers_lose_no_update<C: Variant>(make: fn() -> C, rounds: usize) {
    const KEYS_EACH: u64 = 32;
    for round in 0..rounds {
        within_deadline(&format!("disjoint writers, round {round}"), move || {
            let cache = make();
            let mut rng = Rng::new(round as u64);
            let writers = rng.below(2..9);
            let refreshed_base = writers * KEYS_EACH;
            let models: Vec<HashMap<u64, u64>> = thread::scope(|scope| {
                let cache = &cache;
                let handles: Vec<_> = (0..writers)
                    .map(|writer| {
                        let mut rng = Rng::new(rng.next_u64());
                        scope
                            .spawn(move || own_keys(cache, writer * KEYS_EACH, KEYS_EACH, &mut rng))
                    })
                    .collect();
                let mut reader_rng = Rng::new(rng.next_u64());
                scope.spawn(move || {
                    for _ in 0..200 {
                        let keys: Vec<u64> = (0..8)
                            .map(|_| reader_rng.below(0..refreshed_base + KEYS_EACH))
                            .collect();
                        cache.get_many(&keys);
                    }
                });
                let mut refreshed = HashMap::new();
                for _ in 0..20 {
                    let batch: Vec<(u64, u64)> = random_batch(&mut rng, KEYS_EACH)
                        .into_iter()
                        .map(|(key, value)| (refreshed_base + key, value))
                        .collect();
                    refreshed.extend(batch.iter().copied());
                    cache.refresh(batch, RefreshMode::Merge);
                }
                let mut models: Vec<_> = handles
                    .into_iter()
                    .map(|handle| crate::watchdog::joined("writer thread", handle.join()))
                    .collect();
                models.push(refreshed);
                models
            });
            let context = format!("{}, round {round}", cache.name());
            let expected: HashMap<u64, u64> = models.into_iter().flatten().collect();
            for key in 0..refreshed_base + KEYS_EACH {
                assert_eq!(
                    cache.get(&key),
                    expected.get(&key).copied(),
                    "{context}: key {key}"
                );
            }
            assert_eq!(cache.len(), expected.len(), "{context}: len");
        });
    }
}

/// One writer's random inserts, removes and gets on keys
/// `first..first + count`, which no one else writes: every answer must be
/// the model's. Returns the model.
fn own_keys<C: Variant>(cache: &C, first: u64, count: u64, rng: &mut Rng) -> HashMap<u64, u64> {
    let mut model = HashMap::new();
    for step in 0..300 {
        let key = first + rng.below(0..count);
        let context = format!("{}, keys from {first}, step {step}", cache.name());
        match rng.below(0..3) {
            0 => {
                let value = rng.next_u64();
                assert_eq!(
                    cache.insert(key, value),
                    model.insert(key, value),
                    "{context}: insert"
                );
            }
            1 => assert_eq!(cache.remove(&key), model.remove(&key), "{context}: remove"),
            _ => assert_eq!(cache.get(&key), model.get(&key).copied(), "{context}: get"),
        }
    }
    model
}

/// Many rounds of [`keys_never_vanish_or_go_back_during_refreshes`](super::keys_never_vanish_or_go_back_during_refreshes)
/// with random key, version and reader counts.
pub fn stress_keys_never_vanish_during_refreshes<C: Variant>(make: fn() -> C, rounds: usize) {
    for round in 0..rounds {
        within_deadline(&format!("refresh race, round {round}"), move || {
            race(
                &make(),
                random_race(&mut Rng::new(round as u64)),
                read_one_key,
            );
        });
    }
}

/// Many rounds of [`a_refresh_is_never_seen_half_applied`](super::a_refresh_is_never_seen_half_applied)
/// with random key, version and reader counts.
pub fn stress_refreshes_are_never_torn<C: Variant>(make: fn() -> C, rounds: usize) {
    for round in 0..rounds {
        within_deadline(&format!("untorn refresh race, round {round}"), move || {
            race(
                &make(),
                random_race(&mut Rng::new(round as u64)),
                read_all_keys,
            );
        });
    }
}
