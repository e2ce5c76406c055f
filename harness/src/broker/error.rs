//! What can go wrong talking to a broker or starting one, in words a user
//! can act on.
//!
//! Users see these: before a run as the reason for exit 2 (a bad URL, a
//! server that is not there), during one as counted failures (the server
//! went away). Each case is its own variant, and each message says which
//! case it is, so "nothing listens at that address" never reads like "it
//! was there and then it stopped answering".

use std::time::Duration;

/// An error from a [`Broker`](super::Broker) or a throwaway
/// [`RedisServer`](super::RedisServer).
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// The broker URL does not parse (before any connection is tried).
    #[error("bad broker URL `{url}`: {reason}")]
    BadUrl {
        /// The URL as given (any password hidden).
        url: String,
        /// Why it does not parse.
        reason: String,
    },
    /// Nothing answered at connect time: no server there, a firewall, a
    /// wrong port.
    #[error("cannot reach the broker at {url}: {reason}")]
    Unreachable {
        /// Where (any password hidden).
        url: String,
        /// The connection error.
        reason: String,
    },
    /// The broker was reached before and is gone now, or stopped
    /// answering within the response timeout: its connection dropped, a
    /// reconnect was refused, a reply did not come.
    #[error("lost the broker at {url} during {operation}: {reason}")]
    Lost {
        /// Where (any password hidden).
        url: String,
        /// What was being done: `publish`, `fetch`, `complete`, …
        operation: &'static str,
        /// The connection error.
        reason: String,
    },
    /// The broker answered with an error: a missing group, a wrong key
    /// type, a script that failed.
    #[error("the broker refused {operation}: {reason}")]
    Refused {
        /// What was being done.
        operation: &'static str,
        /// The broker's own error message.
        reason: String,
    },
    /// The broker answered, but not in the expected shape: a stream entry
    /// without a `job` field, a group missing from `XINFO GROUPS`.
    #[error("unexpected reply to {operation}: {reason}")]
    BadReply {
        /// What was being done.
        operation: &'static str,
        /// What was wrong with the reply.
        reason: String,
    },
    /// No `redis-server` program to start: tests skip on this one.
    #[error("redis-server not found: {reason}")]
    ServerNotFound {
        /// Where it was looked for.
        reason: String,
    },
    /// `redis-server` was found but did not come up.
    #[error("redis-server did not start: {reason}{}", tail(log_tail))]
    ServerStart {
        /// What happened: it exited, it did not answer PING in time, its
        /// folder could not be made.
        reason: String,
        /// The last lines of its log.
        log_tail: String,
    },
}

impl BrokerError {
    /// A server that did not answer PING within `waited`.
    pub(crate) fn start_timeout(waited: Duration, log_tail: String) -> BrokerError {
        BrokerError::ServerStart {
            reason: format!("no answer to PING within {waited:?}"),
            log_tail,
        }
    }
}

/// The log tail, on lines of its own after the message.
fn tail(log_tail: &str) -> String {
    if log_tail.trim().is_empty() {
        String::new()
    } else {
        format!("; its log ends with:\n{}", log_tail.trim_end())
    }
}

/// `url` with any password replaced by `***`, for messages.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            format!("{scheme}://{user}:***@{host}{path}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_passwords_only() {
        assert_eq!(redact("redis://127.0.0.1:6379/"), "redis://127.0.0.1:6379/");
        assert_eq!(redact("redis://:secret@host:1/0"), "redis://:***@host:1/0");
        assert_eq!(
            redact("redis://user:secret@host:1"),
            "redis://user:***@host:1"
        );
        assert_eq!(redact("not a url"), "not a url");
    }

    #[test]
    fn messages_tell_the_cases_apart() {
        let unreachable = BrokerError::Unreachable {
            url: "redis://127.0.0.1:1/".into(),
            reason: "connection refused".into(),
        };
        let lost = BrokerError::Lost {
            url: "redis://127.0.0.1:1/".into(),
            operation: "fetch",
            reason: "connection refused".into(),
        };
        assert!(unreachable.to_string().starts_with("cannot reach"));
        assert!(lost.to_string().starts_with("lost the broker"));
        assert!(lost.to_string().contains("during fetch"));
    }
}
