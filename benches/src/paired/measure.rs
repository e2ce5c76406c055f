//! One run: one benchmark of one side, measured by its own criterion
//! process, and its time per element.
//!
//! Each side gets a criterion folder of its own (`CRITERION_HOME =
//! <out>/criterion/<base|new>`), emptied before every run: the two sides
//! never read each other's results, criterion never compares a run with
//! the one before it (a comparison nobody reads, which costs a bootstrap
//! of its own), and what is read after the run is that run's.

use std::path::{Path, PathBuf};
use std::process::Command;

use contend::ab::revision::last_lines;

use super::args::Settings;
use super::schedule::Role;
use crate::estimates;

/// Runs benchmarks for a comparison.
#[derive(Clone, Debug)]
pub struct Runner {
    /// `<out>/criterion`, absolute: the executables may run elsewhere.
    criterion_dir: PathBuf,
    measurement_time: f64,
    warm_up_time: f64,
}

impl Runner {
    /// Runs with `settings`, keeping criterion's folders under `out`.
    pub fn new(out: &Path, settings: &Settings) -> Self {
        let out = std::path::absolute(out).unwrap_or_else(|_| out.to_owned());
        Self {
            criterion_dir: out.join("criterion"),
            measurement_time: settings.measurement_time,
            warm_up_time: settings.warm_up_time,
        }
    }

    /// The criterion folder of `role`'s runs.
    pub fn home(&self, role: Role) -> PathBuf {
        self.criterion_dir.join(role.dir())
    }

    /// The command that measures benchmark `id` of `executable` alone:
    /// `--exact`, so that an id that is a prefix of another's runs alone.
    pub fn command(&self, role: Role, executable: &Path, id: &str) -> Command {
        let mut command = Command::new(executable);
        command
            .args(["--bench", "--noplot", "--exact", id])
            .arg("--measurement-time")
            .arg(self.measurement_time.to_string())
            .arg("--warm-up-time")
            .arg(self.warm_up_time.to_string())
            .env("CRITERION_HOME", self.home(role));
        command
    }

    /// Measures `id` once as `role` and returns its ns per element.
    pub fn run(&self, role: Role, executable: &Path, id: &str) -> Result<f64, String> {
        let home = self.home(role);
        match std::fs::remove_dir_all(&home) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot empty {}: {e}", home.display())),
        }
        std::fs::create_dir_all(&home)
            .map_err(|e| format!("cannot create {}: {e}", home.display()))?;
        let output = self.command(role, executable, id).output().map_err(|e| {
            format!(
                "{} {id}: cannot run {}: {e}",
                role.label(),
                executable.display()
            )
        })?;
        if !output.status.success() {
            return Err(format!(
                "{} {id}: `{} --bench --exact {id}` failed ({}):\n{}",
                role.label(),
                executable.display(),
                output.status,
                last_lines(&output, 15)
            ));
        }
        estimates::read_id(&home, id)
            .map(|estimate| estimate.ns_per_element)
            .map_err(|e| format!("{} {id}: {e}", role.label()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_criterion_exact_on_one_id_in_its_sides_folder() {
        let settings = Settings::sample(6, 12);
        let runner = Runner::new(Path::new("/tmp/out"), &settings);
        let command = runner.command(Role::New, Path::new("/x/counters"), "counter/a/t1");
        let args: Vec<_> = command.get_args().map(|a| a.to_str().unwrap()).collect();
        assert_eq!(
            args,
            [
                "--bench",
                "--noplot",
                "--exact",
                "counter/a/t1",
                "--measurement-time",
                "0.5",
                "--warm-up-time",
                "0.2"
            ]
        );
        let home: Vec<_> = command
            .get_envs()
            .filter(|(key, _)| *key == "CRITERION_HOME")
            .map(|(_, value)| value.unwrap().to_owned())
            .collect();
        assert_eq!(home, [PathBuf::from("/tmp/out/criterion/new")]);
        assert_ne!(runner.home(Role::Base), runner.home(Role::New));
    }
}
