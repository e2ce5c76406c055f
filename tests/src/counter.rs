//! Checks for [`Counter`] implementations: concurrent additions are
//! never lost. A counter that loads and then stores loses increments when
//! two threads interleave, and fails these checks.

use std::thread;

use contend_strategies::counter::Counter;

use crate::support::{within_deadline, Rng};

/// Adds `amount(thread, i)` for `i` in `0..per_thread` on each of
/// `threads` threads at once, and checks the total.
fn count_concurrently<C: Counter + 'static>(
    make: fn() -> C,
    threads: u64,
    per_thread: u64,
    amount: fn(u64, u64) -> u64,
) {
    let counter = make();
    let start = std::sync::Barrier::new(threads as usize);
    thread::scope(|scope| {
        for thread in 0..threads {
            let (counter, start) = (&counter, &start);
            scope.spawn(move || {
                start.wait();
                for i in 0..per_thread {
                    match amount(thread, i) {
                        1 => counter.increment(),
                        n => counter.add(n),
                    }
                }
            });
        }
    });
    let expected: u64 = (0..threads)
        .flat_map(|thread| (0..per_thread).map(move |i| amount(thread, i)))
        .sum();
    assert_eq!(
        counter.get(),
        expected,
        "{}: {threads} threads × {per_thread} additions",
        counter.name()
    );
}

/// 8 threads × 20,000 increments count 160,000.
pub fn n_threads_times_m_increments_give_n_times_m<C: Counter + 'static>(make: fn() -> C) {
    within_deadline("counter", move || {
        count_concurrently(make, 8, 20_000, |_, _| 1)
    });
}

/// Additions of different sizes from several threads sum exactly.
pub fn additions_of_any_size_sum_exactly<C: Counter + 'static>(make: fn() -> C) {
    within_deadline("counter", move || {
        count_concurrently(make, 4, 10_000, |thread, i| (thread + 1) * (i % 7))
    });
}

/// Many rounds with random thread (1 to 16) and addition counts.
pub fn stress_counts_are_exact<C: Counter + 'static>(make: fn() -> C, rounds: usize) {
    for round in 0..rounds {
        within_deadline(&format!("counter, round {round}"), move || {
            let mut rng = Rng::new(round as u64);
            let threads = rng.below(1..17);
            let per_thread = rng.below(1..2_000);
            count_concurrently(make, threads, per_thread, |thread, i| 1 + (thread ^ i) % 3);
        });
    }
}
