//! From the raw TOML to a [`Scenario`]: every check that needs the file's
//! lines.

use std::time::Duration;

use contend_strategies::pool::MAX_ALLOCATED_QUEUE;
use toml::Spanned;

use super::gate::Gate;
use super::raw::{RawHead, RawObjective, RawQuick, RawScenario, RawStrategy};
use super::{Kind, Objective, Quick, Scenario, Workload};
use crate::fields::{memory, parse, positive, time, Checked, ScenarioError, Source};
use crate::kinds::params::{self, Key, StrategyParams};
use crate::kinds::Shared;
use crate::machine::Machine;

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
                    Kind::names().join(", ")
                ),
            )
        })?,
    };
    // The common keys and the kind's `[workload]` are read apart; when
    // both are wrong, the one a single read of the whole file would have
    // met first comes first: a wrong key or value by its position, and a
    // missing key (found only at the end of its table) after them.
    let (raw, workload) = match (parse::<RawScenario>(src), kind.imp().workload(src)) {
        (Ok(raw), Ok(workload)) => (raw, workload),
        (Err(common), Err(table)) => {
            let first =
                |e: &ScenarioError| (e.message.starts_with("missing field"), e.line, e.column);
            return Err(if first(&table) < first(&common) {
                table
            } else {
                common
            });
        }
        (Err(error), _) | (_, Err(error)) => return Err(error),
    };
    let (workload, shared) = workload;
    finish(src, kind, &raw, workload, shared)
}

/// Everything but the workload: the same for every kind.
fn finish(
    src: Source<'_>,
    kind: Kind,
    raw: &RawScenario,
    workload: Workload,
    shared: Shared,
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
            Gate::parse(
                gate.check.get_ref(),
                line,
                &cells,
                kind.imp().about().primary,
                kind.imp().about().count_names,
            )
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

/// `[quick]`'s count: the one key of the kind's (`jobs`, `ops`,
/// `items`), and `duration` only where the kind takes it.
fn quick_count(src: Source<'_>, kind: Kind, quick: &RawQuick) -> Checked<Option<u64>> {
    let keys = kind.imp().about().quick;
    let allowed = if keys.duration {
        format!("{}, duration, repetitions", keys.count)
    } else {
        format!("{}, repetitions", keys.count)
    };
    let given = [
        ("jobs", &quick.jobs),
        ("ops", &quick.ops),
        ("items", &quick.items),
    ];
    for (key, value) in given {
        if let Some(value) = value.as_ref().filter(|_| key != keys.count) {
            return Err(src.error(
                value.span(),
                format!(
                    "`{key}` does not apply to [quick] of kind `{}`; allowed: {allowed}",
                    kind.name()
                ),
            ));
        }
    }
    if let Some(duration) = quick.duration.as_ref().filter(|_| !keys.duration) {
        return Err(src.error(
            duration.span(),
            format!(
                "`duration` does not apply to [quick] of kind `{}`; allowed: {allowed}",
                kind.name()
            ),
        ));
    }
    given
        .into_iter()
        .find_map(|(_, value)| value.as_ref())
        .map(|n| positive(src, n, keys.count))
        .transpose()
}

fn strategy_cells(
    src: Source<'_>,
    kind: Kind,
    raw: &RawStrategy,
    shared: &Shared,
    workload: &Workload,
    taken: &[params::CellPlan],
) -> Checked<Vec<params::CellPlan>> {
    let name = raw.name.get_ref();
    let imp = kind.imp();
    let names: Vec<&str> = imp.strategies().into_iter().map(|(name, _)| name).collect();
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
        if !imp.about().keys.contains(key) {
            let allowed: Vec<_> = imp.about().keys.iter().map(|k| k.name()).collect();
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
        imp.check_key(name, *key)
            .map_err(|message| src.error(value.span(), message))?;
    }
    let given: Vec<(Key, &Spanned<toml::Value>)> = shared
        .iter()
        .filter(|(key, _)| !own.iter().any(|(k, _)| k == key))
        .map(|(key, value)| (*key, value))
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
        imp.fits(name, &cell.params, workload, Machine::get())
            .map_err(|(key, message)| {
                let span = given
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map_or_else(|| raw.name.span(), |(_, value)| value.span());
                src.error(span, message)
            })?;
        // Then build it once, so that a combination the strategy refuses
        // (a policy it cannot honour, a capacity a channel does not have)
        // fails now, not in the middle of a run; small, so that checking
        // spawns and allocates next to nothing.
        let small = small_for_check(&cell.params);
        let built = imp.try_build(name, &small);
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
