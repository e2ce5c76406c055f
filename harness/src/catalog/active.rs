//! The catalog this process uses.
//!
//! Scenario checks, the cell runner, `--filter` and `contend list` all
//! need to know every strategy, including a user's extras. The extras are
//! known only to the binary's `main` ([`cli::main_with`](crate::cli::main_with)),
//! and the cell's child process is the same binary run again, so it
//! installs the same catalog before it reads its cell. Installing it once
//! per process keeps `Scenario::load` and the runner's signatures free of
//! a catalog argument that every caller would pass the same way.

use std::sync::OnceLock;

use super::{Catalog, CatalogError};

static ACTIVE: OnceLock<Catalog> = OnceLock::new();

impl Catalog {
    /// Makes `self` the catalog of this process. Call it before anything
    /// loads a scenario; a second call, or a call after the standard
    /// catalog was already put in use, is refused.
    pub fn install(self) -> Result<(), CatalogError> {
        ACTIVE.set(self).map_err(|_| CatalogError::AlreadyInstalled)
    }

    /// The catalog of this process: the installed one, or the
    /// [standard](Catalog::standard) one if none was installed.
    pub fn active() -> &'static Catalog {
        ACTIVE.get_or_init(Catalog::standard)
    }
}
