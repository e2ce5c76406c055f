//! Each side's bench executables, by bench name (`counters` → the
//! executable criterion's `counters.rs` builds to).
//!
//! - A folder (`--base-dir`, `--new-dir`): its executable files, named by
//!   their bench.
//! - The working tree (NEW by default): `cargo bench --no-run` in the
//!   normal target folder, and the executables cargo names.
//! - A git revision (`--against`): checked out into the worktree
//!   `contend ab` uses (`target/ab/checkout`) and built into its target
//!   folder (`target/ab/build`), so crates the revision did not change
//!   keep their artifacts; the executables are then copied to
//!   `target/ab/bench/<key>/<bench>`, where `key` names the sources they
//!   are built from ([`BENCH_SOURCES`]), so a revision that changed only
//!   documentation, or that was compared before, is not built again.
//!
//! Cargo is asked for `--message-format=json-render-diagnostics`: the
//! JSON lines on stdout name each executable (`compiler-artifact`, whose
//! `target.kind` has `bench`), and the compiler's errors stay readable on
//! stderr, whose last lines are what a failed build reports.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use contend::ab::revision::{keep, last_lines, Workspace};
use serde::Deserialize;

use super::schedule::Role;
use super::Side;

/// Bench executables by bench name.
pub type Executables = BTreeMap<String, PathBuf>;

/// The paths whose contents decide what the benches build to: the
/// workspace's manifests, every crate a bench links, the benches, cargo's
/// configuration and the toolchain.
pub const BENCH_SOURCES: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    "harness",
    "strategies",
    "benches",
    ".cargo",
    "rust-toolchain.toml",
    "rust-toolchain",
];

/// The file in a kept folder that lists the benches of a build of every
/// bench: written last, so that its presence says the folder is whole.
const MANIFEST: &str = "benches.txt";

/// The executables in `dir`: every executable file not starting with a
/// dot, by file name.
pub fn from_dir(dir: &Path) -> Result<Executables, String> {
    use std::os::unix::fs::PermissionsExt as _;
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read the bench folder {}: {e}", dir.display()))?;
    let mut found = Executables::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let executable = std::fs::metadata(&path)
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
        if executable && !name.starts_with('.') {
            let absolute = std::path::absolute(&path).unwrap_or_else(|_| path.clone());
            found.insert(name.to_owned(), absolute);
        }
    }
    if found.is_empty() {
        return Err(format!(
            "{} holds no bench executable (a file per bench, named by it: counters, pools…)",
            dir.display()
        ));
    }
    Ok(found)
}

/// A side read from a folder of executables.
pub fn folder_side(role: Role, dir: &Path) -> Result<Side, String> {
    Ok(Side {
        role,
        describe: format!("folder {}", dir.display()),
        executables: from_dir(dir).map_err(|e| format!("{}: {e}", role.label()))?,
    })
}

/// The bench executables named in cargo's JSON messages, by bench name.
pub fn parse_artifacts(stdout: &str) -> Executables {
    #[derive(Deserialize)]
    struct Message {
        reason: String,
        target: Option<Target>,
        executable: Option<PathBuf>,
    }
    #[derive(Deserialize)]
    struct Target {
        name: String,
        kind: Vec<String>,
    }
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Message>(line).ok())
        .filter(|message| message.reason == "compiler-artifact")
        .filter_map(|message| {
            let target = message.target?;
            let executable = message.executable?;
            target
                .kind
                .iter()
                .any(|kind| kind == "bench")
                .then_some((target.name, executable))
        })
        .collect()
}

/// `cargo bench --no-run` of `benches` (every bench when empty) in `dir`.
fn cargo_bench_no_run(dir: &Path, benches: &[String]) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .args(["bench", "--no-run", "-p", "contend-benches"])
        .arg("--message-format=json-render-diagnostics")
        .current_dir(dir);
    if benches.is_empty() {
        command.arg("--benches");
    }
    for bench in benches {
        command.args(["--bench", bench]);
    }
    command
}

/// Builds with `command` and returns the bench executables it names, or
/// why it failed (`what` names the build in the message).
fn build(mut command: Command, what: &str) -> Result<Executables, String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo to build {what}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{what} does not build:\n{}",
            last_lines(&output, 25)
        ));
    }
    let built = parse_artifacts(&String::from_utf8_lossy(&output.stdout));
    if built.is_empty() {
        return Err(format!("{what} built no bench executable"));
    }
    Ok(built)
}

/// NEW by default: the working tree's benches, built in the normal target
/// folder (`CARGO_TARGET_DIR` if set, as for any cargo command).
pub fn working_tree_side(
    workspace: &Workspace,
    benches: &[String],
    say: &dyn Fn(&str),
) -> Result<Side, String> {
    say("NEW: building the working tree's benches (cargo bench --no-run)…");
    let started = Instant::now();
    let command = cargo_bench_no_run(&workspace.root, benches);
    let executables = build(command, "NEW (the working tree)")?;
    say(&format!(
        "NEW: built {} in {:.0} s",
        names(&executables),
        started.elapsed().as_secs_f64()
    ));
    Ok(Side {
        role: Role::New,
        describe: "working tree".into(),
        executables,
    })
}

/// BASE from `--against`: the benches of revision `spec`, built (or
/// reused) in `target/ab/`.
pub fn revision_side(
    workspace: &Workspace,
    spec: &str,
    benches: &[String],
    say: &dyn Fn(&str),
) -> Result<Side, String> {
    let revision = workspace.resolve(spec).map_err(|_| {
        format!(
            "BASE `{spec}` is not a revision of the git repository at {} \
             (git rev-parse found no commit of that name)",
            workspace.root.display()
        )
    })?;
    let key = workspace
        .source_key(&revision, BENCH_SOURCES)
        .map_err(|e| e.to_string())?;
    let kept = workspace.ab_dir().join("bench").join(&key);
    let describe = format!("revision {}", revision.describe());
    if let Some(executables) = kept_build(&kept, benches) {
        say(&format!(
            "BASE: {describe}: reusing its benches ({})",
            kept.display()
        ));
        return Ok(Side {
            role: Role::Base,
            describe,
            executables,
        });
    }
    say(&format!(
        "BASE: building {describe}'s benches (cargo bench --no-run in {}; minutes the first time)…",
        workspace.ab_dir().join("checkout").display()
    ));
    let started = Instant::now();
    let checkout = workspace.checkout(&revision).map_err(|e| e.to_string())?;
    let mut command = cargo_bench_no_run(&checkout, benches);
    command
        .env("CARGO_TARGET_DIR", workspace.build_dir())
        .env_remove("RUSTFLAGS");
    let built = build(command, &format!("BASE {describe}"))?;
    let mut executables = Executables::new();
    for (name, built) in &built {
        let path = kept.join(name);
        keep(built, &path).map_err(|e| e.to_string())?;
        executables.insert(name.clone(), path);
    }
    if benches.is_empty() {
        let listing: String = built.keys().map(|name| format!("{name}\n")).collect();
        let partial = kept.join(".manifest.partial");
        std::fs::write(&partial, listing)
            .and_then(|()| std::fs::rename(&partial, kept.join(MANIFEST)))
            .map_err(|e| format!("cannot write {}: {e}", kept.join(MANIFEST).display()))?;
    }
    say(&format!(
        "BASE: built {} in {:.0} s, kept in {}",
        names(&executables),
        started.elapsed().as_secs_f64(),
        kept.display()
    ));
    Ok(Side {
        role: Role::Base,
        describe,
        executables,
    })
}

/// `counters, pools`.
fn names(executables: &Executables) -> String {
    let names: Vec<&str> = executables.keys().map(String::as_str).collect();
    names.join(", ")
}

/// The executables kept in `kept`, if it holds every one wanted: each of
/// `benches`, or (none named) every bench, as its manifest lists them.
fn kept_build(kept: &Path, benches: &[String]) -> Option<Executables> {
    let names: Vec<String> = if benches.is_empty() {
        std::fs::read_to_string(kept.join(MANIFEST))
            .ok()?
            .lines()
            .map(str::to_owned)
            .collect()
    } else {
        benches.to_vec()
    };
    names
        .into_iter()
        .map(|name| {
            let path = kept.join(&name);
            path.is_file().then_some((name, path))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_names_each_bench_executable_in_a_compiler_artifact() {
        // Trimmed from `cargo bench --no-run -p contend-benches
        // --message-format=json`.
        let stdout = r#"{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"contend_benches"},"executable":null}
{"reason":"compiler-artifact","target":{"kind":["bench"],"crate_types":["bin"],"name":"counters"},"executable":"/t/release/deps/counters-af726bee1ff06bfe","fresh":false}
{"reason":"compiler-artifact","target":{"kind":["bin"],"name":"bench-ab"},"executable":"/t/release/deps/bench_ab-0123"}
{"reason":"compiler-message","message":{"rendered":"warning: x"}}
not json at all
{"reason":"compiler-artifact","target":{"kind":["bench"],"name":"pools"},"executable":"/t/release/deps/pools-99"}
{"reason":"build-finished","success":true}"#;
        let found = parse_artifacts(stdout);
        assert_eq!(
            found,
            Executables::from([
                (
                    "counters".into(),
                    "/t/release/deps/counters-af726bee1ff06bfe".into()
                ),
                ("pools".into(), "/t/release/deps/pools-99".into()),
            ])
        );
    }

    #[test]
    fn a_kept_build_is_reused_only_when_whole() {
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path();
        std::fs::write(kept.join("counters"), "").unwrap();
        assert!(kept_build(kept, &["counters".into()]).is_some());
        assert!(kept_build(kept, &["counters".into(), "pools".into()]).is_none());
        // Every bench: only once the manifest, written last, is there.
        assert!(kept_build(kept, &[]).is_none());
        std::fs::write(kept.join(MANIFEST), "counters\npools\n").unwrap();
        assert!(kept_build(kept, &[]).is_none());
        std::fs::write(kept.join("pools"), "").unwrap();
        assert_eq!(kept_build(kept, &[]).unwrap().len(), 2);
    }

    #[test]
    fn a_folder_side_is_its_executable_files() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        assert!(from_dir(dir.path())
            .unwrap_err()
            .contains("no bench executable"));
        for (name, mode) in [
            ("counters", 0o755),
            ("notes.txt", 0o644),
            (".partial", 0o755),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, "").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        let found = from_dir(dir.path()).unwrap();
        assert_eq!(found.keys().collect::<Vec<_>>(), ["counters"]);
        assert!(from_dir(&dir.path().join("missing")).is_err());
    }
}
