//! What the operating system says about this process: threads, peak
//! memory, CPU time. Read in the cell's own process, so the numbers are
//! the strategy's (plus the harness's small, constant share).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// A field of `/proc/self/status` (`Threads`, `VmHWM` in kB), if present.
pub fn status_field(name: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(name)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Threads of this process now.
pub fn threads_now() -> u64 {
    status_field("Threads").unwrap_or(0)
}

/// Peak resident memory of this process, kB.
pub fn peak_rss_kb() -> u64 {
    status_field("VmHWM").unwrap_or(0)
}

/// User + system CPU seconds of this process so far.
pub fn cpu_seconds() -> f64 {
    // SAFETY: getrusage writes a plain struct we own; RUSAGE_SELF is valid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return 0.0;
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Samples the thread count in the background and keeps the peak.
#[derive(Debug)]
pub struct ThreadSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    handle: Option<JoinHandle<()>>,
}

impl ThreadSampler {
    /// Samples every `every`.
    pub fn start(every: Duration) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(threads_now() + 1));
        let handle = {
            let (stop, peak) = (Arc::clone(&stop), Arc::clone(&peak));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(threads_now(), Ordering::Relaxed);
                    std::thread::sleep(every);
                }
            })
        };
        Self {
            stop,
            peak,
            handle: Some(handle),
        }
    }

    /// Takes one more sample now (e.g. at a moment of known peak).
    pub fn sample(&self) {
        self.peak.fetch_max(threads_now(), Ordering::Relaxed);
    }

    /// Stops sampling; the most threads seen.
    pub fn finish(mut self) -> u64 {
        self.sample();
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
        self.peak.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_reads_this_process() {
        assert!(threads_now() >= 1);
        assert!(peak_rss_kb() > 0);
        assert!(cpu_seconds() >= 0.0);
        let sampler = ThreadSampler::start(Duration::from_millis(1));
        assert!(sampler.finish() >= 2);
    }
}
