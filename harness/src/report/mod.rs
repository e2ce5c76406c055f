//! Reports: one file per format, each written from a
//! [`ScenarioResult`]; nothing here measures.
//!
//! A run writes one folder, `<out>/<YYYYMMDD-HHMMSS>/`, with an index of
//! its scenarios ([`index`]) and one folder per scenario. A scenario's
//! folder holds `results.json` (the raw material: [`json`]), one
//! `.hgrm` percentile file per cell and metric ([`hgrm`]), `summary.md`
//! ([`markdown`]) and `report.html` ([`html`], charts drawn by [`svg`]).
//! Files are written to a temporary name and renamed, so an interrupted
//! run never leaves half a report.

pub mod hgrm;
pub mod html;
pub mod index;
pub mod json;
pub mod markdown;
pub mod over_time;
pub mod palette;
pub mod svg;
pub mod verdict;

use std::path::{Path, PathBuf};

use crate::error::HarnessError;
use crate::results::{ResultsDoc, ScenarioResult};

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), HarnessError> {
    let failed = |source| HarnessError::Write {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(failed)?;
    }
    let temporary = path.with_extension("partial");
    std::fs::write(&temporary, bytes).map_err(failed)?;
    std::fs::rename(&temporary, path).map_err(failed)
}

/// A file name made from a cell label: `fixed workers=4` → `fixed_workers-4`.
pub fn file_stem(label: &str) -> String {
    label
        .chars()
        .map(|c| match c {
            ' ' => '_',
            '=' => '-',
            '*' => 'x',
            c if c.is_ascii_alphanumeric() || c == '-' || c == '.' => c,
            _ => '_',
        })
        .collect()
}

/// Writes every format of `result` into `dir`; returns the files.
pub fn write_all(dir: &Path, result: &ScenarioResult) -> Result<Vec<PathBuf>, HarnessError> {
    let mut written = Vec::new();
    let mut write = |name: String, text: String| -> Result<(), HarnessError> {
        let path = dir.join(name);
        write_atomic(&path, text.as_bytes())?;
        written.push(path);
        Ok(())
    };
    write(
        "results.json".into(),
        json::render(&ResultsDoc::new(vec![result.clone()])),
    )?;
    for cell in &result.cells {
        for (metric, data) in &cell.histograms {
            write(
                format!("{}.{}.hgrm", file_stem(&cell.label), metric.name()),
                hgrm::render(&data.rebuild()),
            )?;
        }
    }
    write("summary.md".into(), markdown::render(result))?;
    write("report.html".into(), html::render(result))?;
    Ok(written)
}
