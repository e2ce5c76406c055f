//! Telling a person how the run goes: a bar for the running cell on a
//! terminal, plain lines otherwise (CI logs, pipes).
//!
//! A finished cell's bar is replaced by a plain line of its results, so
//! the terminal keeps one line per cell however many cells a suite has
//! (a bar per cell would overflow the screen and be redrawn away).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The run's progress display.
#[derive(Debug)]
pub struct Progress {
    multi: Option<MultiProgress>,
}

/// One cell's line.
#[derive(Debug)]
pub struct CellProgress {
    bar: Option<(MultiProgress, ProgressBar)>,
    label: String,
    started: Instant,
}

impl Progress {
    /// Bars when stderr is a terminal, plain lines otherwise.
    pub fn detect() -> Self {
        let multi = std::io::stderr()
            .is_terminal()
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Self { multi }
    }

    /// Whether bars are drawn (children then report progress).
    pub fn is_live(&self) -> bool {
        self.multi.is_some()
    }

    /// A line of text above the bars.
    pub fn say(&self, text: &str) {
        match &self.multi {
            Some(multi) => {
                let _ = multi.println(text);
            }
            None => eprintln!("{text}"),
        }
    }

    /// Starts a cell of `total` units (jobs, ops, items: `unit`) per
    /// repetition, if known.
    pub fn cell(
        &self,
        label: &str,
        unit: &str,
        total: Option<u64>,
        repetitions: usize,
    ) -> CellProgress {
        let bar = self.multi.as_ref().map(|multi| {
            let bar = multi.add(ProgressBar::new(total.unwrap_or(0) * repetitions as u64));
            let template = if total.is_some() {
                format!("{{prefix:40}} [{{bar:30}}] {{pos}}/{{len}} {unit} {{elapsed}} {{msg}}")
            } else {
                format!("{{prefix:40}} {{spinner}} {{pos}} {unit} {{elapsed}} {{msg}}")
            };
            bar.set_style(
                ProgressStyle::with_template(&template)
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            bar.set_prefix(label.to_owned());
            bar.enable_steady_tick(Duration::from_millis(200));
            (multi.clone(), bar)
        });
        if bar.is_none() {
            eprintln!("  {label}: {repetitions} repetition(s)…");
        }
        CellProgress {
            bar,
            label: label.to_owned(),
            started: Instant::now(),
        }
    }
}

impl CellProgress {
    /// `done` jobs in the current repetition, `before` in earlier ones.
    pub fn update(&self, before: u64, done: u64) {
        if let Some((_, bar)) = &self.bar {
            bar.set_position(before + done);
        }
    }

    /// The cell is over; `outcome` is a short summary.
    pub fn finish(self, outcome: &str) {
        let line = format!(
            "  {}: {outcome} ({:.1}s)",
            self.label,
            self.started.elapsed().as_secs_f64()
        );
        match self.bar {
            Some((multi, bar)) => {
                bar.finish_and_clear();
                multi.remove(&bar);
                let _ = multi.println(line);
            }
            None => eprintln!("{line}"),
        }
    }
}
