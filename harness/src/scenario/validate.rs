//! From the raw TOML to a [`Scenario`]: every check that needs the file's
//! lines.

use std::time::Duration;

use contend_strategies::pool::{RunsOn, ShutdownMode, MAX_ALLOCATED_QUEUE};
use toml::Spanned;

use super::error::{ScenarioError, Source};
use super::fits;
use super::gate::Gate;
use super::machine::Machine;
use super::params::{self, Key, StrategyParams};
use super::raw::{
    RawArrival, RawCacheWorkload, RawDownstream, RawFanInWorkload, RawHead, RawObjective, RawQuick,
    RawScenario, RawService, RawStrategy, RawWorkload,
};
use super::{
    CacheWorkload, FanInWorkload, Kind, Objective, OpMix, PoolWorkload, Quick, Scenario, Workload,
};
use crate::catalog::{Bounds, Catalog};
use crate::load::arrival::{Arrival, Spacing};
use crate::load::downstream::DownstreamModel;
use crate::load::service::{Dist, ServiceModel, Work};
use crate::run::ledger::Ledger;
use crate::units::{duration, size};

type Checked<T> = Result<T, ScenarioError>;

pub(crate) fn scenario(src: Source<'_>) -> Checked<Scenario> {
    let head: RawHead = parse(src)?;
    let kind = match &head.kind {
        None => Kind::Pool,
        Some(kind) => Kind::from_name(kind.get_ref()).ok_or_else(|| {
            src.error(
                kind.span(),
                format!(
                    "unknown kind `{}`; allowed: {}",
                    kind.get_ref(),
                    Kind::NAMES.join(", ")
                ),
            )
        })?,
    };
    match kind {
        Kind::Pool => {
            let raw: RawScenario<RawWorkload> = parse(src)?;
            let load = workload(src, raw.workload.get_ref())?;
            finish(src, kind, &raw, Workload::Pool(load), Vec::new())
        }
        Kind::Cache => {
            let raw: RawScenario<RawCacheWorkload> = parse(src)?;
            let (load, shared) = cache_workload(src, &raw.workload)?;
            finish(src, kind, &raw, Workload::Cache(load), shared)
        }
        Kind::FanIn => {
            let raw: RawScenario<RawFanInWorkload> = parse(src)?;
            let load = FanInWorkload {
                items: positive(src, &raw.workload.get_ref().items, "items")?,
            };
            let w = raw.workload.get_ref();
            let mut shared = vec![(Key::Producers, &w.producers)];
            shared.extend(w.capacity.as_ref().map(|c| (Key::Capacity, c)));
            shared.extend(w.send.as_ref().map(|c| (Key::Send, c)));
            finish(src, kind, &raw, Workload::FanIn(load), shared)
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(src: Source<'_>) -> Checked<T> {
    toml::from_str(src.text).map_err(|error| {
        let span = error.span().unwrap_or(0..0);
        src.error(span, error.message().trim_end().to_owned())
    })
}

/// Strategy parameters written in `[workload]`, applied to every
/// strategy table that does not set them itself.
type Shared<'a> = Vec<(Key, &'a Spanned<toml::Value>)>;

/// Everything but the workload: the same for every kind.
fn finish<W>(
    src: Source<'_>,
    kind: Kind,
    raw: &RawScenario<W>,
    workload: Workload,
    shared: Shared<'_>,
) -> Checked<Scenario> {
    let name = match &raw.name {
        Some(name) if name.get_ref().trim().is_empty() => {
            return Err(src.error(name.span(), "`name` must not be empty"))
        }
        Some(name) => name.get_ref().clone(),
        None => src.file.file_stem().map_or_else(
            || "scenario".to_owned(),
            |stem| stem.to_string_lossy().into_owned(),
        ),
    };
    let repetitions = match &raw.repetitions {
        Some(reps) => positive(src, reps, "repetitions")? as usize,
        None => 1,
    };
    let cell_timeout = match &raw.timeout {
        Some(text) => time(src, text)?,
        None => Duration::from_secs(300),
    };
    let memory_limit = raw
        .memory_limit
        .as_ref()
        .map(|limit| memory(src, limit, "memory_limit"))
        .transpose()?;
    let objective = raw
        .objective
        .as_ref()
        .map(|o| objective(src, o.get_ref()))
        .transpose()?;
    let quick = match &raw.quick {
        None => Quick::default(),
        Some(quick) => Quick {
            count: quick_count(src, kind, quick)?,
            duration: quick.duration.as_ref().map(|d| time(src, d)).transpose()?,
            repetitions: quick
                .repetitions
                .as_ref()
                .map(|r| positive(src, r, "repetitions").map(|r| r as usize))
                .transpose()?,
        },
    };
    if raw.strategies.get_ref().is_empty() {
        return Err(src.error(
            raw.strategies.span(),
            "a scenario needs at least one [[strategy]]",
        ));
    }
    let mut cells = Vec::new();
    for strategy in raw.strategies.get_ref() {
        for cell in strategy_cells(src, kind, strategy, &shared, &workload, &cells)? {
            if cells
                .iter()
                .any(|c: &params::CellPlan| c.label == cell.label)
            {
                return Err(src.error(
                    strategy.name.span(),
                    format!("the cell `{}` appears twice", cell.label),
                ));
            }
            cells.push(cell);
        }
    }
    let reference = match &raw.reference {
        None => cells[0].label.clone(),
        Some(reference) => cells
            .iter()
            .find(|c| &c.label == reference.get_ref() || &c.strategy == reference.get_ref())
            .map(|c| c.label.clone())
            .ok_or_else(|| {
                let labels: Vec<_> = cells.iter().map(|c| c.label.as_str()).collect();
                src.error(
                    reference.span(),
                    format!("`reference` names no cell; cells: {}", labels.join("; ")),
                )
            })?,
    };
    let gates = raw
        .gates
        .iter()
        .map(|gate| {
            let line = src.position(gate.check.span().start).0;
            Gate::parse(gate.check.get_ref(), line, &cells, kind.primary())
                .map(|mut parsed| {
                    parsed.in_quick = gate.quick.unwrap_or(true);
                    parsed
                })
                .map_err(|message| src.error(gate.check.span(), message))
        })
        .collect::<Checked<Vec<_>>>()?;
    Ok(Scenario {
        file: src.file.to_owned(),
        name,
        description: raw.description.clone().unwrap_or_default(),
        kind,
        repetitions,
        reference,
        cell_timeout,
        memory_limit,
        objective,
        workload,
        quick,
        cells,
        gates,
    })
}

/// `objective = { p99 = "50ms" }`: a duration above 0.
fn objective(src: Source<'_>, raw: &RawObjective) -> Checked<Objective> {
    let p99 = time(src, &raw.p99)?;
    if p99.is_zero() {
        return Err(src.error(
            raw.p99.span(),
            "`objective.p99` must be more than 0 (e.g. \"50ms\")",
        ));
    }
    Ok(Objective {
        p99_ms: p99.as_nanos() as f64 / 1e6,
    })
}

fn workload(src: Source<'_>, raw: &RawWorkload) -> Checked<PoolWorkload> {
    let jobs = raw
        .jobs
        .as_ref()
        .map(|j| {
            at_most(
                src,
                j,
                "jobs",
                Ledger::CAPACITY,
                "the jobs the books can track",
            )
        })
        .transpose()?;
    let duration = raw.duration.as_ref().map(|d| time(src, d)).transpose()?;
    let arrival = arrival(src, &raw.arrival)?;
    let needs_jobs = matches!(arrival, Arrival::Batch);
    if jobs.is_none() && (duration.is_none() || needs_jobs) {
        let allowed = if needs_jobs {
            "`jobs`"
        } else {
            "`jobs` or `duration` (or both)"
        };
        return Err(src.error(raw.arrival.span(), format!("the workload needs {allowed}")));
    }
    Ok(PoolWorkload {
        jobs,
        duration,
        arrival,
        service: raw
            .service
            .as_ref()
            .map(|s| service(src, s))
            .transpose()?
            .unwrap_or_default(),
        panic_rate: raw
            .panic_rate
            .as_ref()
            .map(|r| fraction(src, r, "panic_rate"))
            .transpose()?
            .unwrap_or(0.0),
        cancel_rate: raw
            .cancel_rate
            .as_ref()
            .map(|r| fraction(src, r, "cancel_rate"))
            .transpose()?
            .unwrap_or(0.0),
        downstream: raw
            .downstream
            .as_ref()
            .map(|d| downstream(src, d))
            .transpose()?,
        seed: raw.seed.unwrap_or(1),
    })
}

fn arrival(src: Source<'_>, spanned: &Spanned<RawArrival>) -> Checked<Arrival> {
    let raw = spanned.get_ref();
    let kind = raw.kind.get_ref().as_str();
    let given: Vec<(&str, Option<std::ops::Range<usize>>)> = vec![
        ("clients", raw.clients.as_ref().map(Spanned::span)),
        ("think", raw.think.as_ref().map(Spanned::span)),
        ("rate", raw.rate.as_ref().map(Spanned::span)),
        ("spacing", raw.spacing.as_ref().map(Spanned::span)),
        ("size", raw.size.as_ref().map(Spanned::span)),
        ("every", raw.every.as_ref().map(Spanned::span)),
        ("from", raw.from.as_ref().map(Spanned::span)),
        ("to", raw.to.as_ref().map(Spanned::span)),
        ("over", raw.over.as_ref().map(Spanned::span)),
    ];
    let allowed: &[&str] = match kind {
        "batch" => &[],
        "closed" => &["clients", "think"],
        "open" => &["rate", "spacing"],
        "burst" => &["size", "every"],
        "ramp" => &["from", "to", "over", "spacing"],
        other => {
            return Err(src.error(
                raw.kind.span(),
                format!(
                    "unknown arrival type `{other}`; allowed: {}",
                    Arrival::NAMES.join(", ")
                ),
            ))
        }
    };
    for (key, span) in given {
        if let Some(span) = span.filter(|_| !allowed.contains(&key)) {
            let allowed = if allowed.is_empty() {
                "none".to_owned()
            } else {
                allowed.join(", ")
            };
            return Err(src.error(
                span,
                format!("`{key}` does not apply to arrival type `{kind}`; allowed: {allowed}"),
            ));
        }
    }
    let missing = |key: &str| {
        src.error(
            spanned.span(),
            format!("arrival type `{kind}` needs `{key}`"),
        )
    };
    let spacing = raw
        .spacing
        .as_ref()
        .map(|s| match s.get_ref().as_str() {
            "uniform" => Ok(Spacing::Uniform),
            "poisson" => Ok(Spacing::Poisson),
            other => Err(src.error(
                s.span(),
                format!(
                    "unknown spacing `{other}`; allowed: {}",
                    Spacing::NAMES.join(", ")
                ),
            )),
        })
        .transpose()?
        .unwrap_or(Spacing::Uniform);
    Ok(match kind {
        "batch" => Arrival::Batch,
        "closed" => Arrival::Closed {
            clients: positive(
                src,
                raw.clients.as_ref().ok_or_else(|| missing("clients"))?,
                "clients",
            )? as usize,
            think: raw
                .think
                .as_ref()
                .map(|t| time(src, t))
                .transpose()?
                .unwrap_or(Duration::ZERO),
        },
        "open" => Arrival::Open {
            rate: rate(
                src,
                raw.rate.as_ref().ok_or_else(|| missing("rate"))?,
                "rate",
            )?,
            spacing,
        },
        "burst" => Arrival::Burst {
            size: positive(
                src,
                raw.size.as_ref().ok_or_else(|| missing("size"))?,
                "size",
            )? as usize,
            every: time(src, raw.every.as_ref().ok_or_else(|| missing("every"))?)?,
        },
        _ => Arrival::Ramp {
            from: rate(
                src,
                raw.from.as_ref().ok_or_else(|| missing("from"))?,
                "from",
            )?,
            to: rate(src, raw.to.as_ref().ok_or_else(|| missing("to"))?, "to")?,
            over: time(src, raw.over.as_ref().ok_or_else(|| missing("over"))?)?,
            spacing,
        },
    })
}

fn service(src: Source<'_>, spanned: &Spanned<RawService>) -> Checked<ServiceModel> {
    let raw = spanned.get_ref();
    let work = match raw.work.as_ref() {
        None => Work::Sleep,
        Some(work) => match work.get_ref().as_str() {
            "sleep" => Work::Sleep,
            "spin" => Work::Spin,
            other => {
                return Err(src.error(
                    work.span(),
                    format!(
                        "unknown service type `{other}`; allowed: {}",
                        Work::NAMES.join(", ")
                    ),
                ))
            }
        },
    };
    let mean = time(src, &raw.mean)?;
    let dist_name = raw.dist.as_ref().map_or("fixed", |d| d.get_ref().as_str());
    if let Some(sigma) = raw.sigma.as_ref().filter(|_| dist_name != "lognormal") {
        return Err(src.error(sigma.span(), "`sigma` applies only to dist = \"lognormal\""));
    }
    let dist = match dist_name {
        "fixed" => Dist::Fixed { mean },
        "exponential" => Dist::Exponential { mean },
        "lognormal" => {
            let sigma = raw.sigma.as_ref().ok_or_else(|| {
                src.error(
                    spanned.span(),
                    "dist = \"lognormal\" needs `sigma` (e.g. 0.5)",
                )
            })?;
            if !(sigma.get_ref().is_finite() && *sigma.get_ref() > 0.0 && *sigma.get_ref() <= 4.0) {
                return Err(src.error(
                    sigma.span(),
                    format!("`sigma` must be in (0, 4], got {}", sigma.get_ref()),
                ));
            }
            Dist::LogNormal {
                mean,
                sigma: *sigma.get_ref(),
            }
        }
        other => {
            let span = raw.dist.as_ref().map_or(spanned.span(), Spanned::span);
            return Err(src.error(
                span,
                format!(
                    "unknown dist `{other}`; allowed: {}",
                    Dist::NAMES.join(", ")
                ),
            ));
        }
    };
    let memory = raw
        .memory
        .as_ref()
        .map(|size| job_memory(src, size))
        .transpose()?
        .unwrap_or(0);
    Ok(ServiceModel { work, dist, memory })
}

fn downstream(src: Source<'_>, spanned: &Spanned<RawDownstream>) -> Checked<DownstreamModel> {
    let raw = spanned.get_ref();
    let growth = match &raw.overload_growth {
        None => 1.0,
        Some(g) if g.get_ref().is_finite() && *g.get_ref() >= 0.0 => *g.get_ref(),
        Some(g) => {
            return Err(src.error(
                g.span(),
                format!("`overload_growth` must be 0 or more, got {}", g.get_ref()),
            ))
        }
    };
    let timeout = time(src, &raw.timeout)?;
    if timeout.is_zero() {
        return Err(src.error(raw.timeout.span(), "`timeout` must be more than 0"));
    }
    Ok(DownstreamModel {
        connections: positive(src, &raw.connections, "connections")? as usize,
        latency: time(src, &raw.latency)?,
        overload_growth: growth,
        timeout,
    })
}

fn quick_count(src: Source<'_>, kind: Kind, quick: &RawQuick) -> Checked<Option<u64>> {
    let count_key = match kind {
        Kind::Pool => "jobs",
        Kind::Cache => "ops",
        Kind::FanIn => "items",
    };
    let allowed = if kind == Kind::FanIn {
        format!("{count_key}, repetitions")
    } else {
        format!("{count_key}, duration, repetitions")
    };
    let given = [
        ("jobs", &quick.jobs),
        ("ops", &quick.ops),
        ("items", &quick.items),
    ];
    for (key, value) in given {
        if let Some(value) = value.as_ref().filter(|_| key != count_key) {
            return Err(src.error(
                value.span(),
                format!(
                    "`{key}` does not apply to [quick] of kind `{}`; allowed: {allowed}",
                    kind.name()
                ),
            ));
        }
    }
    if let Some(duration) = quick.duration.as_ref().filter(|_| kind == Kind::FanIn) {
        return Err(src.error(
            duration.span(),
            format!("`duration` does not apply to [quick] of kind `fanin`; allowed: {allowed}"),
        ));
    }
    given
        .into_iter()
        .find_map(|(_, value)| value.as_ref())
        .map(|n| positive(src, n, count_key))
        .transpose()
}

fn cache_workload<'a>(
    src: Source<'_>,
    spanned: &'a Spanned<RawCacheWorkload>,
) -> Checked<(CacheWorkload, Shared<'a>)> {
    let raw = spanned.get_ref();
    let ops = raw
        .ops
        .as_ref()
        .map(|n| positive(src, n, "ops"))
        .transpose()?;
    let duration = raw.duration.as_ref().map(|d| time(src, d)).transpose()?;
    if ops.is_none() && duration.is_none() {
        return Err(src.error(
            spanned.span(),
            "the workload needs `ops` (per reader) or `duration` (or both)",
        ));
    }
    // Every key is in the map from the start: two u64s at least each.
    let key_bytes = 2 * std::mem::size_of::<u64>() as u64;
    let keys = at_most(
        src,
        &raw.keys,
        "keys",
        Machine::get().memory.value / key_bytes,
        "the keys this machine's memory holds, 16 bytes each",
    )?;
    let refresh_keys = match &raw.refresh_keys {
        None => keys.min(100),
        Some(n) => match positive(src, n, "refresh_keys")? {
            n if n <= keys => n,
            n => {
                return Err(src.error(
                    raw.refresh_keys.as_ref().map_or(0..0, Spanned::span),
                    format!("`refresh_keys` must be at most `keys` ({keys}), got {n}"),
                ))
            }
        },
    };
    let refresh_every = match &raw.refresh_every {
        None => Duration::from_millis(10),
        Some(text) => match time(src, text)? {
            t if t.is_zero() => {
                return Err(src.error(text.span(), "`refresh_every` must be more than 0"))
            }
            t => t,
        },
    };
    let read_batch = match &raw.read_batch {
        None => refresh_keys.min(16),
        Some(n) => match positive(src, n, "read_batch")? {
            n if n <= refresh_keys => n,
            n => {
                return Err(src.error(
                    n_span(&raw.read_batch),
                    format!(
                        "`read_batch` must be at most `refresh_keys` ({refresh_keys}): a `get_many` reads refreshed keys; got {n}"
                    ),
                ))
            }
        },
    } as usize;
    let mix = match &raw.mix {
        None => OpMix::default(),
        Some(mix) => {
            let percent = |value: &Option<Spanned<i64>>, key: &str| -> Checked<u32> {
                match value {
                    None => Ok(0),
                    Some(v) if (0..=100).contains(v.get_ref()) => Ok(*v.get_ref() as u32),
                    Some(v) => Err(src.error(
                        v.span(),
                        format!(
                            "`{key}` is a percentage of reader operations, 0 to 100, got {}",
                            v.get_ref()
                        ),
                    )),
                }
            };
            let m = mix.get_ref();
            let parsed = OpMix {
                get: percent(&m.get, "get")?,
                get_many: percent(&m.get_many, "get_many")?,
                insert: percent(&m.insert, "insert")?,
                remove: percent(&m.remove, "remove")?,
            };
            let total = parsed.get + parsed.get_many + parsed.insert + parsed.remove;
            if total != 100 {
                return Err(src.error(
                    mix.span(),
                    format!(
                        "the mix must add up to 100 (percent of reader operations), got {total}; keys: {}",
                        OpMix::NAMES.join(", ")
                    ),
                ));
            }
            if parsed.insert + parsed.remove > 0 && refresh_keys >= keys {
                return Err(src.error(
                    mix.span(),
                    format!(
                        "`insert` and `remove` use the keys above the refreshed ones: `keys` ({keys}) must be more than `refresh_keys` ({refresh_keys})"
                    ),
                ));
            }
            parsed
        }
    };
    let shared = raw
        .readers
        .as_ref()
        .map(|r| (Key::Readers, r))
        .into_iter()
        .collect();
    Ok((
        CacheWorkload {
            ops,
            duration,
            keys,
            refresh_keys,
            refresh_every,
            read_batch,
            mix,
            seed: raw.seed.unwrap_or(1),
        },
        shared,
    ))
}

fn n_span(value: &Option<Spanned<i64>>) -> std::ops::Range<usize> {
    value.as_ref().map_or(0..0, Spanned::span)
}

fn strategy_cells(
    src: Source<'_>,
    kind: Kind,
    raw: &RawStrategy,
    shared: &Shared<'_>,
    workload: &Workload,
    taken: &[params::CellPlan],
) -> Checked<Vec<params::CellPlan>> {
    let name = raw.name.get_ref();
    let names = kind.strategies();
    if !names.contains(&name.as_str()) {
        return Err(src.error(
            raw.name.span(),
            format!(
                "unknown {} strategy `{name}`; allowed: {}",
                kind.name(),
                names.join(", ")
            ),
        ));
    }
    let own = [
        (Key::Workers, &raw.workers),
        (Key::Queue, &raw.queue),
        (Key::Policy, &raw.policy),
        (Key::BlockTimeout, &raw.block_timeout),
        (Key::IdleTimeout, &raw.idle_timeout),
        (Key::MaxBlockedSubmitters, &raw.max_blocked_submitters),
        (Key::Readers, &raw.readers),
        (Key::Shards, &raw.shards),
        (Key::Producers, &raw.producers),
        (Key::Capacity, &raw.capacity),
        (Key::Io, &raw.io),
        (Key::Send, &raw.send),
    ];
    let own: Vec<(Key, &Spanned<toml::Value>)> = own
        .into_iter()
        .filter_map(|(key, value)| value.as_ref().map(|v| (key, v)))
        .collect();
    for (key, value) in &own {
        if key.kind() != kind {
            let allowed: Vec<_> = Key::of_kind(kind).iter().map(|k| k.name()).collect();
            return Err(src.error(
                value.span(),
                format!(
                    "`{}` does not apply to kind `{}`; allowed: {}",
                    key.name(),
                    kind.name(),
                    allowed.join(", ")
                ),
            ));
        }
        if let Some(only) = key.only_for().filter(|only| only != name) {
            return Err(src.error(
                value.span(),
                format!("`{}` applies only to strategy `{only}`", key.name()),
            ));
        }
        let catalog = Catalog::active();
        if *key == Key::Io && !catalog.runs_on_tasks(name) {
            let tasks: Vec<_> = catalog
                .entries()
                .iter()
                .filter(|entry| entry.runs_on == RunsOn::Tasks)
                .map(|entry| entry.name)
                .collect();
            return Err(src.error(
                value.span(),
                format!(
                    "`io` applies only to the strategies on tokio tasks ({}): the jobs of `{name}` always block their thread",
                    tasks.join(", ")
                ),
            ));
        }
        let unbounded = kind == Kind::Pool
            && catalog
                .get(name)
                .is_some_and(|entry| entry.bounds == Bounds::Unbounded);
        if key.is_overload() && unbounded {
            let bounded: Vec<_> = catalog
                .entries()
                .iter()
                .filter(|entry| entry.bounds == Bounds::Bounded)
                .map(|entry| entry.name)
                .collect();
            return Err(src.error(
                value.span(),
                format!(
                    "`{}` does not apply to `{name}`: it is unbounded (it takes every job, without limit) and has no overload policy; the strategies that take it: {}",
                    key.name(),
                    bounded.join(", ")
                ),
            ));
        }
    }
    let given: Vec<(Key, &Spanned<toml::Value>)> = shared
        .iter()
        .filter(|(key, _)| !own.iter().any(|(k, _)| k == key))
        .copied()
        .chain(own.iter().copied())
        .collect();
    let mut choices = Vec::new();
    for (key, value) in &given {
        let items: Vec<&toml::Value> = match value.get_ref() {
            toml::Value::Array(items) if items.is_empty() => {
                return Err(src.error(
                    value.span(),
                    format!("`{}` = []: a sweep needs at least one value", key.name()),
                ))
            }
            toml::Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        let parsed = items
            .into_iter()
            .map(|item| key.parse(item))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|message| src.error(value.span(), message))?;
        choices.push((*key, parsed));
    }
    let count = choices
        .iter()
        .try_fold(1_usize, |count, (_, values)| {
            count.checked_mul(values.len())
        })
        .filter(|count| *count <= MAX_CELLS);
    if count.is_none() {
        return Err(src.error(
            raw.name.span(),
            format!("the sweeps of `{name}` make more than {MAX_CELLS} cells; sweep fewer values"),
        ));
    }
    let swept: Vec<Key> = given
        .iter()
        .filter(|(_, value)| value.get_ref().is_array())
        .map(|(key, _)| *key)
        .collect();
    let cells: Vec<_> = params::combinations(&choices)
        .iter()
        .map(|settings| {
            let cell = params::cell(name, settings, &swept);
            if taken.iter().any(|c| c.label == cell.label) {
                params::cell(name, settings, &Key::ALL)
            } else {
                cell
            }
        })
        .collect();
    for cell in &cells {
        // Sizes first, on the numbers alone: a size the machine cannot
        // give is refused before anything spawns or allocates.
        fits::cell(kind, name, &cell.params, workload, Machine::get()).map_err(
            |(key, message)| {
                let span = given
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map_or_else(|| raw.name.span(), |(_, value)| value.span());
                src.error(span, message)
            },
        )?;
        // Then build it once, so that a combination the strategy refuses
        // (a policy it cannot honour, a capacity a channel does not have)
        // fails now, not in the middle of a run; small, so that checking
        // spawns and allocates next to nothing.
        let small = small_for_check(&cell.params);
        let built = match kind {
            Kind::Pool => Catalog::active()
                .build(name, small.to_config().runtime_threads(1))
                .map(|executor| {
                    executor.shutdown(ShutdownMode::DRAIN);
                }),
            Kind::Cache => crate::run::cache::build(name, &small).map(drop),
            Kind::FanIn => crate::run::fanin::check(name, &small),
        };
        built.map_err(|error| src.error(raw.name.span(), format!("`{}`: {error}", cell.label)))?;
    }
    Ok(cells)
}

/// The most cells one `[[strategy]]` table may sweep into: far more than
/// a run can measure, few enough to list while checking.
const MAX_CELLS: usize = 10_000;

/// `params` shrunk to what a build needs to say whether it refuses them:
/// one worker, producer and shard, a queue and capacity of at most one
/// (a rendezvous stays a rendezvous). Whether a strategy refuses depends
/// on the policy, on zero and on the most it allocates up front (a queue
/// above `MAX_ALLOCATED_QUEUE` is kept, so that the refusal is the
/// strategy's own), not on how many threads it starts; the sizes
/// themselves were checked against the machine by `fits`.
fn small_for_check(params: &StrategyParams) -> StrategyParams {
    StrategyParams {
        workers: params.workers.min(1),
        queue: if params.queue > MAX_ALLOCATED_QUEUE {
            params.queue
        } else {
            params.queue.min(1)
        },
        readers: params.readers.min(1),
        shards: params.shards.min(1),
        producers: params.producers.min(1),
        capacity: params.capacity.map(|capacity| capacity.min(1)),
        max_blocked_submitters: params.max_blocked_submitters,
        ..params.clone()
    }
}

fn positive(src: Source<'_>, value: &Spanned<i64>, key: &str) -> Checked<u64> {
    match *value.get_ref() {
        n if n >= 1 => Ok(n as u64),
        n => Err(src.error(value.span(), format!("`{key}` must be at least 1, got {n}"))),
    }
}

fn rate(src: Source<'_>, value: &Spanned<f64>, key: &str) -> Checked<f64> {
    match *value.get_ref() {
        r if r.is_finite() && r > 0.0 && r <= 10_000_000.0 => Ok(r),
        r => Err(src.error(
            value.span(),
            format!(
                "`{key}` is a rate in jobs per second: more than 0 and at most 10,000,000, got {r}"
            ),
        )),
    }
}

fn fraction(src: Source<'_>, value: &Spanned<f64>, key: &str) -> Checked<f64> {
    match *value.get_ref() {
        f if (0.0..=1.0).contains(&f) => Ok(f),
        f => Err(src.error(
            value.span(),
            format!("`{key}` is a fraction from 0 to 1, got {f}"),
        )),
    }
}

/// A whole number from 1 to `max` (`why`: what bounds it).
fn at_most(src: Source<'_>, value: &Spanned<i64>, key: &str, max: u64, why: &str) -> Checked<u64> {
    match positive(src, value, key)? {
        n if n <= max => Ok(n),
        n => Err(src.error(
            value.span(),
            format!("`{key}` = {n} is too many; allowed: 1 to {max} ({why})"),
        )),
    }
}

/// The memory a job holds: a size no larger than this machine's memory
/// (a `memory_limit` may be: it limits, it does not ask).
fn job_memory(src: Source<'_>, value: &Spanned<String>) -> Checked<u64> {
    let machine = &Machine::get().memory;
    match memory(src, value, "memory")? {
        bytes if bytes <= machine.value => Ok(bytes),
        _ => Err(src.error(
            value.span(),
            format!(
                "`memory` = \"{}\" is more memory than this machine has; allowed: 4KiB to {} ({})",
                value.get_ref(),
                fits::approx(machine.value),
                machine.source
            ),
        )),
    }
}

/// A size of memory, at least one page.
fn memory(src: Source<'_>, value: &Spanned<String>, key: &str) -> Checked<u64> {
    match size::parse(value.get_ref()) {
        Ok(bytes) if bytes >= 4096 => Ok(bytes),
        Ok(bytes) => Err(src.error(
            value.span(),
            format!("`{key}` must be at least 4KiB, got {bytes} bytes"),
        )),
        Err(message) => Err(src.error(value.span(), message)),
    }
}

fn time(src: Source<'_>, value: &Spanned<String>) -> Checked<Duration> {
    duration::parse(value.get_ref()).map_err(|message| src.error(value.span(), message))
}
