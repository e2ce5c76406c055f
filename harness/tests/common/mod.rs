//! What the end-to-end tests of the `contend` binary share: running it,
//! writing a scenario, finding the run's folder and reading its results.
#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `contend` with `args` and waits for it.
pub fn contend(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_contend"))
        .args(args)
        .output()
        .expect("the contend binary runs")
}

/// `contend run [extra…] FILE… --out OUT`, to start or to adjust (its
/// environment, its limits) before it runs.
pub fn run_command(files: &[&Path], out: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_contend"));
    command
        .arg("run")
        .args(extra)
        .args(files)
        .arg("--out")
        .arg(out);
    command
}

/// `contend run [extra…] FILE --out OUT`.
pub fn run_into(file: &Path, out: &Path, extra: &[&str]) -> Output {
    run_command(&[file], out, extra)
        .output()
        .expect("the contend binary runs")
}

/// `contend run FILE --out OUT` while `server` (a guard that stops its
/// server when dropped) goes away `after` into the run.
pub fn run_dropping<T: Send + 'static>(
    file: &Path,
    out: &Path,
    server: T,
    after: std::time::Duration,
) -> Output {
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(after);
        drop(server);
    });
    let output = run_into(file, out, &[]);
    stopper.join().unwrap();
    output
}

/// Writes `text` to `dir/name`.
pub fn write_scenario(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The one scenario folder a run of one scenario wrote under `out`
/// (`out/<YYYYMMDD-HHMMSS>/<scenario>/`).
pub fn only_run_folder(out: &Path) -> PathBuf {
    let run = only_folder(out);
    only_folder(&run)
}

/// The one folder of a run: `out/<YYYYMMDD-HHMMSS>/`, beside nothing else.
pub fn only_run(out: &Path) -> PathBuf {
    only_folder(out)
}

fn only_folder(parent: &Path) -> PathBuf {
    let folders: Vec<_> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    folders[0].clone()
}

/// A run folder's `results.json`, as JSON.
pub fn results_json(run: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(run.join("results.json")).unwrap())
        .expect("results.json parses")
}

/// What a process wrote on stderr.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
