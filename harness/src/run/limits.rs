//! Resource limits a cell's child process puts on itself, and how the
//! parent recognises a child that ran into one.
//!
//! `memory_limit` is applied as `RLIMIT_DATA`: since Linux 4.7 it bounds
//! the process's private writable mappings (heap, every thread's stack),
//! which is what a runaway strategy grows. Address-space limits
//! (`RLIMIT_AS`) would count glibc's reserved-but-unused arenas and fail
//! healthy strategies. When the limit is hit, an allocation fails and
//! Rust aborts with "memory allocation of N bytes failed"; a thread that
//! cannot get a stack is refused, which pools report as an `exhausted`
//! rejection.

/// What Rust prints before aborting on a failed allocation.
const ALLOCATION_FAILED: &str = "memory allocation of";

/// Limits this process's private memory to `bytes`.
pub fn limit_memory(bytes: u64) -> std::io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: setrlimit reads the struct we pass and nothing else.
    if unsafe { libc::setrlimit(libc::RLIMIT_DATA, &limit) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Whether a dead child's last stderr lines show it ran out of memory.
pub fn ran_out_of_memory(stderr_tail: &[String]) -> bool {
    stderr_tail
        .iter()
        .any(|line| line.contains(ALLOCATION_FAILED))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_allocation_is_out_of_memory_and_a_panic_is_not() {
        let oom = vec!["memory allocation of 1048576 bytes failed".to_owned()];
        assert!(ran_out_of_memory(&oom));
        let panic = vec!["thread 'main' panicked at src/main.rs:3:5".to_owned()];
        assert!(!ran_out_of_memory(&panic));
    }
}
