//! The `[workload]` table of a `pool` scenario, as TOML gives it and as
//! checked: jobs or a duration, the arrival process, the service each job
//! does, the downstream it calls.

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::downstream::{self, RawDownstream};
use super::ledger::Ledger;
use super::PoolWorkload;
use crate::fields::{at_most, fraction, job_memory, positive, rate, time, Checked, Source};
use crate::kinds::{Shared, Workload};
use crate::load::arrival::{Arrival, Spacing};
use crate::load::service::{Dist, ServiceModel, Work};

/// Reads and checks the `[workload]` of `src`, a `pool` file; a pool's
/// workload sets no strategy parameter.
pub(crate) fn read(src: Source<'_>) -> Checked<(Workload, Shared)> {
    let table = crate::kinds::workload_table::<RawWorkload>(src)?;
    Ok((Workload::Pool(workload(src, table.get_ref())?), Vec::new()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWorkload {
    pub(crate) jobs: Option<Spanned<i64>>,
    pub(crate) duration: Option<Spanned<String>>,
    pub(crate) arrival: Spanned<RawArrival>,
    pub(crate) service: Option<Spanned<RawService>>,
    pub(crate) panic_rate: Option<Spanned<f64>>,
    pub(crate) cancel_rate: Option<Spanned<f64>>,
    pub(crate) downstream: Option<Spanned<RawDownstream>>,
    pub(crate) seed: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawArrival {
    #[serde(rename = "type")]
    pub(crate) kind: Spanned<String>,
    pub(crate) clients: Option<Spanned<i64>>,
    pub(crate) think: Option<Spanned<String>>,
    pub(crate) rate: Option<Spanned<f64>>,
    pub(crate) spacing: Option<Spanned<String>>,
    pub(crate) size: Option<Spanned<i64>>,
    pub(crate) every: Option<Spanned<String>>,
    pub(crate) from: Option<Spanned<f64>>,
    pub(crate) to: Option<Spanned<f64>>,
    pub(crate) over: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawService {
    #[serde(rename = "type")]
    pub(crate) work: Option<Spanned<String>>,
    pub(crate) dist: Option<Spanned<String>>,
    pub(crate) mean: Spanned<String>,
    pub(crate) sigma: Option<Spanned<f64>>,
    pub(crate) memory: Option<Spanned<String>>,
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
            .map(|d| downstream::read(src, d))
            .transpose()?,
        seed: raw.seed.unwrap_or(1),
    })
}

pub(crate) fn arrival(src: Source<'_>, spanned: &Spanned<RawArrival>) -> Checked<Arrival> {
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

pub(crate) fn service(src: Source<'_>, spanned: &Spanned<RawService>) -> Checked<ServiceModel> {
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
