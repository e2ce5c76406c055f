//! `results.json`: the raw material of every other report and of
//! `compare`. Its schema is [`crate::results`], versioned by
//! [`SCHEMA_VERSION`]; `reports/README.md` documents it.

use std::path::{Path, PathBuf};

use crate::error::HarnessError;
use crate::kinds::Workload;
use crate::results::{ResultsDoc, GOODPUT_SCHEMA, OLDEST_READABLE_SCHEMA, SCHEMA_VERSION};

/// The document as pretty JSON.
pub fn render(doc: &ResultsDoc) -> String {
    let mut text = serde_json::to_string_pretty(doc).expect("results serialise");
    text.push('\n');
    text
}

/// Reads a results file, or every `results.json` under a folder (a
/// folder of runs). Refuses a truncated file, a foreign one and another
/// schema version, naming the file and line. A file older than
/// [`GOODPUT_SCHEMA`] gets the goodput its counts imply, one before
/// schema 4 its workload's description.
pub fn read(path: &Path) -> Result<ResultsDoc, HarnessError> {
    if path.is_dir() {
        let mut files = Vec::new();
        collect(path, &mut files);
        files.sort();
        if files.is_empty() {
            return Err(HarnessError::BadInput(format!(
                "{}: no results.json under this folder",
                path.display()
            )));
        }
        let mut merged = ResultsDoc::new(Vec::new());
        for file in files {
            merged.scenarios.extend(read(&file)?.scenarios);
        }
        return Ok(merged);
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| HarnessError::BadInput(format!("{}: cannot read: {e}", path.display())))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        HarnessError::BadInput(format!(
            "{}:{}:{}: not a results file: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    let version = value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64);
    let readable = u64::from(OLDEST_READABLE_SCHEMA)..=u64::from(SCHEMA_VERSION);
    if !version.is_some_and(|v| readable.contains(&v)) {
        return Err(HarnessError::BadInput(format!(
            "{}:1:1: schema_version is {version:?}; this contend reads {OLDEST_READABLE_SCHEMA} to {SCHEMA_VERSION}",
            path.display()
        )));
    }
    let mut doc: ResultsDoc = serde_json::from_value(value).map_err(|e| {
        HarnessError::BadInput(format!(
            "{}: not a results file of schema {SCHEMA_VERSION}: {e}",
            path.display()
        ))
    })?;
    if version.is_some_and(|v| v < u64::from(GOODPUT_SCHEMA)) {
        doc.derive_goodput();
    }
    describe_workloads(&mut doc);
    Ok(doc)
}

/// Files before schema 4 did not write the workload's description: the
/// kind that wrote the workload says it again.
fn describe_workloads(doc: &mut ResultsDoc) {
    for scenario in &mut doc.scenarios {
        if scenario.workload_description.is_empty() {
            if let Ok(workload) = serde_json::from_value::<Workload>(scenario.workload.clone()) {
                scenario.workload_description = workload.describe();
            }
        }
    }
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.is_dir() {
            collect(&path, files);
        } else if path.file_name().is_some_and(|n| n == "results.json") {
            files.push(path);
        }
    }
}
