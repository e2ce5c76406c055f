//! What this machine gives one process: how many threads and how much
//! memory, read when a scenario file is checked.
//!
//! A size no machine of this shape can give (`workers = 9223372036854775807`)
//! must be refused while the file is checked, with the allowed range,
//! rather than discovered by a process that spawns threads or allocates
//! until it dies. The limits differ from machine to machine and from shell
//! to shell (`ulimit -u`, a container's cgroup), so they are read here at
//! run time, never written into the code. Each is the smallest of the
//! limits the kernel would enforce, and is named in the refusal so that a
//! user knows which knob to turn. Only hard ceilings count: a thread
//! refused under a scenario's own `memory_limit` is a measured outcome (an
//! `exhausted` rejection, see `run::limits`), not bad input.

use std::sync::OnceLock;

/// One limit: its value and what it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limit {
    /// The most this machine gives.
    pub value: u64,
    /// Where it comes from (`kernel.pid_max`, `RLIMIT_NPROC (ulimit -u)`).
    pub source: &'static str,
}

/// The threads and memory one process of this machine may have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Machine {
    /// Threads one process may run at once.
    pub threads: Limit,
    /// Bytes one process may hold.
    pub memory: Limit,
}

/// The most threads (or processes) any Linux can have (`PID_MAX_LIMIT`):
/// the ceiling when no other limit can be read.
const PID_MAX_LIMIT: u64 = 1 << 22;

/// A user address space of 47 bits: the ceiling on memory when no other
/// limit can be read.
const ADDRESS_SPACE: u64 = 1 << 47;

impl Machine {
    /// This machine's limits, read once per process.
    pub fn get() -> &'static Machine {
        static MACHINE: OnceLock<Machine> = OnceLock::new();
        MACHINE.get_or_init(Machine::read)
    }

    fn read() -> Machine {
        let threads = smallest(
            Limit {
                value: PID_MAX_LIMIT,
                source: "Linux's PID_MAX_LIMIT",
            },
            [
                ("RLIMIT_NPROC (ulimit -u)", rlimit(libc::RLIMIT_NPROC)),
                ("kernel.threads-max", number("/proc/sys/kernel/threads-max")),
                // Every thread takes a process id.
                ("kernel.pid_max", number("/proc/sys/kernel/pid_max")),
                // Every thread maps at least its stack and the guard page
                // below it.
                (
                    "vm.max_map_count / 2",
                    number("/proc/sys/vm/max_map_count").map(|maps| maps / 2),
                ),
                ("the cgroup's pids.max", number("/sys/fs/cgroup/pids.max")),
            ],
        );
        let memory = smallest(
            Limit {
                value: ADDRESS_SPACE,
                source: "a 47-bit address space",
            },
            [
                ("MemTotal + SwapTotal", ram_and_swap()),
                (
                    "the cgroup's memory.max",
                    number("/sys/fs/cgroup/memory.max"),
                ),
                ("RLIMIT_AS (ulimit -v)", rlimit(libc::RLIMIT_AS)),
                ("RLIMIT_DATA (ulimit -d)", rlimit(libc::RLIMIT_DATA)),
            ],
        );
        Machine { threads, memory }
    }
}

/// The smallest of the `candidates` that could be read, else `ceiling`.
fn smallest<const N: usize>(ceiling: Limit, candidates: [(&'static str, Option<u64>); N]) -> Limit {
    candidates
        .into_iter()
        .filter_map(|(source, value)| value.map(|value| Limit { value, source }))
        .filter(|limit| limit.value > 0)
        .fold(ceiling, |least, limit| {
            if limit.value < least.value {
                limit
            } else {
                least
            }
        })
}

/// The soft limit `resource` of this process, if it has one.
fn rlimit(resource: libc::__rlimit_resource_t) -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes the struct we pass and reads nothing else.
    if unsafe { libc::getrlimit(resource, &mut limit) } != 0 {
        return None;
    }
    #[allow(clippy::unnecessary_cast)] // `rlim_t` is not `u64` on every target
    (limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur as u64)
}

/// A file holding one number (`max` or an unreadable file: none).
fn number(path: &str) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// RAM and swap, from `/proc/meminfo` (in KiB there).
fn ram_and_swap() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = info.lines().find(|line| line.starts_with(name))?;
        line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse::<u64>()
            .ok()
    };
    let ram = field("MemTotal:")?;
    let swap = field("SwapTotal:").unwrap_or(0);
    Some((ram + swap) * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limits_of_this_machine_are_read_and_named() {
        let machine = Machine::get();
        // The 2,000-thread cells of scenarios/ants.toml run here.
        assert!(machine.threads.value >= 2_000, "{machine:?}");
        assert!(machine.memory.value >= 64 << 20, "{machine:?}");
        assert!(!machine.threads.source.is_empty());
    }

    #[test]
    fn the_smallest_readable_limit_wins() {
        let ceiling = Limit {
            value: 100,
            source: "ceiling",
        };
        let least = smallest(
            ceiling.clone(),
            [("a", Some(50)), ("b", None), ("c", Some(70))],
        );
        assert_eq!(least.source, "a");
        assert_eq!(
            smallest(ceiling, [("a", None), ("zero", Some(0))]).value,
            100
        );
    }
}
