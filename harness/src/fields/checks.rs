//! The checks of single values, shared by every table of a scenario file.

use std::time::Duration;

use toml::Spanned;

use super::error::{ScenarioError, Source};
use crate::machine::Machine;
use crate::units::{duration, size};

/// A value read from a scenario file, or why it cannot be.
pub type Checked<T> = Result<T, ScenarioError>;

/// The whole file as `T`; TOML's own error (an unknown key, a wrong type)
/// at its position.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(src: Source<'_>) -> Checked<T> {
    toml::from_str(src.text).map_err(|error| {
        let span = error.span().unwrap_or(0..0);
        src.error(span, error.message().trim_end().to_owned())
    })
}

/// A whole number of at least 1.
pub(crate) fn positive(src: Source<'_>, value: &Spanned<i64>, key: &str) -> Checked<u64> {
    match *value.get_ref() {
        n if n >= 1 => Ok(n as u64),
        n => Err(src.error(value.span(), format!("`{key}` must be at least 1, got {n}"))),
    }
}

/// A rate in jobs per second.
pub(crate) fn rate(src: Source<'_>, value: &Spanned<f64>, key: &str) -> Checked<f64> {
    match *value.get_ref() {
        r if r.is_finite() && r > 0.0 && r <= 10_000_000.0 => Ok(r),
        r => Err(src.error(
            value.span(),
            format!(
                "`{key}` is a rate in jobs per second: more than 0 and at most 10,000,000, got {r}"
            ),
        )),
    }
}

/// A fraction from 0 to 1.
pub(crate) fn fraction(src: Source<'_>, value: &Spanned<f64>, key: &str) -> Checked<f64> {
    match *value.get_ref() {
        f if (0.0..=1.0).contains(&f) => Ok(f),
        f => Err(src.error(
            value.span(),
            format!("`{key}` is a fraction from 0 to 1, got {f}"),
        )),
    }
}

/// A whole number from 1 to `max` (`why`: what bounds it).
pub(crate) fn at_most(
    src: Source<'_>,
    value: &Spanned<i64>,
    key: &str,
    max: u64,
    why: &str,
) -> Checked<u64> {
    match positive(src, value, key)? {
        n if n <= max => Ok(n),
        n => Err(src.error(
            value.span(),
            format!("`{key}` = {n} is too many; allowed: 1 to {max} ({why})"),
        )),
    }
}

/// The memory a job holds: a size no larger than this machine's memory
/// (a `memory_limit` may be: it limits, it does not ask).
pub(crate) fn job_memory(src: Source<'_>, value: &Spanned<String>) -> Checked<u64> {
    let machine = &Machine::get().memory;
    match memory(src, value, "memory")? {
        bytes if bytes <= machine.value => Ok(bytes),
        _ => Err(src.error(
            value.span(),
            format!(
                "`memory` = \"{}\" is more memory than this machine has; allowed: 4KiB to {} ({})",
                value.get_ref(),
                size::approx(machine.value),
                machine.source
            ),
        )),
    }
}

/// A size of memory, at least one page.
pub(crate) fn memory(src: Source<'_>, value: &Spanned<String>, key: &str) -> Checked<u64> {
    match size::parse(value.get_ref()) {
        Ok(bytes) if bytes >= 4096 => Ok(bytes),
        Ok(bytes) => Err(src.error(
            value.span(),
            format!("`{key}` must be at least 4KiB, got {bytes} bytes"),
        )),
        Err(message) => Err(src.error(value.span(), message)),
    }
}

/// A duration (`"50ms"`).
pub(crate) fn time(src: Source<'_>, value: &Spanned<String>) -> Checked<Duration> {
    duration::parse(value.get_ref()).map_err(|message| src.error(value.span(), message))
}
