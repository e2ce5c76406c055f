//! The two sides of a paired comparison, as built programs: a path to a
//! built binary is used as it is; a git revision of the project is checked
//! out and built once, in release, and the build is kept.
//!
//! Every revision is checked out into one worktree (`target/ab/checkout`)
//! and built into one target folder (`target/ab/build`): the crates a
//! revision did not change keep their compiled artifacts, so the second
//! revision costs only what differs. The binary is then copied to
//! `target/ab/bin/<key>/`, where `key` names the source the binary is
//! built from (the git objects of its manifests and crates), so a
//! revision that changed only documentation reuses an earlier build.
//! Two `contend ab` runs in one checkout at once would share that
//! worktree: run them one after the other.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::HarnessError;

/// The paths whose contents decide what `contend` builds to.
pub const CONTEND_SOURCES: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    "harness",
    "strategies",
    ".cargo",
    "rust-toolchain.toml",
    "rust-toolchain",
];

/// The git repository the project lives in.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// Its top-level folder.
    pub root: PathBuf,
    /// Where the current directory is inside it (`examples/own-executor/`,
    /// or empty at the top): a revision is built from the same place in
    /// its checkout, so a crate outside the top-level workspace builds too.
    pub prefix: PathBuf,
}

/// A git revision, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revision {
    /// As the user wrote it (`main`, `HEAD~1`, a tag).
    pub spec: String,
    /// The commit it names.
    pub commit: String,
}

impl Revision {
    /// `HEAD~1 (1a2b3c4d5e6f)`.
    pub fn describe(&self) -> String {
        let short = &self.commit[..self.commit.len().min(12)];
        if self.spec.starts_with(short) {
            short.to_owned()
        } else {
            format!("{} ({short})", self.spec)
        }
    }
}

impl Workspace {
    /// The repository around the current directory.
    pub fn discover() -> Result<Self, HarnessError> {
        let output = git(Path::new("."), &["rev-parse", "--show-toplevel"]).map_err(|why| {
            HarnessError::BadInput(format!("cannot find the git repository: {why}"))
        })?;
        let prefix = git(Path::new("."), &["rev-parse", "--show-prefix"]).map_err(|why| {
            HarnessError::BadInput(format!("cannot find the git repository: {why}"))
        })?;
        Ok(Self {
            root: PathBuf::from(output.trim()),
            prefix: PathBuf::from(prefix.trim()),
        })
    }

    /// Where paired runs keep their checkout, builds and binaries.
    pub fn ab_dir(&self) -> PathBuf {
        self.root.join("target").join("ab")
    }

    /// The commit `spec` names, or why it names none.
    pub fn resolve(&self, spec: &str) -> Result<Revision, HarnessError> {
        let commit = git(
            &self.root,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{spec}^{{commit}}"),
            ],
        )
        .map_err(|_| {
            HarnessError::BadInput(format!(
                "`{spec}` is neither a built binary nor a revision of the git repository at {} \
                 (git rev-parse found no commit of that name)",
                self.root.display()
            ))
        })?;
        Ok(Revision {
            spec: spec.to_owned(),
            commit: commit.trim().to_owned(),
        })
    }

    /// A name for the source of `paths` at `revision`: the git objects of
    /// those paths, hashed by git. Two revisions with the same sources
    /// have the same key.
    pub fn source_key(&self, revision: &Revision, paths: &[&str]) -> Result<String, HarnessError> {
        let mut args = vec!["ls-tree", revision.commit.as_str(), "--"];
        args.extend_from_slice(paths);
        let listing = git(&self.root, &args).map_err(HarnessError::BadInput)?;
        let hashed = git_with_input(&self.root, &["hash-object", "--stdin"], &listing)
            .map_err(HarnessError::BadInput)?;
        Ok(hashed.trim()[..16].to_owned())
    }

    /// Checks `revision` out into the shared worktree and returns its
    /// folder.
    pub fn checkout(&self, revision: &Revision) -> Result<PathBuf, HarnessError> {
        let folder = self.ab_dir().join("checkout");
        let failed = |why: String| {
            HarnessError::BadInput(format!(
                "cannot check {} out into {}: {why}",
                revision.describe(),
                folder.display()
            ))
        };
        // A worktree whose folder was deleted (with `target/`) is stale.
        git(&self.root, &["worktree", "prune"]).map_err(failed)?;
        if folder.join(".git").exists() {
            git(
                &folder,
                &[
                    "checkout",
                    "--quiet",
                    "--detach",
                    "--force",
                    &revision.commit,
                ],
            )
            .map_err(failed)?;
        } else {
            std::fs::create_dir_all(self.ab_dir()).map_err(|e| failed(e.to_string()))?;
            let path = folder.to_string_lossy().into_owned();
            git(
                &self.root,
                &[
                    "worktree",
                    "add",
                    "--quiet",
                    "--detach",
                    "--force",
                    &path,
                    &revision.commit,
                ],
            )
            .map_err(failed)?;
        }
        Ok(folder)
    }

    /// The shared target folder every revision builds into.
    pub fn build_dir(&self) -> PathBuf {
        self.ab_dir().join("build")
    }
}

/// What one side of a comparison runs.
#[derive(Clone, Debug)]
pub struct Side {
    /// `BASE` or `NEW`.
    pub role: &'static str,
    /// As the user gave it.
    pub spec: String,
    /// What it is, for reports: a revision and its commit, or a path.
    pub describe: String,
    /// The program to run.
    pub program: PathBuf,
}

/// What to build of a revision: contend's own binary by default, or a
/// user's binary that calls `contend::cli::main_with` (their package, bin
/// and features).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildTarget {
    /// The package (`cargo build -p`).
    pub package: String,
    /// The binary (`--bin`).
    pub bin: String,
    /// Features to turn on (`--features`), comma-separated; may be empty.
    pub features: String,
}

impl Default for BuildTarget {
    fn default() -> Self {
        Self {
            package: "contend".into(),
            bin: "contend".into(),
            features: String::new(),
        }
    }
}

impl BuildTarget {
    /// The paths whose contents decide the binary: contend's sources for
    /// contend's own binary, the whole tree for anything else.
    fn sources(&self) -> &'static [&'static str] {
        if *self == Self::default() {
            CONTEND_SOURCES
        } else {
            &["."]
        }
    }

    /// `cargo build …`'s arguments.
    fn cargo_args(&self) -> Vec<&str> {
        let mut args = vec![
            "build",
            "--release",
            "-p",
            &self.package,
            "--bin",
            &self.bin,
        ];
        if !self.features.is_empty() {
            args.extend(["--features", &self.features]);
        }
        args
    }
}

/// Resolves `spec` into a program: a file that exists is used as it is;
/// anything else must be a git revision, whose `target` is built (or its
/// earlier build reused). `say` reports what is being built.
pub fn side(
    role: &'static str,
    spec: &str,
    target: &BuildTarget,
    say: &dyn Fn(&str),
) -> Result<Side, HarnessError> {
    let path = Path::new(spec);
    if path.is_file() {
        let program = path.canonicalize().map_err(|e| {
            HarnessError::BadInput(format!("{role} `{spec}`: cannot read the binary: {e}"))
        })?;
        return Ok(Side {
            role,
            spec: spec.to_owned(),
            describe: format!("binary {}", path.display()),
            program,
        });
    }
    if path.is_dir() {
        return Err(HarnessError::BadInput(format!(
            "{role} `{spec}` is a folder: give a revision or a built binary (e.g. {spec}/target/release/contend)"
        )));
    }
    let workspace = Workspace::discover()?;
    let revision = workspace.resolve(spec)?;
    let program = build(&workspace, &revision, target, role, say)?;
    Ok(Side {
        role,
        spec: spec.to_owned(),
        describe: format!("revision {}", revision.describe()),
        program,
    })
}

/// The binary `target` of `revision`, built in release (or reused).
pub fn build(
    workspace: &Workspace,
    revision: &Revision,
    target: &BuildTarget,
    role: &str,
    say: &dyn Fn(&str),
) -> Result<PathBuf, HarnessError> {
    let key = workspace.source_key(revision, target.sources())?;
    let name = format!(
        "{}-{}-{}",
        target.package,
        target.bin,
        target.features.replace(',', "+")
    );
    let kept = workspace
        .ab_dir()
        .join("bin")
        .join(&key)
        .join(name.trim_end_matches('-'));
    if kept.is_file() {
        say(&format!(
            "{role}: {} — reusing its build ({})",
            revision.describe(),
            kept.display()
        ));
        return Ok(kept);
    }
    say(&format!(
        "{role}: building {} (release)…",
        revision.describe()
    ));
    let checkout = workspace.checkout(revision)?.join(&workspace.prefix);
    let args = target.cargo_args();
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(&args)
        .current_dir(&checkout)
        .env("CARGO_TARGET_DIR", workspace.build_dir())
        .env_remove("RUSTFLAGS")
        .output()
        .map_err(|e| HarnessError::BadInput(format!("cannot run cargo to build {role}: {e}")))?;
    if !output.status.success() {
        return Err(HarnessError::BadInput(format!(
            "{role} {} does not build (cargo {} in {}):\n{}",
            revision.describe(),
            args.join(" "),
            checkout.display(),
            last_lines(&output, 25)
        )));
    }
    let built = workspace.build_dir().join("release").join(&target.bin);
    keep(&built, &kept)?;
    Ok(kept)
}

/// Copies `built` to `kept` through a temporary name, so that a copy cut
/// short is never taken for a build.
pub fn keep(built: &Path, kept: &Path) -> Result<(), HarnessError> {
    let write = |e: std::io::Error| HarnessError::Write {
        path: kept.to_owned(),
        source: e,
    };
    let folder = kept.parent().expect("a kept file has a folder");
    std::fs::create_dir_all(folder).map_err(write)?;
    let partial = folder.join(".partial");
    std::fs::copy(built, &partial).map_err(write)?;
    std::fs::rename(&partial, kept).map_err(write)
}

/// The last `n` lines of a command's error output (then its output).
pub fn last_lines(output: &Output, n: usize) -> String {
    let text = if output.stderr.is_empty() {
        String::from_utf8_lossy(&output.stdout)
    } else {
        String::from_utf8_lossy(&output.stderr)
    };
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Runs git in `dir`; its output, or its error output as the reason.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    git_with_input(dir, args, "")
}

fn git_with_input(dir: &Path, args: &[&str], input: &str) -> Result<String, String> {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input.as_bytes());
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("git failed: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contends_own_binary_is_keyed_by_its_sources_and_any_other_by_the_whole_tree() {
        let contend = BuildTarget::default();
        assert_eq!(contend.sources(), CONTEND_SOURCES);
        assert_eq!(
            contend.cargo_args(),
            ["build", "--release", "-p", "contend", "--bin", "contend"]
        );
        let mine = BuildTarget {
            package: "own-executor".into(),
            bin: "own-executor-load".into(),
            features: "load-test".into(),
        };
        assert_eq!(mine.sources(), ["."]);
        assert_eq!(
            mine.cargo_args(),
            [
                "build",
                "--release",
                "-p",
                "own-executor",
                "--bin",
                "own-executor-load",
                "--features",
                "load-test"
            ]
        );
    }

    #[test]
    fn a_revision_is_described_by_its_name_and_short_commit() {
        let commit = "0123456789abcdef0123456789abcdef01234567".to_owned();
        let named = Revision {
            spec: "HEAD~1".into(),
            commit: commit.clone(),
        };
        assert_eq!(named.describe(), "HEAD~1 (0123456789ab)");
        let hash = Revision {
            spec: "0123456789ab".into(),
            commit,
        };
        assert_eq!(hash.describe(), "0123456789ab");
    }
}
