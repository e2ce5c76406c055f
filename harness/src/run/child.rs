//! The parent's side of a cell: start the child process, follow its
//! progress, stop it on Ctrl-C or timeout, read its answer.
//!
//! A cell runs in a process of its own so that its peak memory and thread
//! count are its strategy's alone, and so that a strategy that crashes,
//! or exhausts threads or memory, takes only its own cell down: the parent
//! records the crash and moves on. The child is in a process group of its
//! own, so a Ctrl-C at the terminal reaches only the parent, which then
//! closes the child's stdin: the child's cue to stop early and report
//! what it measured.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::crash::StderrLog;
use crate::kinds::spec::{CellSpec, PROGRESS_PREFIX};
use crate::results::{Repetition, Status};

/// How long a child may take to stop after being asked, before it is killed.
const GRACE: Duration = Duration::from_secs(10);

/// The program a repetition runs in and its arguments: this binary told
/// the cell's spec (`contend cell --spec …`), or another build of contend
/// told the scenario file and the cell's label (`contend ab`).
#[derive(Clone, Debug)]
pub struct ChildCommand {
    /// The program.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
}

impl ChildCommand {
    /// This binary, running `spec`.
    pub fn this_binary(spec: &CellSpec) -> Result<Self, String> {
        let program = std::env::current_exe()
            .map_err(|error| format!("cannot find the contend binary: {error}"))?;
        let spec = serde_json::to_string(spec).expect("a spec serialises");
        Ok(Self {
            program,
            args: vec!["cell".into(), "--spec".into(), spec],
        })
    }
}

/// Runs one repetition in a child process (`command`), calling
/// `on_progress(jobs done)` as it reports progress.
pub fn run_child(
    command: &ChildCommand,
    timeout: Duration,
    interrupted: &AtomicBool,
    on_progress: &mut dyn FnMut(u64),
) -> Repetition {
    let spawned = Command::new(&command.program)
        .args(&command.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(error) => return crashed(format!("cannot start the cell's process: {error}")),
    };
    let mut stdin = child.stdin.take();
    let mut stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let (lines_tx, lines) = mpsc::channel::<String>();
    let stderr_reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let stdout_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let mut log = StderrLog::default();
    let mut asked_to_stop: Option<Instant> = None;
    let mut timed_out = false;
    let take_lines = |log: &mut StderrLog, on_progress: &mut dyn FnMut(u64)| {
        for line in lines.try_iter() {
            match line
                .strip_prefix(PROGRESS_PREFIX)
                .and_then(|n| n.trim().parse().ok())
            {
                Some(done) => on_progress(done),
                None => log.push(line),
            }
        }
    };
    let status = loop {
        take_lines(&mut log, on_progress);
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(error) => return crashed(format!("lost the cell's process: {error}")),
        }
        let now = Instant::now();
        if asked_to_stop.is_none() {
            timed_out = now.duration_since(started) > timeout;
            if timed_out || interrupted.load(Ordering::Relaxed) {
                drop(stdin.take()); // the child's cue to stop
                asked_to_stop = Some(now);
            }
        } else if asked_to_stop.is_some_and(|asked| now.duration_since(asked) > GRACE) {
            let _ = child.kill();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = stderr_reader.join();
    take_lines(&mut log, on_progress);
    let answer = stdout_reader.join().unwrap_or_default();
    match serde_json::from_str::<Repetition>(&answer) {
        Ok(mut repetition) => {
            if timed_out {
                repetition.status = Status::TimedOut;
            }
            repetition
        }
        Err(_) if timed_out => Repetition::failed(Status::TimedOut),
        Err(_) if log.ran_out_of_memory() => Repetition::failed(Status::OutOfMemory {
            message: log.report(&describe(status)),
        }),
        Err(_) => crashed(log.report(&describe(status))),
    }
}

fn crashed(message: String) -> Repetition {
    Repetition::failed(Status::Crashed { message })
}

/// Says how a process ended, naming the usual suspects for a signal.
fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("the cell's process exited with code {code}"),
        (None, Some(signal)) => {
            let name = match signal {
                libc::SIGKILL => "SIGKILL (killed: out of memory?)",
                libc::SIGABRT => "SIGABRT (aborted: a failed allocation or thread spawn?)",
                libc::SIGSEGV => "SIGSEGV (stack overflow or memory fault)",
                _ => "a signal",
            };
            format!("the cell's process was killed by signal {signal}, {name}")
        }
        _ => "the cell's process ended without an answer".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_is_named_with_its_usual_cause() {
        // A wait status: the signal in the low bits, an exit code above.
        let killed = describe(ExitStatus::from_raw(libc::SIGKILL));
        assert!(
            killed.contains("SIGKILL") && killed.contains("out of memory"),
            "{killed}"
        );
        let aborted = describe(ExitStatus::from_raw(libc::SIGABRT));
        assert!(aborted.contains("SIGABRT"), "{aborted}");
        let exited = describe(ExitStatus::from_raw(3 << 8));
        assert!(exited.contains("exited with code 3"), "{exited}");
    }
}
