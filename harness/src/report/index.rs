//! The index of one run: a run of several scenarios writes one folder,
//! `<out>/<YYYYMMDD-HHMMSS>/`, holding each scenario's report folder and
//! an `index.md` + `index.html` that tie them together. They give each
//! scenario's verdict, its gates and cells at a glance, and links to its
//! `report.html` and `summary.md`, so that the default suite is one thing
//! to open.
//!
//! Nothing here measures or judges: the verdict sentences come from the
//! caller (the verdict module), the counts from the results.

use std::fmt::Write as _;

use super::svg::escape;
use crate::results::ScenarioResult;

/// What the index says of one scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    /// The scenario's name.
    pub name: String,
    /// What it shows.
    pub description: String,
    /// Its kind (`pool`, `cache`, `fanin`, `queue`).
    pub kind: String,
    /// Its report folder, relative to the index.
    pub folder: String,
    /// The verdict, sentence by sentence.
    pub verdict: Vec<String>,
    /// Gates that passed, of `gates`.
    pub gates_passed: usize,
    /// Gates in the scenario.
    pub gates: usize,
    /// The checks of the gates that failed, with their lines.
    pub failed_gates: Vec<(String, usize)>,
    /// Cells measured.
    pub cells: usize,
    /// Cells that crashed, ran out of memory or timed out, with why.
    pub broken_cells: Vec<String>,
}

impl IndexEntry {
    /// The entry of `result`, whose report is in `folder`; `verdict`
    /// gives the verdict's sentences.
    pub fn of(result: &ScenarioResult, folder: &str, verdict: Vec<String>) -> Self {
        let failed_gates = result
            .gates
            .iter()
            .filter(|gate| !gate.passed)
            .map(|gate| (gate.check.clone(), gate.line))
            .collect();
        let broken_cells = result
            .cells
            .iter()
            .filter(|cell| cell.merged.ok_repetitions < cell.repetitions.len())
            .map(|cell| {
                let ok = cell.merged.ok_repetitions;
                format!(
                    "{}: {ok} of {} repetitions ok",
                    cell.label,
                    cell.repetitions.len()
                )
            })
            .collect();
        Self {
            name: result.name.clone(),
            description: result.description.clone(),
            kind: result.kind.clone(),
            folder: folder.to_owned(),
            verdict,
            gates_passed: result.gates.iter().filter(|gate| gate.passed).count(),
            gates: result.gates.len(),
            failed_gates,
            cells: result.cells.len(),
            broken_cells,
        }
    }

    /// Whether every gate passed and every cell ran.
    pub fn is_clean(&self) -> bool {
        self.failed_gates.is_empty() && self.broken_cells.is_empty()
    }

    fn gates_words(&self) -> String {
        match self.gates {
            0 => "no gates".to_owned(),
            total => format!("{} of {total} passed", self.gates_passed),
        }
    }

    fn cells_words(&self) -> String {
        match self.broken_cells.len() {
            0 => format!("{} ok", self.cells),
            broken => format!("{} of {} broken", broken, self.cells),
        }
    }
}

/// The run's heading: when it started, and whether it was quick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunHeading {
    /// When the run started, UTC.
    pub started_at: String,
    /// Whether `--quick` scaled the scenarios down.
    pub quick: bool,
    /// CPUs available to the run.
    pub cores: usize,
}

impl RunHeading {
    fn title(&self) -> String {
        let quick = if self.quick { " (quick)" } else { "" };
        format!("contend run of {}{quick}", self.started_at)
    }

    fn totals(&self, entries: &[IndexEntry]) -> String {
        let gates: usize = entries.iter().map(|entry| entry.gates).sum();
        let passed: usize = entries.iter().map(|entry| entry.gates_passed).sum();
        let cells: usize = entries.iter().map(|entry| entry.cells).sum();
        let broken: usize = entries.iter().map(|entry| entry.broken_cells.len()).sum();
        format!(
            "{} scenarios · {} cores · {cells} cells, {broken} broken · gates: {passed} of {gates} passed",
            entries.len(),
            self.cores
        )
    }
}

/// `index.md`: a table of the scenarios, then each one's verdict and
/// what failed.
pub fn render_markdown(heading: &RunHeading, entries: &[IndexEntry]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {}\n\n{}\n",
        heading.title(),
        heading.totals(entries)
    );
    out.push_str(
        "| scenario | kind | gates | cells | verdict | report |\n|---|---|---|---|---|---|\n",
    );
    for entry in entries {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | [report]({}/report.html) · [summary]({}/summary.md) |",
            entry.name,
            entry.kind,
            entry.gates_words(),
            entry.cells_words(),
            entry
                .verdict
                .first()
                .map_or("", String::as_str)
                .replace('|', "\\|"),
            entry.folder,
            entry.folder
        );
    }
    for entry in entries {
        let _ = writeln!(out, "\n## {}\n\n{}\n", entry.name, entry.description);
        for sentence in &entry.verdict {
            let _ = writeln!(out, "- {sentence}");
        }
        for (check, line) in &entry.failed_gates {
            let _ = writeln!(out, "- **gate failed:** `{check}` (line {line})");
        }
        for cell in &entry.broken_cells {
            let _ = writeln!(out, "- **cell broken:** {cell}");
        }
    }
    out
}

const STYLE: &str = "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\
.scroll{overflow-x:auto;max-width:100%}table{border-collapse:collapse;font-size:14px;margin:1em 0}\
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}\
td.verdict{min-width:16em}.fail{color:#b00;font-weight:bold}.pass{color:#070}\
section{margin:1.5em 0}code{background:#f5f5f5;padding:1px 4px;overflow-wrap:anywhere}li{overflow-wrap:anywhere}";

/// `index.html`: the same, self-contained (no script, no network),
/// readable at a phone's width (the table scrolls in its own box).
pub fn render_html(heading: &RunHeading, entries: &[IndexEntry]) -> String {
    let mut out = String::new();
    let title = escape(&heading.title());
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{title}</title><style>{STYLE}</style>\
         </head><body><h1>{title}</h1><p>{}</p>",
        escape(&heading.totals(entries))
    );
    out.push_str(
        "<div class=\"scroll\"><table><tr><th>scenario</th><th>kind</th><th>gates</th>\
         <th>cells</th><th>verdict</th></tr>",
    );
    for entry in entries {
        let state = |clean: bool| if clean { "pass" } else { "fail" };
        let _ = write!(
            out,
            "<tr><td><a href=\"{folder}/report.html\">{name}</a><br><a href=\"{folder}/summary.md\">summary</a></td>\
             <td>{kind}</td><td class=\"{gate_class}\">{gates}</td><td class=\"{cell_class}\">{cells}</td>\
             <td class=\"verdict\">{verdict}</td></tr>",
            folder = escape(&entry.folder),
            name = escape(&entry.name),
            kind = escape(&entry.kind),
            gate_class = state(entry.failed_gates.is_empty()),
            gates = escape(&entry.gates_words()),
            cell_class = state(entry.broken_cells.is_empty()),
            cells = escape(&entry.cells_words()),
            verdict = escape(entry.verdict.first().map_or("", String::as_str)),
        );
    }
    out.push_str("</table></div>");
    for entry in entries {
        let _ = write!(
            out,
            "<section><h2><a href=\"{}/report.html\">{}</a></h2><p>{}</p><ul>",
            escape(&entry.folder),
            escape(&entry.name),
            escape(&entry.description)
        );
        for sentence in &entry.verdict {
            let _ = write!(out, "<li>{}</li>", escape(sentence));
        }
        for (check, line) in &entry.failed_gates {
            let _ = write!(
                out,
                "<li class=\"fail\">gate failed: <code>{}</code> (line {line})</li>",
                escape(check)
            );
        }
        for cell in &entry.broken_cells {
            let _ = write!(out, "<li class=\"fail\">cell broken: {}</li>", escape(cell));
        }
        out.push_str("</ul></section>");
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, failed_gate: bool) -> IndexEntry {
        IndexEntry {
            name: name.to_owned(),
            description: format!("what {name} shows"),
            kind: "pool".to_owned(),
            folder: name.to_owned(),
            verdict: vec![
                format!("{name}: fixed gives the most goodput"),
                "second <sentence>".into(),
            ],
            gates_passed: usize::from(!failed_gate),
            gates: 1,
            failed_gates: if failed_gate {
                vec![("p99(fixed) < 1ms".to_owned(), 12)]
            } else {
                Vec::new()
            },
            cells: 3,
            broken_cells: Vec::new(),
        }
    }

    fn heading() -> RunHeading {
        RunHeading {
            started_at: "2026-12-01T12:00:00Z".into(),
            quick: true,
            cores: 2,
        }
    }

    #[test]
    fn the_markdown_index_links_every_scenario_and_says_what_failed() {
        let entries = [entry("io-batch", false), entry("tiny-jobs", true)];
        let md = render_markdown(&heading(), &entries);
        assert!(
            md.starts_with("# contend run of 2026-12-01T12:00:00Z (quick)"),
            "{md}"
        );
        assert!(
            md.contains("2 scenarios · 2 cores · 6 cells, 0 broken · gates: 1 of 2 passed"),
            "{md}"
        );
        assert!(
            md.contains("[report](io-batch/report.html) · [summary](io-batch/summary.md)"),
            "{md}"
        );
        assert!(md.contains("| io-batch | pool | 1 of 1 passed | 3 ok | io-batch: fixed gives the most goodput |"), "{md}");
        assert!(
            md.contains("- **gate failed:** `p99(fixed) < 1ms` (line 12)"),
            "{md}"
        );
        assert!(md.contains("- second <sentence>"), "{md}");
    }

    #[test]
    fn the_html_index_is_self_contained_escaped_and_marks_failures() {
        let entries = [entry("io-batch", false), entry("tiny-jobs", true)];
        let html = render_html(&heading(), &entries);
        assert!(!html.contains("<script"), "no script");
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "no network"
        );
        assert!(
            html.contains("<a href=\"tiny-jobs/report.html\">tiny-jobs</a>"),
            "{html}"
        );
        assert!(html.contains("second &lt;sentence&gt;"), "escaped: {html}");
        assert!(
            html.contains("<td class=\"fail\">0 of 1 passed</td>"),
            "{html}"
        );
        assert!(
            html.contains("<td class=\"pass\">1 of 1 passed</td>"),
            "{html}"
        );
        assert!(html.contains("width=device-width"), "phone viewport");
    }
}
