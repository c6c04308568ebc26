//! Host and Origin checks.
