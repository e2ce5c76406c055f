//! Checks for counters (placeholder).
