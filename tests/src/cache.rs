//! Checks for caches (placeholder).
