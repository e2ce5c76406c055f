//! Strategy parameters, and sweeps: a list of values in a `[[strategy]]`
//! table makes one cell per value (per combination, when several keys are
//! lists).
//!
//! A cell is labelled with the parameters as written (`fixed workers=4`,
//! `fixed workers=cores`), so labels stay the same from machine to
//! machine and `compare` can match cells across runs; the values the
//! child process uses are resolved (`cores` becomes this machine's count).

use std::collections::BTreeMap;
use std::time::Duration;

use contend_strategies::pool::{available_cores, OverloadPolicy, PoolConfig};
use serde::{Deserialize, Serialize};

use crate::load::service::Io;
use crate::units::duration;

/// The parameters a strategy is built with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrategyParams {
    /// Workers, concurrency limit or capacity.
    pub workers: usize,
    /// Queue capacity, for strategies with a queue.
    pub queue: usize,
    /// Overload policy name (see `OverloadPolicy::NAMES`).
    pub policy: String,
    /// How long `block-timeout` waits.
    pub block_timeout: Duration,
    /// How long an idle `elastic` worker lives.
    pub idle_timeout: Duration,
    /// Cap on blocked submitters (`elastic`).
    pub max_blocked_submitters: Option<usize>,
    /// Cache reader threads.
    #[serde(default = "available_cores")]
    pub readers: usize,
    /// Shards of the `sharded` cache.
    #[serde(default = "default_shards")]
    pub shards: usize,
    /// Fan-in producer threads.
    #[serde(default = "default_producers")]
    pub producers: usize,
    /// Fan-in channel capacity; `None` is unbounded.
    #[serde(default)]
    pub capacity: Option<usize>,
    /// How jobs on a tokio strategy wait for IO; `None`: as the strategy
    /// runs best (async on tasks, blocking on threads).
    #[serde(default)]
    pub io: Option<Io>,
    /// How fan-in producers send: threads calling a blocking send, or
    /// (`Io::Async`) tokio tasks awaiting it; `None`: threads.
    #[serde(default)]
    pub send: Option<Io>,
}

fn default_shards() -> usize {
    16
}

fn default_producers() -> usize {
    4
}

impl Default for StrategyParams {
    fn default() -> Self {
        Self {
            workers: available_cores(),
            queue: 1024,
            policy: "block".into(),
            block_timeout: Duration::from_millis(10),
            idle_timeout: Duration::from_secs(1),
            max_blocked_submitters: None,
            readers: available_cores(),
            shards: default_shards(),
            producers: default_producers(),
            capacity: None,
            io: None,
            send: None,
        }
    }
}

impl StrategyParams {
    /// The [`PoolConfig`] these parameters describe.
    pub fn to_config(&self) -> PoolConfig {
        let policy = match self.policy.as_str() {
            "fail-fast" => OverloadPolicy::FailFast,
            "block-timeout" => OverloadPolicy::BlockTimeout(self.block_timeout),
            "discard" => OverloadPolicy::Discard,
            "discard-oldest" => OverloadPolicy::DiscardOldest,
            "caller-runs" => OverloadPolicy::CallerRuns,
            _ => OverloadPolicy::Block,
        };
        let config = PoolConfig::new(self.workers)
            .queue_capacity(self.queue)
            .policy(policy)
            .idle_timeout(self.idle_timeout);
        match self.max_blocked_submitters {
            Some(cap) => config.max_blocked_submitters(cap),
            None => config,
        }
    }
}

/// One (strategy, parameters) combination of a scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellPlan {
    /// Strategy name.
    pub strategy: String,
    /// Resolved parameters.
    pub params: StrategyParams,
    /// The parameters the file set, as written (`workers` → `cores`).
    pub written: BTreeMap<String, String>,
    /// `strategy key=value …` with the swept keys (all keys when two
    /// tables of one strategy would otherwise share a label); unique in
    /// the scenario.
    pub label: String,
}

/// A parameter key of a `[[strategy]]` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// Workers, a concurrency limit or a capacity.
    Workers,
    /// Queue capacity.
    Queue,
    /// The overload policy.
    Policy,
    /// How long `block-timeout` waits.
    BlockTimeout,
    /// How long an idle `elastic` worker lives.
    IdleTimeout,
    /// Cap on blocked submitters (`elastic`).
    MaxBlockedSubmitters,
    /// Cache reader threads.
    Readers,
    /// Shards of the `sharded` cache.
    Shards,
    /// Fan-in producers.
    Producers,
    /// Fan-in channel capacity.
    Capacity,
    /// How jobs on tokio tasks wait for IO.
    Io,
    /// How fan-in producers send.
    Send,
}

/// A parsed parameter value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Setting {
    Count(usize),
    Policy(&'static str),
    Time(Duration),
    Unbounded,
    Io(Io),
}

impl Key {
    pub(crate) const ALL: [Key; 12] = [
        Key::Workers,
        Key::Queue,
        Key::Policy,
        Key::BlockTimeout,
        Key::IdleTimeout,
        Key::MaxBlockedSubmitters,
        Key::Readers,
        Key::Shards,
        Key::Producers,
        Key::Capacity,
        Key::Io,
        Key::Send,
    ];

    /// Whether this key is about what to do at a bound (`queue`, `policy`,
    /// `block_timeout`, `max_blocked_submitters`): meaningless on an
    /// unbounded strategy, which refuses it.
    pub(crate) fn is_overload(self) -> bool {
        matches!(
            self,
            Key::Queue | Key::Policy | Key::BlockTimeout | Key::MaxBlockedSubmitters
        )
    }

    /// The only strategy that takes this key, if it is one strategy's.
    pub(crate) fn only_for(self) -> Option<&'static str> {
        match self {
            Key::Shards => Some("sharded"),
            _ => None,
        }
    }

    /// The key as scenario files write it.
    pub fn name(self) -> &'static str {
        match self {
            Key::Workers => "workers",
            Key::Queue => "queue",
            Key::Policy => "policy",
            Key::BlockTimeout => "block_timeout",
            Key::IdleTimeout => "idle_timeout",
            Key::MaxBlockedSubmitters => "max_blocked_submitters",
            Key::Readers => "readers",
            Key::Shards => "shards",
            Key::Producers => "producers",
            Key::Capacity => "capacity",
            Key::Io => "io",
            Key::Send => "send",
        }
    }

    pub(crate) fn by_name(name: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|key| key.name() == name)
    }

    /// Parses one value; `Ok((as written, setting))`.
    pub(crate) fn parse(self, value: &toml::Value) -> Result<(String, Setting), String> {
        match self {
            Key::Workers | Key::Readers | Key::Producers => count_or_cores(self.name(), value, 1),
            Key::Queue | Key::Shards => count(self.name(), value, 1),
            Key::Capacity => match value.as_str() {
                Some("unbounded") => Ok(("unbounded".to_owned(), Setting::Unbounded)),
                Some(other) => Err(format!(
                    "`capacity` = \"{other}\": write a whole number of at least 0 (0 is a rendezvous) or \"unbounded\""
                )),
                None => count(self.name(), value, 0).map_err(|_| {
                    "`capacity` must be a whole number of at least 0 (0 is a rendezvous) or \"unbounded\"".to_owned()
                }),
            },
            Key::MaxBlockedSubmitters => count(self.name(), value, 0),
            Key::Io | Key::Send => {
                let (key, allowed) = (self.name(), Io::NAMES.join(", "));
                let io = value
                    .as_str()
                    .ok_or_else(|| format!("`{key}` must be a string, one of {allowed}"))?;
                let io = Io::from_name(io)
                    .ok_or_else(|| format!("unknown {key} `{io}`; allowed: {allowed}"))?;
                Ok((io.name().to_owned(), Setting::Io(io)))
            }
            Key::Policy => {
                let allowed = OverloadPolicy::NAMES.join(", ");
                let name = value
                    .as_str()
                    .ok_or_else(|| format!("`policy` must be a string, one of {allowed}"))?;
                let known = OverloadPolicy::NAMES
                    .into_iter()
                    .find(|known| *known == name)
                    .ok_or_else(|| format!("unknown policy `{name}`; allowed: {allowed}"))?;
                Ok((known.to_owned(), Setting::Policy(known)))
            }
            Key::BlockTimeout | Key::IdleTimeout => {
                let text = value.as_str().ok_or_else(|| {
                    format!(
                        "`{}` must be a duration string such as \"10ms\" (units: {})",
                        self.name(),
                        duration::UNITS
                    )
                })?;
                let time = duration::parse(text)?;
                Ok((duration::display(time), Setting::Time(time)))
            }
        }
    }

    pub(crate) fn apply(self, params: &mut StrategyParams, setting: &Setting) {
        match (self, setting) {
            (Key::Workers, Setting::Count(n)) => params.workers = *n,
            (Key::Queue, Setting::Count(n)) => params.queue = *n,
            (Key::MaxBlockedSubmitters, Setting::Count(n)) => {
                params.max_blocked_submitters = Some(*n)
            }
            (Key::Policy, Setting::Policy(name)) => params.policy = (*name).to_owned(),
            (Key::BlockTimeout, Setting::Time(t)) => params.block_timeout = *t,
            (Key::IdleTimeout, Setting::Time(t)) => params.idle_timeout = *t,
            (Key::Readers, Setting::Count(n)) => params.readers = *n,
            (Key::Shards, Setting::Count(n)) => params.shards = *n,
            (Key::Producers, Setting::Count(n)) => params.producers = *n,
            (Key::Capacity, Setting::Count(n)) => params.capacity = Some(*n),
            (Key::Capacity, Setting::Unbounded) => params.capacity = None,
            (Key::Io, Setting::Io(io)) => params.io = Some(*io),
            (Key::Send, Setting::Io(io)) => params.send = Some(*io),
            _ => unreachable!("a key's parser gives that key's setting"),
        }
    }
}

fn count(key: &str, value: &toml::Value, min: i64) -> Result<(String, Setting), String> {
    match value.as_integer() {
        Some(n) if n >= min => Ok((n.to_string(), Setting::Count(n as usize))),
        Some(n) => Err(format!("`{key}` must be at least {min}, got {n}")),
        None => Err(format!("`{key}` must be a whole number of at least {min}")),
    }
}

/// A count, or `"cores"` / `"N*cores"` for a multiple of this machine's
/// cores.
fn count_or_cores(key: &str, value: &toml::Value, min: i64) -> Result<(String, Setting), String> {
    let Some(text) = value.as_str() else {
        return match value.as_integer() {
            Some(_) => count(key, value, min),
            None => Err(format!(
                "`{key}` must be a whole number of at least {min}, \"cores\" or \"N*cores\""
            )),
        };
    };
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let factor = match compact.strip_suffix("cores") {
        Some("") => Some(1),
        Some(prefix) => prefix
            .strip_suffix('*')
            .or_else(|| prefix.strip_suffix('x'))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n >= 1),
        None => None,
    };
    let factor = factor.ok_or_else(|| {
        format!("`{key}` = \"{text}\": write a whole number, \"cores\" or \"N*cores\" (e.g. \"4*cores\")")
    })?;
    let written = if factor == 1 {
        "cores".to_owned()
    } else {
        format!("{factor}*cores")
    };
    let count = factor.checked_mul(available_cores()).ok_or_else(|| {
        format!("`{key}` = \"{text}\": {factor} × this machine's cores is more than any count")
    })?;
    Ok((written, Setting::Count(count)))
}

/// Every combination of `choices` (key, values), in file order: the
/// cartesian product of the lists.
pub(crate) fn combinations(
    choices: &[(Key, Vec<(String, Setting)>)],
) -> Vec<Vec<(Key, String, Setting)>> {
    let mut cells: Vec<Vec<(Key, String, Setting)>> = vec![Vec::new()];
    for (key, values) in choices {
        cells = cells
            .into_iter()
            .flat_map(|cell| {
                values.iter().map(move |(written, setting)| {
                    let mut cell = cell.clone();
                    cell.push((*key, written.clone(), setting.clone()));
                    cell
                })
            })
            .collect();
    }
    cells
}

/// Builds the cell of `strategy` with `settings`; its label names the
/// strategy and the `labelled` keys (the swept ones).
pub(crate) fn cell(
    strategy: &str,
    settings: &[(Key, String, Setting)],
    labelled: &[Key],
) -> CellPlan {
    let mut params = StrategyParams::default();
    let mut written = BTreeMap::new();
    let mut label = strategy.to_owned();
    for (key, text, setting) in settings {
        key.apply(&mut params, setting);
        written.insert(key.name().to_owned(), text.clone());
        if labelled.contains(key) {
            label.push_str(&format!(" {}={text}", key.name()));
        }
    }
    CellPlan {
        strategy: strategy.to_owned(),
        params,
        written,
        label,
    }
}
