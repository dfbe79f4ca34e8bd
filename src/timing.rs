//! Phase timings and peak memory on stderr when `TTPC_TIMINGS` is set: how the figures in
//! docs/performance.md are broken down, and how the hostile-input tests read a run's peak memory
//! without an external tool.

use std::time::Instant;

fn enabled() -> bool {
    std::env::var_os("TTPC_TIMINGS").is_some()
}

/// Prints how long a phase took (`timing: resolve: 12.3 ms`).
pub fn phase(name: &str, since: Instant) {
    if enabled() {
        eprintln!("timing: {name}: {:.1} ms", since.elapsed().as_secs_f64() * 1000.0);
    }
}

/// Prints the total of a command and the process's peak memory (`timing: peak memory: N KiB`,
/// the last line), when the system reports it.
pub fn finish(since: Instant) {
    if !enabled() {
        return;
    }
    phase("command total", since);
    if let Some(kib) = peak_memory_kib() {
        eprintln!("timing: peak memory: {kib} KiB");
    }
}

/// The process's peak resident set size in KiB: the kernel's high-water mark (`VmHWM` in
/// `/proc/self/status`, the figure `getrusage` and GNU time report); `None` off Linux.
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn peak_memory_is_read_where_the_system_reports_it() {
        let peak = super::peak_memory_kib();
        if cfg!(target_os = "linux") {
            // A running test binary holds at least a megabyte.
            assert!(peak.is_some_and(|kib| kib > 1024), "{peak:?}");
        } else {
            assert_eq!(peak, None);
        }
    }
}
