//! `ANXUAN_TRACE=1` timing lines for performance work. It must not print anything
//! unless asked, and never to stdout (scripts read that).

use std::time::Instant;

/// `ANXUAN_TRACE=1` prints how long each stage took, for performance work.
pub(crate) fn trace(stage: &str, since: Instant) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("ANXUAN_TRACE").is_some()) {
        eprintln!(
            "[trace] {stage}: {:.1} ms",
            since.elapsed().as_secs_f64() * 1000.0
        );
    }
}
