//! What `submit` does when the executor's bound is reached.

use std::fmt;
use std::time::Duration;

/// The overload policy: what `submit` does when every slot is taken (the
/// queue is full, or every permit or worker is in use).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OverloadPolicy {
    /// Wait until there is room (back-pressure on the submitter).
    Block,
    /// Reject at once with [`RejectReason::Full`](super::RejectReason::Full).
    FailFast,
    /// Wait at most this long, then reject with
    /// [`RejectReason::TimedOut`](super::RejectReason::TimedOut).
    BlockTimeout(Duration),
    /// Drop the new job and count it as discarded.
    Discard,
    /// Drop the oldest queued job, count it as discarded, and queue the new
    /// one. Only strategies with a queue support it.
    DiscardOldest,
    /// Run the new job on the submitter's thread (natural back-pressure).
    CallerRuns,
}

impl OverloadPolicy {
    /// Every policy's name, as used in scenario files.
    pub const NAMES: [&'static str; 6] = [
        "block",
        "fail-fast",
        "block-timeout",
        "discard",
        "discard-oldest",
        "caller-runs",
    ];

    /// The policy's name, as used in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            OverloadPolicy::Block => "block",
            OverloadPolicy::FailFast => "fail-fast",
            OverloadPolicy::BlockTimeout(_) => "block-timeout",
            OverloadPolicy::Discard => "discard",
            OverloadPolicy::DiscardOldest => "discard-oldest",
            OverloadPolicy::CallerRuns => "caller-runs",
        }
    }

    /// Whether the policy needs a queue to act on.
    pub fn needs_queue(&self) -> bool {
        matches!(self, OverloadPolicy::DiscardOldest)
    }
}

impl fmt::Display for OverloadPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OverloadPolicy::BlockTimeout(timeout) => write!(f, "block-timeout({timeout:?})"),
            other => f.write_str(other.name()),
        }
    }
}
