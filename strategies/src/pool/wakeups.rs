//! Wake-ups on their way: signal a sleeper only if one is left unsignalled.
//!
//! A thread asleep on a condition variable stays counted as asleep until
//! it runs again. Without this count, a strategy that produced several
//! things meanwhile (jobs pushed, slots freed) would signal once per thing:
//! a system call each time, for one sleeper, and on a steady stream of
//! small jobs that is most of a job's cost. With it, the strategy signals
//! only while more threads sleep than wake-ups are on their way.
//!
//! Wake-ups are interchangeable: a thread that wakes for another reason (a
//! timeout, spuriously) takes one, re-checks its state and finds what the
//! wake-up was for; the one it was meant for is no longer counted as owed
//! one, so the next thing produced signals it again. Nothing is lost.

/// The wake-ups sent to one group of sleepers and not yet taken.
#[derive(Debug, Default)]
pub(crate) struct Wakeups(usize);

impl Wakeups {
    /// Whether to signal one of `asleep` sleepers now (and counts it).
    pub(crate) fn signal(&mut self, asleep: usize) -> bool {
        let wake = asleep > self.0;
        if wake {
            self.0 += 1;
        }
        wake
    }

    /// A sleeper woke up, for whatever reason.
    pub(crate) fn taken(&mut self) {
        self.0 = self.0.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::Wakeups;

    #[test]
    fn one_sleeper_is_signalled_once_until_it_wakes() {
        let mut wakeups = Wakeups::default();
        assert!(wakeups.signal(1));
        assert!(!wakeups.signal(1), "already on its way");
        assert!(wakeups.signal(2), "a second sleeper is owed one");
        wakeups.taken();
        assert!(wakeups.signal(2), "one woke: the other is owed one again");
        assert!(!wakeups.signal(0));
    }
}
