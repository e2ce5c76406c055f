//! What a dead child's stderr says went wrong.
//!
//! A crashing cell prints its cause first and noise after it: a panic's
//! message comes on the line after `panicked at`, then a backtrace whose
//! last line is "note: Some details are omitted …"; a failed allocation
//! prints "memory allocation of N bytes failed" and aborts. The last lines
//! alone would report the noise, so [`StderrLog`] keeps the first cause it
//! sees apart from the tail, and the crash report leads with it.

use std::collections::VecDeque;

use super::limits::ran_out_of_memory;

/// Lines of a child's stderr kept besides the cause.
const TAIL: usize = 20;

/// What a child printed on stderr (progress lines aside): the first cause
/// of a crash and the last lines.
#[derive(Debug, Default)]
pub(crate) struct StderrLog {
    tail: VecDeque<String>,
    cause: Option<String>,
    /// A `panicked at …:` header whose message is on the next line.
    panic_header: Option<String>,
}

impl StderrLog {
    /// Takes the next line.
    pub(crate) fn push(&mut self, line: String) {
        if self.cause.is_none() {
            if let Some(header) = self.panic_header.take() {
                self.cause = Some(format!("{header} {}", line.trim()));
            } else if line.contains("panicked at ") {
                // Since Rust 1.73 the message has its own line(s) after
                // `panicked at file:line:col:`; before, it was on this one.
                if line.trim_end().ends_with(':') {
                    self.panic_header = Some(line.trim().to_owned());
                } else {
                    self.cause = Some(line.trim().to_owned());
                }
            } else if ran_out_of_memory(std::slice::from_ref(&line))
                || line.starts_with("fatal runtime error")
            {
                self.cause = Some(line.trim().to_owned());
            }
        }
        self.tail.push_back(line);
        if self.tail.len() > TAIL {
            self.tail.pop_front();
        }
    }

    /// The first cause seen: a panic with its message, a failed
    /// allocation, a fatal runtime error.
    pub(crate) fn cause(&self) -> Option<&str> {
        self.cause.as_deref().or(self.panic_header.as_deref())
    }

    /// Whether the child ran out of memory.
    pub(crate) fn ran_out_of_memory(&self) -> bool {
        let lines: Vec<String> = self.cause.iter().chain(&self.tail).cloned().collect();
        ran_out_of_memory(&lines)
    }

    /// The report of a child that ended (`how`, from its exit status)
    /// without an answer: the cause on the first line, the last output
    /// after it.
    pub(crate) fn report(&self, how: &str) -> String {
        let tail: Vec<&str> = self.tail.iter().map(String::as_str).collect();
        let last = if tail.is_empty() {
            "(nothing on stderr)".to_owned()
        } else {
            tail.join("\n")
        };
        match self.cause() {
            Some(cause) => format!("{cause} ({how}); last output:\n{last}"),
            None => format!("{how}; last output:\n{last}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(text: &str) -> StderrLog {
        let mut log = StderrLog::default();
        for line in text.lines() {
            log.push(line.to_owned());
        }
        log
    }

    #[test]
    fn a_panic_is_reported_with_its_message_not_the_backtrace() {
        let log = log("thread 'contend-fixed' (10416) panicked at library/std/src/sys/pal/unix/stack_overflow.rs:240:13:\n\
             failed to set up alternative stack guard page: Cannot allocate memory (os error 12)\n\
             stack backtrace:\n   0: __rustc::rust_begin_unwind\n\
             note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.\n\
             fatal runtime error: failed to initiate panic, error 5, aborting");
        let report = log.report("killed by SIGABRT");
        let first = report.lines().next().unwrap();
        assert!(
            first.contains("panicked at") && first.contains("failed to set up alternative stack"),
            "{report}"
        );
        assert!(first.contains("killed by SIGABRT"), "{report}");
        assert!(!log.ran_out_of_memory());
    }

    #[test]
    fn a_failed_allocation_is_the_cause_and_out_of_memory() {
        let log = log("memory allocation of 1048576 bytes failed");
        assert_eq!(
            log.cause(),
            Some("memory allocation of 1048576 bytes failed")
        );
        assert!(log.ran_out_of_memory());
    }

    #[test]
    fn the_cause_survives_a_long_backtrace() {
        let mut text = "thread 'main' panicked at 'boom', src/main.rs:3:5\n".to_owned();
        for frame in 0..100 {
            text.push_str(&format!("  {frame}: frame\n"));
        }
        let log = log(&text);
        assert_eq!(
            log.cause(),
            Some("thread 'main' panicked at 'boom', src/main.rs:3:5")
        );
        assert!(log
            .report("exited with code 101")
            .starts_with("thread 'main'"));
    }

    #[test]
    fn without_a_cause_the_report_is_how_it_ended_and_the_last_lines() {
        let log = log("something odd");
        assert_eq!(
            log.report("exited with code 3"),
            "exited with code 3; last output:\nsomething odd"
        );
    }
}
