//! What criterion measured: every benchmark's time per element, read from
//! `target/criterion/**/new/{benchmark,estimates}.json` (all of them, for
//! `bench-report`; one benchmark's folder, or one id, for `bench-ab`).
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

/// The benchmark `id` under `criterion_dir`, or why there is none.
/// `bench-ab` gives each run a criterion folder of its own, so the walk
/// is over one benchmark.
pub fn read_id(criterion_dir: &Path, id: &str) -> Result<Estimate, String> {
    read_all(criterion_dir)?.remove(id).ok_or_else(|| {
        format!(
            "criterion wrote no estimates for `{id}` under {}",
            criterion_dir.display()
        )
    })
}

/// One benchmark's folder (`<criterion>/<group>/<function>/<parameter>`,
/// the one holding `new/`): its full id and its time per element.
pub fn read_benchmark(folder: &Path) -> Result<(String, Estimate), String> {
    read_one(&folder.join("new"))?
        .ok_or_else(|| format!("{} has no new/estimates.json", folder.display()))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes criterion's two files for one benchmark, as criterion 0.8
    /// writes them (trimmed to the fields read).
    fn write(folder: &Path, id: &str, elements: Option<u64>, mean: f64, slope: Option<f64>) {
        let new = folder.join("new");
        std::fs::create_dir_all(&new).unwrap();
        let throughput = match elements {
            Some(n) => format!("{{\"Elements\":{n}}}"),
            None => "null".into(),
        };
        std::fs::write(
            new.join("benchmark.json"),
            format!("{{\"full_id\":\"{id}\",\"throughput\":{throughput}}}"),
        )
        .unwrap();
        let interval = |x: f64| {
            format!(
                "{{\"point_estimate\":{x},\"confidence_interval\":\
                 {{\"lower_bound\":{},\"upper_bound\":{}}}}}",
                x * 0.9,
                x * 1.1
            )
        };
        let slope = slope.map_or("null".into(), interval);
        std::fs::write(
            new.join("estimates.json"),
            format!("{{\"mean\":{},\"slope\":{slope}}}", interval(mean)),
        )
        .unwrap();
    }

    #[test]
    fn one_benchmark_is_its_slope_per_element_or_else_its_mean() {
        let dir = tempfile::tempdir().unwrap();
        let linear = dir.path().join("counter_increment/atomic/t2");
        write(
            &linear,
            "counter/increment/atomic/t2",
            Some(2),
            9.0,
            Some(8.0),
        );
        let (id, estimate) = read_benchmark(&linear).unwrap();
        assert_eq!(id, "counter/increment/atomic/t2");
        assert_eq!(estimate.ns_per_element, 4.0);
        assert!((estimate.relative_noise - 0.1).abs() < 1e-9);

        let flat = dir.path().join("pool_empty-1sub/fixed");
        write(&flat, "pool/empty-1sub/fixed", None, 1500.0, None);
        assert_eq!(read_benchmark(&flat).unwrap().1.ns_per_element, 1500.0);

        let missing = read_benchmark(&dir.path().join("nothing")).unwrap_err();
        assert!(missing.contains("no new/estimates.json"), "{missing}");
    }

    #[test]
    fn an_id_is_found_under_its_criterion_folder_whatever_its_directory_name() {
        let dir = tempfile::tempdir().unwrap();
        write(
            &dir.path().join("a_b/c"),
            "a/b/c",
            Some(100_000),
            2.0e6,
            None,
        );
        assert_eq!(read_id(dir.path(), "a/b/c").unwrap().ns_per_element, 20.0);
        let error = read_id(dir.path(), "a/b/d").unwrap_err();
        assert!(error.contains("`a/b/d`"), "{error}");
    }
}
