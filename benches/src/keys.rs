//! Precomputed key sequences: uniform, and skewed like real caches.
//!
//! A timed loop must not pay for random numbers, so every key sequence is
//! drawn once, before the benchmark, from a small deterministic generator
//! (SplitMix64: the same seed gives the same keys on every machine and
//! every run), and the loop only indexes the array. Sequence lengths are a
//! power of two so that the loop can wrap with a mask.

/// How keys are drawn from `0..keys`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyDist {
    /// Every key equally likely.
    Uniform,
    /// Zipf with exponent 0.99 (YCSB's default): key `k` is drawn with
    /// probability proportional to `1 / (k + 1)^0.99`; the hottest 1% of
    /// keys take about half the draws for 10,000 keys.
    Zipf,
}

impl KeyDist {
    /// The name used in benchmark ids.
    pub fn name(self) -> &'static str {
        match self {
            KeyDist::Uniform => "uniform",
            KeyDist::Zipf => "zipf",
        }
    }
}

/// The zipf exponent of [`KeyDist::Zipf`].
pub const ZIPF_EXPONENT: f64 = 0.99;

/// SplitMix64: a tiny, fast, deterministic generator of 64-bit values.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator started at `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value uniform in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A value uniform in `0..bound` (`bound > 0`).
    pub fn below(&mut self, bound: u64) -> u64 {
        // Multiply-shift: unbiased enough for benchmark keys.
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }
}

/// Draws keys from `0..keys` under a distribution.
#[derive(Clone, Debug)]
pub struct KeySampler {
    keys: u64,
    /// For zipf: the cumulative distribution over keys; empty for uniform.
    cdf: Vec<f64>,
}

impl KeySampler {
    /// A sampler over `0..keys` (`keys > 0`).
    pub fn new(dist: KeyDist, keys: u64) -> Self {
        assert!(keys > 0, "at least one key");
        let cdf = match dist {
            KeyDist::Uniform => Vec::new(),
            KeyDist::Zipf => {
                let mut total = 0.0;
                let mut cdf: Vec<f64> = (0..keys)
                    .map(|k| {
                        total += 1.0 / ((k + 1) as f64).powf(ZIPF_EXPONENT);
                        total
                    })
                    .collect();
                cdf.iter_mut().for_each(|c| *c /= total);
                cdf
            }
        };
        Self { keys, cdf }
    }

    /// One key.
    pub fn sample(&self, rng: &mut SplitMix64) -> u64 {
        if self.cdf.is_empty() {
            return rng.below(self.keys);
        }
        let u = rng.next_f64();
        let index = self.cdf.partition_point(|&c| c < u);
        (index as u64).min(self.keys - 1)
    }
}

/// `len` keys (a power of two) drawn from `0..keys`, seeded by `seed`.
pub fn key_sequence(dist: KeyDist, keys: u64, len: usize, seed: u64) -> Vec<u64> {
    assert!(len.is_power_of_two(), "sequence lengths wrap with a mask");
    let sampler = KeySampler::new(dist, keys);
    let mut rng = SplitMix64::new(seed);
    (0..len).map(|_| sampler.sample(&mut rng)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipf_keys_favour_the_low_keys_and_uniform_keys_do_not() {
        let zipf = key_sequence(KeyDist::Zipf, 10_000, 1 << 14, 1);
        let uniform = key_sequence(KeyDist::Uniform, 10_000, 1 << 14, 1);
        let hot = |keys: &[u64]| keys.iter().filter(|&&k| k < 100).count();
        assert!(hot(&zipf) > (1 << 14) / 3, "hot share {}", hot(&zipf));
        assert!(
            hot(&uniform) < (1 << 14) / 50,
            "hot share {}",
            hot(&uniform)
        );
        assert!(zipf.iter().chain(&uniform).all(|&k| k < 10_000));
    }

    #[test]
    fn the_same_seed_gives_the_same_keys() {
        assert_eq!(
            key_sequence(KeyDist::Zipf, 100, 64, 7),
            key_sequence(KeyDist::Zipf, 100, 64, 7)
        );
    }
}
