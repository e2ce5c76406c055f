//! Every pool strategy this binary can run, by name: the built-ins of
//! `contend-strategies`, the [`adapters`] around the pools
//! people pick instead, and a user's [`ExtraStrategy`]s.
//!
//! `contend-strategies` keeps its own registry of the strategies it
//! implements; it cannot know the harness's adapters, nor a user's
//! executor. The harness therefore looks every pool strategy up here:
//! scenario checks (is the name known, does `io` or `policy` apply to
//! it), the cell runner (build it, give it closures or futures), `--filter`
//! and `contend list`.

mod active;
pub mod adapters;
mod extra;

use std::fmt;
use std::sync::Arc;

use contend_strategies::pool::{Executor, PoolConfig, RunsOn, STRATEGIES};

pub use extra::{Bounds, Builder, ExtraStrategy};

/// Where a strategy comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Implemented in `contend-strategies` (and model-checked there).
    BuiltIn,
    /// A library's pool behind an adapter of this crate: measured, not
    /// model-checked (loom cannot see inside the library).
    Adapter,
    /// Handed to [`cli::main_with`](crate::cli::main_with) by the binary.
    Extra,
}

/// One strategy of the catalog.
#[derive(Clone)]
pub struct Entry {
    /// The name scenario files use.
    pub name: &'static str,
    /// One line on what it is.
    pub summary: &'static str,
    /// What its jobs run on.
    pub runs_on: RunsOn,
    /// Whether the overload parameters apply to it.
    pub bounds: Bounds,
    /// Where it comes from.
    pub origin: Origin,
    build: Builder,
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("name", &self.name)
            .field("runs_on", &self.runs_on)
            .field("bounds", &self.bounds)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl Entry {
    /// Builds the strategy from a cell's parameters.
    pub fn build(&self, config: PoolConfig) -> Result<Box<dyn Executor>, String> {
        (self.build)(config)
    }

    fn extra(extra: ExtraStrategy, origin: Origin) -> Self {
        Entry {
            name: extra.name,
            summary: extra.summary,
            runs_on: extra.runs_on,
            bounds: extra.bounds,
            origin,
            build: extra.build,
        }
    }
}

/// Why a catalog cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// An extra strategy has the name of one already in the catalog.
    #[error(
        "extra strategy `{name}`: the name is taken by {taken}; pick another (taken: {names})"
    )]
    NameTaken {
        /// The clashing name.
        name: &'static str,
        /// What already has it: a built-in strategy, an adapter, another extra.
        taken: &'static str,
        /// Every name already taken.
        names: String,
    },
    /// An extra strategy's name cannot be written in a scenario file or a
    /// cell label.
    #[error("extra strategy `{name}`: a name is letters, digits, `-` and `_`, and not empty")]
    BadName {
        /// The name given.
        name: &'static str,
    },
    /// A catalog was already installed in this process.
    #[error("a strategy catalog is already in use in this process; install it before anything reads a scenario")]
    AlreadyInstalled,
}

/// Every pool strategy this process knows.
#[derive(Clone, Debug)]
pub struct Catalog {
    entries: Vec<Entry>,
}

impl Catalog {
    /// The built-in strategies, then the adapters.
    pub fn standard() -> Self {
        let built_in = STRATEGIES.iter().map(|info| {
            let build = info.build;
            Entry {
                name: info.name,
                summary: info.summary,
                runs_on: info.runs_on,
                // The built-ins read the overload parameters and refuse
                // in their builder what they cannot honour.
                bounds: Bounds::Bounded,
                origin: Origin::BuiltIn,
                build: Arc::new(move |config| build(config).map_err(|error| error.to_string())),
            }
        });
        let adapters = adapters::all()
            .into_iter()
            .map(|adapter| Entry::extra(adapter, Origin::Adapter));
        Catalog {
            entries: built_in.chain(adapters).collect(),
        }
    }

    /// The standard catalog and `extras` after it. A name already taken,
    /// or one a scenario file could not name, is refused.
    pub fn with_extras(
        extras: impl IntoIterator<Item = ExtraStrategy>,
    ) -> Result<Self, CatalogError> {
        let mut catalog = Catalog::standard();
        for extra in extras {
            let name = extra.name;
            let well_formed = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !well_formed {
                return Err(CatalogError::BadName { name });
            }
            if let Some(taken) = catalog.get(name) {
                return Err(CatalogError::NameTaken {
                    name,
                    taken: match taken.origin {
                        Origin::BuiltIn => "a built-in strategy",
                        Origin::Adapter => "an adapter",
                        Origin::Extra => "another extra strategy",
                    },
                    names: catalog.names().join(", "),
                });
            }
            catalog.entries.push(Entry::extra(extra, Origin::Extra));
        }
        Ok(catalog)
    }

    /// Every strategy, built-ins first, then adapters, then extras.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The strategy called `name`.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|entry| entry.name == name)
    }

    /// Every strategy's name.
    pub fn names(&self) -> Vec<&'static str> {
        self.entries.iter().map(|entry| entry.name).collect()
    }

    /// Builds the strategy called `name`.
    pub fn build(&self, name: &str, config: PoolConfig) -> Result<Box<dyn Executor>, String> {
        match self.get(name) {
            Some(entry) => entry.build(config),
            None => Err(format!(
                "unknown strategy `{name}`; known: {}",
                self.names().join(", ")
            )),
        }
    }

    /// Whether `name` runs its jobs on tokio tasks.
    pub fn runs_on_tasks(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|entry| entry.runs_on == RunsOn::Tasks)
    }
}

#[cfg(test)]
mod tests {
    use contend_strategies::pool::Serial;

    use super::*;

    fn serial_named(name: &'static str) -> ExtraStrategy {
        ExtraStrategy::new(name, "test", RunsOn::Threads, Bounds::Unbounded, |_| {
            Ok(Box::new(Serial::new()) as Box<dyn Executor>)
        })
    }

    #[test]
    fn the_standard_catalog_has_every_built_in_and_every_adapter() {
        let catalog = Catalog::standard();
        for info in STRATEGIES {
            assert_eq!(catalog.get(info.name).unwrap().origin, Origin::BuiltIn);
        }
        for name in ["rayon", "threadpool", "tokio-spawn-blocking"] {
            let entry = catalog.get(name).unwrap();
            assert_eq!(entry.origin, Origin::Adapter);
            assert_eq!(entry.bounds, Bounds::Unbounded);
        }
    }

    #[test]
    fn an_extra_named_like_a_built_in_or_an_adapter_is_refused() {
        let clash = Catalog::with_extras([serial_named("fixed")]).unwrap_err();
        assert!(
            clash
                .to_string()
                .contains("`fixed`: the name is taken by a built-in strategy"),
            "{clash}"
        );
        let clash = Catalog::with_extras([serial_named("rayon")]).unwrap_err();
        assert!(clash.to_string().contains("taken by an adapter"), "{clash}");
        let twice = Catalog::with_extras([serial_named("mine"), serial_named("mine")]);
        assert!(twice
            .unwrap_err()
            .to_string()
            .contains("taken by another extra strategy"));
    }

    #[test]
    fn an_extra_whose_name_a_scenario_cannot_write_is_refused() {
        for name in ["", "my pool", "a[b]"] {
            assert_eq!(
                Catalog::with_extras([serial_named(name)]).unwrap_err(),
                CatalogError::BadName { name }
            );
        }
    }

    #[test]
    fn an_extra_is_built_by_its_own_builder() {
        let catalog = Catalog::with_extras([serial_named("mine")]).unwrap();
        let entry = catalog.get("mine").unwrap();
        assert_eq!(entry.origin, Origin::Extra);
        let executor = catalog.build("mine", PoolConfig::new(1)).unwrap();
        assert_eq!(executor.name(), "serial");
        let unknown = catalog.build("nope", PoolConfig::new(1)).err().unwrap();
        assert!(unknown.contains("unknown strategy `nope`") && unknown.contains("mine"));
    }
}
