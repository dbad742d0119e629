//! The allocator's settings for a long-running poller.
//!
//! glibc's malloc serves a block above its mmap threshold (128 KiB at
//! start) with its own mapping, unmapped as soon as it is freed. But each
//! time such a block is freed, glibc raises the threshold to that block's
//! size, and the heap trim threshold to twice that: loading a feeds.toml of
//! ten thousand sources frees blocks of megabytes, and from then on every
//! arena (one per thread, up to eight per core) keeps megabytes of freed
//! memory at its top, and large bodies are carved out of arenas instead of
//! being mapped and unmapped. A fixed threshold turns that off: the
//! poll-cycle benchmark's peak RSS fell by 26 MiB plain and 44 MiB with
//! faults (bench/README.md).

/// Blocks at least this large get a mapping of their own, returned to the
/// system when freed: large bodies, read buffers of big transfers, sled's
/// segments. glibc's own starting value, kept fixed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

/// Fixes glibc's mmap threshold, unless the operator set the allocator's
/// parameters through the environment (`MALLOC_MMAP_THRESHOLD_`,
/// `GLIBC_TUNABLES`). Call it first thing in `main`, before the runtime
/// starts its threads. Does nothing on other C libraries.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let set_by_operator = ["MALLOC_MMAP_THRESHOLD_", "GLIBC_TUNABLES"]
            .iter()
            .any(|name| std::env::var_os(name).is_some());
        if set_by_operator {
            return;
        }
        // SAFETY: mallopt only changes a parameter of the allocator, under
        // the allocator's own lock; blocks already allocated are not
        // affected. A refusal leaves glibc's defaults, which still work.
        let _ = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) };
    }
}
