//! Which benchmarks the two sides have in common.
//!
//! A criterion bench executable run with `--bench --list [FILTER]` prints
//! one `<id>: benchmark` line per benchmark (matching the filter) without
//! measuring anything. A revision that added, removed or renamed a
//! benchmark has it on one side only: that benchmark is reported, not
//! compared, and the rest are.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use contend::ab::revision::last_lines;

/// A benchmark both sides have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Benchmark {
    /// The bench file (executable) it is in: `counters`.
    pub bench: String,
    /// Its criterion id: `counter/increment/atomic/t1`.
    pub id: String,
}

/// What two listings share, and what each has alone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matched<T> {
    /// On both sides, in the order of NEW's listing.
    pub common: Vec<T>,
    /// On BASE only.
    pub only_base: Vec<String>,
    /// On NEW only.
    pub only_new: Vec<String>,
}

/// The ids in the output of `--bench --list`: the lines ending in
/// `: benchmark` (criterion puts blank lines between groups; anything
/// else a bench prints is not an id).
pub fn parse_list(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|line| line.trim_end().strip_suffix(": benchmark"))
        .map(str::to_owned)
        .collect()
}

/// The ids `executable` lists, those matching `filter` (a regular
/// expression, criterion's) if given.
pub fn list(executable: &Path, filter: Option<&str>) -> Result<Vec<String>, String> {
    let mut command = Command::new(executable);
    command.args(["--bench", "--list"]);
    command.args(filter);
    let output = command
        .output()
        .map_err(|e| format!("cannot run {}: {e}", executable.display()))?;
    if !output.status.success() {
        return Err(format!(
            "`{} --bench --list` failed ({}):\n{}",
            executable.display(),
            output.status,
            last_lines(&output, 15)
        ));
    }
    Ok(parse_list(&String::from_utf8_lossy(&output.stdout)))
}

/// The bench files to compare: those named in `chosen` (every one either
/// side has when empty); a name neither side has is an error.
pub fn match_files(
    base: &BTreeMap<String, PathBuf>,
    new: &BTreeMap<String, PathBuf>,
    chosen: &[String],
) -> Result<Matched<String>, String> {
    let all: BTreeSet<&String> = base.keys().chain(new.keys()).collect();
    let unknown: Vec<&str> = chosen
        .iter()
        .filter(|name| !all.contains(name))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(format!(
            "no bench named {} on either side (benches: {})",
            unknown.join(", "),
            all.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let wanted = |name: &String| chosen.is_empty() || chosen.contains(name);
    let mut matched = Matched::default();
    for name in all.into_iter().filter(|name| wanted(name)) {
        match (base.contains_key(name), new.contains_key(name)) {
            (true, true) => matched.common.push(name.clone()),
            (true, false) => matched.only_base.push(name.clone()),
            (false, _) => matched.only_new.push(name.clone()),
        }
    }
    Ok(matched)
}

/// The benchmarks of bench file `bench` that both listings have.
pub fn match_ids(bench: &str, base: &[String], new: &[String]) -> Matched<Benchmark> {
    let in_base: BTreeSet<&String> = base.iter().collect();
    let in_new: BTreeSet<&String> = new.iter().collect();
    Matched {
        common: new
            .iter()
            .filter(|id| in_base.contains(id))
            .map(|id| Benchmark {
                bench: bench.to_owned(),
                id: id.clone(),
            })
            .collect(),
        only_base: base
            .iter()
            .filter(|id| !in_new.contains(id))
            .cloned()
            .collect(),
        only_new: new
            .iter()
            .filter(|id| !in_base.contains(id))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_is_the_lines_ending_in_benchmark() {
        // As criterion 0.8 prints it for benches/benches/counters.rs.
        let stdout = "counter/increment/atomic/t1: benchmark\n\
                      counter/increment/atomic/t2: benchmark\n\
                      \n\
                      counter/increment/mutex/t1: benchmark\n\
                      counter/increment/mutex/t2: benchmark\n\
                      \n";
        assert_eq!(
            parse_list(stdout),
            [
                "counter/increment/atomic/t1",
                "counter/increment/atomic/t2",
                "counter/increment/mutex/t1",
                "counter/increment/mutex/t2",
            ]
        );
        assert_eq!(
            parse_list("calibrating the spin loop\ncache/98-1-1-zipf/snapshot/t2: benchmark\r\n"),
            ["cache/98-1-1-zipf/snapshot/t2"]
        );
    }

    #[test]
    fn ids_on_one_side_only_are_set_aside() {
        let ids = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let matched = match_ids(
            "counters",
            &ids(&["c/a", "c/old", "c/b"]),
            &ids(&["c/b", "c/a", "c/added"]),
        );
        let common: Vec<&str> = matched.common.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(common, ["c/b", "c/a"]);
        assert!(matched.common.iter().all(|b| b.bench == "counters"));
        assert_eq!(matched.only_base, ["c/old"]);
        assert_eq!(matched.only_new, ["c/added"]);
    }

    #[test]
    fn bench_files_are_those_chosen_and_a_name_neither_side_has_is_an_error() {
        let side = |names: &[&str]| {
            names
                .iter()
                .map(|n| (n.to_string(), PathBuf::from(n)))
                .collect::<BTreeMap<_, _>>()
        };
        let base = side(&["counters", "pools", "old"]);
        let new = side(&["counters", "pools", "added"]);
        let all = match_files(&base, &new, &[]).unwrap();
        assert_eq!(all.common, ["counters", "pools"]);
        assert_eq!(all.only_base, ["old"]);
        assert_eq!(all.only_new, ["added"]);
        let one = match_files(&base, &new, &["pools".into()]).unwrap();
        assert_eq!(one.common, ["pools"]);
        assert!(one.only_base.is_empty() && one.only_new.is_empty());
        let error = match_files(&base, &new, &["countres".into()]).unwrap_err();
        assert!(error.contains("countres"), "{error}");
    }
}
