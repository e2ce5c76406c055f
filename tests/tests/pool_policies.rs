//! Each overload policy, on every built-in strategy with a bound: the
//! library's policies suite (`contend_tests::pool_suites::policies`), plus
//! what is built-in by name: the registry's refusals (a policy a strategy
//! cannot honour, a queue too large to allocate) and `elastic`'s cap on
//! blocked submitters.
#![cfg(not(any(loom, feature = "shuttle")))]

use std::sync::Arc;
use std::thread;

use contend_strategies::pool::{
    Admission, ConfigError, Elastic, Executor, OverloadPolicy, PoolConfig, RejectReason,
    ShutdownMode,
};
use contend_tests::{eventually, pool_suites, thread_strategies, Gate};

mod support;

#[test]
fn the_policies_suite_passes_on_every_built_in_strategy() {
    support::check_every_builtin(&pool_suites::policies::SUITE);
}

/// The registry's answer (a `ConfigError` naming what is allowed) is
/// built-in: a user's executor refuses by returning `None`.
#[test]
fn discard_oldest_is_refused_by_strategies_without_a_queue() {
    for case in thread_strategies()
        .into_iter()
        .filter(|case| case.bounded && !case.runs_on_caller && !case.queues)
    {
        let config = PoolConfig::new(1).policy(OverloadPolicy::DiscardOldest);
        let Err(error) = contend_strategies::pool::build(case.name, config) else {
            panic!("{}: accepted a policy it cannot honour", case.name);
        };
        assert!(
            matches!(
                error,
                ConfigError::UnsupportedPolicy {
                    policy: "discard-oldest",
                    ..
                }
            ),
            "{}: {error}",
            case.name
        );
        assert!(error.to_string().contains("allowed: block"), "{error}");
    }
}

#[test]
fn elastic_rejects_as_full_beyond_its_cap_on_blocked_submitters() {
    let config = PoolConfig::new(1)
        .queue_capacity(0)
        .max_blocked_submitters(1);
    let pool = Arc::new(Elastic::new(config).unwrap());
    let gate = Gate::new();
    let holder = gate.clone();
    pool.execute(move || holder.pass()).unwrap();
    gate.await_waiting(1);
    let blocked = {
        let pool = Arc::clone(&pool);
        thread::spawn(move || pool.execute(|| {}).map_err(|rejected| rejected.reason()))
    };
    eventually("one submitter blocked", || pool.blocked_submitters() == 1);
    let rejected = pool.execute(|| {}).unwrap_err();
    assert_eq!(rejected.reason(), RejectReason::Full);
    gate.open();
    assert_eq!(blocked.join().unwrap(), Ok(Admission::Accepted));
    assert_eq!(pool.shutdown(ShutdownMode::DRAIN).completed, 2);
}

/// `fixed`, `dispatcher` and `elastic` allocate their queue's slots up
/// front: a capacity beyond the limit is refused with the limit, not
/// attempted (an allocation of that size would abort the process).
#[test]
fn a_queue_too_large_to_allocate_is_refused_with_the_limit() {
    use contend_strategies::pool::MAX_ALLOCATED_QUEUE;
    for name in ["fixed", "dispatcher", "elastic"] {
        let config = PoolConfig::new(1).queue_capacity(MAX_ALLOCATED_QUEUE + 1);
        let Err(error) = contend_strategies::pool::build(name, config) else {
            panic!("{name}: accepted a queue it cannot allocate");
        };
        assert_eq!(
            error,
            ConfigError::QueueTooLarge {
                strategy: name,
                max: MAX_ALLOCATED_QUEUE
            }
        );
        assert!(error.to_string().contains("at most 16777216"), "{error}");
    }
}
