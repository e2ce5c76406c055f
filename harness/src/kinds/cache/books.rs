//! A cache cell's books: refreshes never torn where promised, never lost,
//! every operation timed.

use serde::{Deserialize, Serialize};

use crate::results::KindBooks;

/// A cache cell's books.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheBooks {
    /// Reader operations done (every kind).
    pub reader_ops: u64,
    /// `get_many` calls among them (the torn-read probes).
    pub get_many: u64,
    /// Refreshes the writer applied.
    pub refreshes: u64,
    /// `get_many` results that mixed versions (or missed a refreshed key).
    pub torn_reads: u64,
    /// Whether the variant promises untorn refreshes.
    pub atomic_refresh: bool,
    /// Refreshed keys not holding the last version after the run.
    pub stale_keys: u64,
    /// Latencies recorded for reader operations and refreshes.
    pub recorded: u64,
}

impl CacheBooks {
    /// `Ok` unless a promise was broken or a measurement is missing.
    pub fn check(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if self.atomic_refresh && self.torn_reads > 0 {
            problems.push(format!(
                "{} of {} `get_many` reads saw a half-applied refresh, and this variant promises atomic refreshes",
                self.torn_reads, self.get_many
            ));
        }
        if self.stale_keys > 0 {
            problems.push(format!(
                "after the last refresh ({}), {} refreshed keys hold another version: a refresh was lost",
                self.refreshes, self.stale_keys
            ));
        }
        if self.recorded != self.reader_ops + self.refreshes {
            problems.push(format!(
                "the harness recorded {} latencies for {} reader operations and {} refreshes",
                self.recorded, self.reader_ops, self.refreshes
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

impl KindBooks for CacheBooks {
    fn check(&self) -> Result<(), String> {
        CacheBooks::check(self)
    }

    fn offered(&self) -> u64 {
        self.reader_ops
    }

    fn done(&self) -> u64 {
        self.reader_ops
    }

    fn lost(&self) -> u64 {
        0
    }

    fn counts(&self) -> Vec<(&'static str, u64)> {
        vec![
            ("torn_reads", self.torn_reads),
            ("stale_keys", self.stale_keys),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::cache::runner::untorn;
    use crate::kinds::cache::strategies::{build, NAMES};
    use crate::kinds::StrategyParams;

    fn clean() -> CacheBooks {
        CacheBooks {
            reader_ops: 1000,
            get_many: 100,
            refreshes: 7,
            torn_reads: 0,
            atomic_refresh: true,
            stale_keys: 0,
            recorded: 1007,
        }
    }

    #[test]
    fn a_get_many_that_mixes_versions_or_misses_a_key_is_torn() {
        assert!(untorn(&[Some(3), Some(3), Some(3)]));
        assert!(untorn(&[]));
        assert!(!untorn(&[Some(3), Some(4), Some(3)]));
        assert!(!untorn(&[Some(3), None]));
        assert!(!untorn(&[None, None]));
    }

    #[test]
    fn clean_cache_books_pass() {
        assert_eq!(clean().check(), Ok(()));
    }

    #[test]
    fn a_torn_read_fails_the_books_of_a_variant_that_promises_atomic_refreshes() {
        let books = CacheBooks {
            torn_reads: 1,
            ..clean()
        };
        let message = books.check().unwrap_err();
        assert!(message.contains("1 of 100"), "{message}");
        assert!(message.contains("promises atomic refreshes"), "{message}");
    }

    #[test]
    fn torn_reads_of_a_variant_that_promises_nothing_are_a_metric_not_a_failure() {
        let books = CacheBooks {
            torn_reads: 40,
            atomic_refresh: false,
            ..clean()
        };
        assert_eq!(books.check(), Ok(()));
        assert_eq!(crate::results::Books::of(&books).count("torn_reads"), 40);
    }

    #[test]
    fn a_lost_refresh_or_a_missing_measurement_fails_the_books() {
        let books = CacheBooks {
            stale_keys: 3,
            atomic_refresh: false,
            ..clean()
        };
        assert!(books.check().unwrap_err().contains("a refresh was lost"));
        let books = CacheBooks {
            recorded: 1006,
            ..clean()
        };
        assert!(books.check().unwrap_err().contains("recorded 1006"));
    }

    #[test]
    fn every_named_variant_builds_and_keeps_its_promise_flag() {
        let params = StrategyParams::default();
        for name in NAMES {
            let cache = build(name, &params).unwrap();
            assert_eq!(cache.name(), name);
            let promises = matches!(name, "mutex" | "rwlock" | "snapshot");
            assert_eq!(cache.atomic_refresh(), promises, "{name}");
        }
        let refused = build("nope", &params).err().unwrap();
        assert!(refused.contains("allowed: mutex"), "{refused}");
    }
}
