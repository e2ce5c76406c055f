//! Validation of the `cache` and `fanin` tables: every bad value names
//! the file, the line and what is allowed.

use std::path::Path;

use super::{Kind, Scenario, ScenarioError, Workload};

const CACHE: &str = r#"
name = "cache-demo"
kind = "cache"

[workload]
readers = [2, 4]
ops = 1000
keys = 1000
refresh_keys = 100
refresh_every = "5ms"
read_batch = 8
mix = { get = 80, get_many = 10, insert = 5, remove = 5 }

[quick]
ops = 100

[[strategy]]
name = "rwlock"

[[strategy]]
name = "sharded"
shards = [4, 16]

[[gate]]
check = "torn_reads(rwlock) == 0"

[[gate]]
check = "p99(snapshot) <= 3 * p99(rwlock)"
"#;

const FANIN: &str = r#"
name = "fanin-demo"
kind = "fanin"

[workload]
producers = [2, 4]
items = 1000
capacity = [0, 64, "unbounded"]

[[strategy]]
name = "drop-close"

[[strategy]]
name = "crossbeam"

[[gate]]
check = "lost(*) == 0"
"#;

fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    Scenario::parse(Path::new("scenarios/kinds.toml"), text)
}

/// Replaces `from` by `to` in `good`, expects an error on the line where
/// `from` was, naming the file and containing `needle`.
fn bad(good: &str, from: &str, to: &str, needle: &str) {
    let at = good
        .find(from)
        .unwrap_or_else(|| panic!("`{from}` not in the file"));
    bad_at(good, from, to, good[..at].matches('\n').count() + 1, needle);
}

/// As [`bad`], with the line the error must name.
fn bad_at(good: &str, from: &str, to: &str, line: usize, needle: &str) {
    let error = parse(&good.replacen(from, to, 1)).expect_err("the file must be refused");
    assert_eq!(error.file, Path::new("scenarios/kinds.toml"));
    assert_eq!(error.line, line, "{error}");
    assert!(error.message.contains(needle), "`{needle}` not in: {error}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("scenarios/kinds.toml:{line}:")),
        "{error}"
    );
}

fn labels(scenario: &Scenario) -> Vec<&str> {
    scenario.cells.iter().map(|c| c.label.as_str()).collect()
}

#[test]
fn a_cache_scenario_sweeps_readers_for_every_strategy_and_shards_for_sharded() {
    let text = CACHE.replace(
        "[[gate]]\ncheck = \"p99",
        "[[strategy]]\nname = \"snapshot\"\n\n[[gate]]\ncheck = \"p99",
    );
    let scenario = parse(&text).unwrap();
    assert_eq!(scenario.kind, Kind::Cache);
    assert_eq!(
        labels(&scenario),
        [
            "rwlock readers=2",
            "rwlock readers=4",
            "sharded readers=2 shards=4",
            "sharded readers=2 shards=16",
            "sharded readers=4 shards=4",
            "sharded readers=4 shards=16",
            "snapshot readers=2",
            "snapshot readers=4",
        ]
    );
    assert_eq!(scenario.cells[3].params.shards, 16);
    assert_eq!(scenario.cells[5].params.readers, 4);
    // A bare `p99` reads the cache's reads; each readers value is matched.
    assert_eq!(scenario.gates[1].labels().count(), 4);
    let Workload::Cache(quick) = scenario.plan(true).0 else {
        panic!("a cache scenario has a cache workload");
    };
    assert_eq!(quick.ops, Some(100));
    assert_eq!(quick.mix.get_many, 10);
}

#[test]
fn a_cache_mix_must_add_up_to_100_percent() {
    bad(
        CACHE,
        "mix = { get = 80",
        "mix = { get = 70",
        "must add up to 100 (percent of reader operations), got 90; keys: get, get_many, insert, remove",
    );
    bad(CACHE, "get = 80", "get = 180", "0 to 100, got 180");
    bad(
        CACHE,
        "get = 80",
        "got = 80",
        "unknown field `got`, expected one of `get`",
    );
}

#[test]
fn impossible_cache_sizes_are_refused() {
    bad(
        CACHE,
        "refresh_keys = 100",
        "refresh_keys = 2000",
        "at most `keys` (1000)",
    );
    bad(
        CACHE,
        "read_batch = 8",
        "read_batch = 200",
        "at most `refresh_keys` (100)",
    );
    bad(
        CACHE,
        "keys = 1000",
        "keys = 0",
        "`keys` must be at least 1, got 0",
    );
    bad(
        CACHE,
        "readers = [2, 4]",
        "readers = [2, 0]",
        "`readers` must be at least 1",
    );
    bad(
        CACHE,
        "refresh_every = \"5ms\"",
        "refresh_every = \"0s\"",
        "more than 0",
    );
    bad(
        CACHE,
        "refresh_every = \"5ms\"",
        "refresh_every = \"5\"",
        "unit",
    );
    bad(
        CACHE,
        "shards = [4, 16]",
        "shards = [4, 0]",
        "`shards` must be at least 1, got 0",
    );
    bad_at(
        CACHE,
        "refresh_keys = 100",
        "refresh_keys = 1000",
        12,
        "`keys` (1000) must be more than `refresh_keys` (1000)",
    );
}

#[test]
fn a_cache_workload_needs_a_stop_and_refuses_pool_fields() {
    bad_at(
        CACHE,
        "ops = 1000\n",
        "",
        5,
        "needs `ops` (per reader) or `duration`",
    );
    bad(
        CACHE,
        "ops = 1000",
        "arrival = { type = \"batch\" }",
        "unknown field `arrival`, expected one of `readers`",
    );
}

#[test]
fn cache_strategies_and_their_parameters_are_checked() {
    bad(
        CACHE,
        "name = \"rwlock\"",
        "name = \"rwlok\"",
        "unknown cache strategy `rwlok`; allowed: mutex, rwlock, sharded, snapshot, dashmap, papaya",
    );
    bad_at(
        CACHE,
        "name = \"rwlock\"",
        "name = \"rwlock\"\nshards = 4",
        19,
        "`shards` applies only to strategy `sharded`",
    );
    bad_at(
        CACHE,
        "name = \"rwlock\"",
        "name = \"rwlock\"\nworkers = 4",
        19,
        "`workers` does not apply to kind `cache`; allowed: readers, shards",
    );
    bad_at(
        CACHE,
        "[quick]\nops = 100",
        "[quick]\njobs = 100",
        15,
        "`jobs` does not apply to [quick] of kind `cache`; allowed: ops, duration, repetitions",
    );
}

#[test]
fn a_fanin_scenario_sweeps_producers_and_capacity_for_every_strategy() {
    let scenario = parse(FANIN).unwrap();
    assert_eq!(scenario.kind, Kind::FanIn);
    assert_eq!(scenario.cells.len(), 12);
    assert_eq!(scenario.cells[0].label, "drop-close producers=2 capacity=0");
    assert_eq!(
        scenario.cells[11].label,
        "crossbeam producers=4 capacity=unbounded"
    );
    assert_eq!(scenario.cells[11].params.capacity, None);
    assert_eq!(scenario.cells[1].params.capacity, Some(64));
    let Workload::FanIn(quick) = scenario.plan(true).0 else {
        panic!("a fan-in scenario has a fan-in workload");
    };
    assert_eq!(quick.items, 100);
}

#[test]
fn impossible_fanin_values_are_refused() {
    bad(
        FANIN,
        "capacity = [0, 64, \"unbounded\"]",
        "capacity = [-1]",
        "`capacity` must be a whole number of at least 0 (0 is a rendezvous) or \"unbounded\"",
    );
    bad(
        FANIN,
        "capacity = [0, 64, \"unbounded\"]",
        "capacity = \"infinite\"",
        "write a whole number of at least 0 (0 is a rendezvous) or \"unbounded\"",
    );
    bad(
        FANIN,
        "producers = [2, 4]",
        "producers = 0",
        "`producers` must be at least 1",
    );
    bad(
        FANIN,
        "items = 1000",
        "items = -5",
        "`items` must be at least 1, got -5",
    );
    bad_at(
        FANIN,
        "items = 1000",
        "items = 1000\nreaders = 2",
        8,
        "unknown field `readers`, expected one of `producers`, `items`, `capacity`",
    );
    bad_at(
        FANIN,
        "[[gate]]",
        "[quick]\nduration = \"1s\"\n\n[[gate]]",
        17,
        "`duration` does not apply to [quick] of kind `fanin`; allowed: items, repetitions",
    );
}

#[test]
fn a_capacity_a_fanin_variant_does_not_support_is_refused_before_running() {
    bad(
        FANIN,
        "name = \"crossbeam\"",
        "name = \"tokio-mpsc\"",
        "`tokio-mpsc producers=2 capacity=0`: fan-in `tokio-mpsc` does not support capacity 0",
    );
    bad_at(
        FANIN,
        "name = \"crossbeam\"",
        "name = \"crossbeam\"\nshards = 2",
        15,
        "`shards` does not apply to kind `fanin`; allowed: producers, capacity",
    );
    bad(
        FANIN,
        "name = \"crossbeam\"",
        "name = \"crosbeam\"",
        "allowed: drop-close, closer, tokio-mpsc, crossbeam, flume",
    );
}
