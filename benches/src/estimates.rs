//! What criterion measured: every benchmark's time per element, read from
//! `target/criterion/**/new/{benchmark,estimates}.json`.
//!
//! The time of one iteration is criterion's `slope` where it has one
//! (linear sampling: the fixed cost of a sample is left out) and its
//! `mean` otherwise; it is divided by the throughput the bench declared
//! (a batch of jobs), if any.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// One benchmark's mean time per element (per job, message, operation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Mean nanoseconds per element.
    pub ns_per_element: f64,
    /// Half the 95% confidence interval of the mean, relative to it.
    pub relative_noise: f64,
}

#[derive(Deserialize)]
struct Benchmark {
    full_id: String,
    throughput: Option<BTreeMap<String, u64>>,
}

#[derive(Deserialize)]
struct Estimates {
    mean: Interval,
    slope: Option<Interval>,
}

#[derive(Deserialize)]
struct Interval {
    point_estimate: f64,
    confidence_interval: Bounds,
}

#[derive(Deserialize)]
struct Bounds {
    lower_bound: f64,
    upper_bound: f64,
}

/// Every benchmark under `criterion_dir`, by its full id
/// (`pool/empty-1sub/fixed`).
pub fn read_all(criterion_dir: &Path) -> Result<BTreeMap<String, Estimate>, String> {
    let mut found = BTreeMap::new();
    visit(criterion_dir, &mut found)?;
    Ok(found)
}

fn visit(dir: &Path, found: &mut BTreeMap<String, Estimate>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|name| name == "new") {
            if let Some((id, estimate)) = read_one(&path)? {
                found.insert(id, estimate);
            }
        } else {
            visit(&path, found)?;
        }
    }
    Ok(())
}

fn read_one(new: &Path) -> Result<Option<(String, Estimate)>, String> {
    let read = |name: &str| {
        let path = new.join(name);
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    if !new.join("estimates.json").exists() {
        return Ok(None);
    }
    let benchmark: Benchmark = serde_json::from_str(&read("benchmark.json")?)
        .map_err(|e| format!("{}: {e}", new.display()))?;
    let estimates: Estimates = serde_json::from_str(&read("estimates.json")?)
        .map_err(|e| format!("{}: {e}", new.display()))?;
    let elements = benchmark
        .throughput
        .and_then(|t| t.into_values().next())
        .unwrap_or(1)
        .max(1) as f64;
    let mean = estimates.slope.as_ref().unwrap_or(&estimates.mean);
    let half_width =
        (mean.confidence_interval.upper_bound - mean.confidence_interval.lower_bound) / 2.0;
    Ok(Some((
        benchmark.full_id,
        Estimate {
            ns_per_element: mean.point_estimate / elements,
            relative_noise: half_width / mean.point_estimate.max(f64::MIN_POSITIVE),
        },
    )))
}
