//! Time and memory budgets for work that an input can make endless: a design template
//! that loops (`for i in range(…)` nested), a cover that includes itself, an array of 10⁸
//! values. Typst 0.15 has no way to interrupt an evaluation or a layout (its limits are
//! on call depth, show-rule depth and `while` iterations), so a thread of this module
//! watches: work that outlives its time budget ([`enter`]), or a process whose resident
//! memory passes the memory budget, is stopped — the process prints a clear error naming
//! the file being worked on and exits with status 1, never in the middle of replacing
//! the editions (see [`crate::output`]), so the previous outputs stay as they were.
//!
//! [`Allocator`] (the command line's global allocator) turns an allocation the system
//! refuses (a single 10⁸-element array) into the same clear error instead of an abort.
//!
//! The budgets are [`DEFAULT_SECONDS`] and [`DEFAULT_MEMORY_MIB`], or what the environment
//! sets in `REPORTPRESS_TYPESET_SECONDS` and `REPORTPRESS_MEMORY_MIB`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The time one typesetting (a layout of the book, or of its cover) may take: 300 s. The
/// largest manuscript allowed (12 MiB of text) lays out in well under a minute.
pub const DEFAULT_SECONDS: u64 = 300;
/// The resident memory a command may use: 4096 MiB (the largest manuscript allowed builds
/// in about 1.5 GB).
pub const DEFAULT_MEMORY_MIB: u64 = 4096;

/// Work being watched: what it is, the file it is working on, when it started.
struct Work {
    id: u64,
    what: &'static str,
    file: PathBuf,
    started: Instant,
}

static WORKS: Mutex<Vec<Work>> = Mutex::new(Vec::new());
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
static STARTED: std::sync::Once = std::sync::Once::new();

/// The budgets, from the environment or the defaults.
fn budgets() -> (Duration, u64) {
    let read = |name: &str| std::env::var(name).ok().and_then(|v| v.trim().parse::<u64>().ok()).filter(|&v| v > 0);
    let seconds = read("REPORTPRESS_TYPESET_SECONDS").unwrap_or(DEFAULT_SECONDS);
    let mib = read("REPORTPRESS_MEMORY_MIB").unwrap_or(DEFAULT_MEMORY_MIB);
    (Duration::from_secs(seconds), mib.saturating_mul(1024 * 1024))
}

/// Watched work; dropping it ends the watch.
#[must_use = "the work is watched only while this lives"]
pub struct Watched(u64);

impl Drop for Watched {
    fn drop(&mut self) {
        let mut works = WORKS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        works.retain(|w| w.id != self.0);
    }
}

/// Watches the work `what` ("typesetting") on `file` (the design template it runs) until
/// the returned guard is dropped; starts the watching thread on first use.
pub fn enter(what: &'static str, file: &Path) -> Watched {
    start();
    let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut works = WORKS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    works.push(Work { id, what, file: file.to_path_buf(), started: Instant::now() });
    Watched(id)
}

/// Starts the watching thread (once per process).
pub fn start() {
    STARTED.call_once(|| {
        let (time, memory) = budgets();
        let _ = std::thread::Builder::new().name("reportpress-watchdog".into()).spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(50));
                let over_time = {
                    let works = WORKS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    works.iter().find(|w| w.started.elapsed() > time).map(|w| (w.what, w.file.clone()))
                };
                if let Some((what, file)) = over_time {
                    stop(crate::diagnostics::Diagnostic::error(
                        &file,
                        format!("{what} did not finish within {} s; the design's templates may loop or do far too much work (a `for` over a huge range, a file that includes itself)", time.as_secs()),
                    )
                    .with_hint("check the loops and includes of the design's .typ files; a larger budget: REPORTPRESS_TYPESET_SECONDS=N"));
                }
                if let Some(resident) = resident_bytes()
                    && resident > memory
                {
                    let file = WORKS.lock().unwrap_or_else(std::sync::PoisonError::into_inner).last().map(|w| w.file.clone());
                    stop(out_of_memory(file.as_deref(), format!("it uses {} MiB of memory; the limit is {} MiB", resident >> 20, memory >> 20)));
                }
            }
        });
    });
}

fn out_of_memory(file: Option<&Path>, why: String) -> crate::diagnostics::Diagnostic {
    let message = match file {
        Some(_) => format!("typesetting was stopped: {why}; the design's templates may build a huge array or string"),
        None => format!("reportpress was stopped: {why}"),
    };
    crate::diagnostics::Diagnostic::error(file.unwrap_or(Path::new("reportpress")), message)
        .with_hint("check the design's .typ files and the inputs' sizes; a larger budget: REPORTPRESS_MEMORY_MIB=N")
}

/// The process's resident memory (Linux's `/proc/self/statm`).
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * u64::try_from(page).unwrap_or(4096))
}

/// Prints `diagnostic` and exits with status 1, once no commit is under way.
fn stop(diagnostic: crate::diagnostics::Diagnostic) -> ! {
    crate::output::hold_commits();
    eprint!("{}", diagnostic.render());
    eprintln!("error: stopped; no output was written or changed");
    std::process::exit(1);
}

/// The command line's global allocator: the system's, with an allocation it refuses
/// reported as an error (status 1) instead of an abort. The report is written without
/// allocating.
pub struct Allocator;

// SAFETY: every call is passed to the system allocator unchanged; only a refusal is handled.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on.
        let pointer = unsafe { System.alloc(layout) };
        if pointer.is_null() {
            refused(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on.
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if pointer.is_null() {
            refused(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(pointer, layout) }
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract is passed on.
        let pointer = unsafe { System.realloc(pointer, layout, new_size) };
        if pointer.is_null() {
            refused(new_size);
        }
        pointer
    }
}

/// Reports an allocation of `size` bytes the system refused, and exits with status 1
/// (written with `write(2)`: nothing may be allocated here).
fn refused(size: usize) -> ! {
    let mut message = *b"error: reportpress was stopped: an input or the design's templates asked for 0000000000 MiB of memory at once, more than the system has\n  = hint: check the design's .typ files (a huge array or string) and the inputs' sizes\nerror: stopped; no output was written or changed\n";
    // Write the size into the ten digits.
    let at = message.windows(10).position(|w| w == b"0000000000").unwrap_or(0);
    let mut mib = size >> 20;
    for digit in message[at..at + 10].iter_mut().rev() {
        *digit = b'0' + (mib % 10) as u8;
        mib /= 10;
    }
    let start = message[at..at + 10].iter().position(|&d| d != b'0').unwrap_or(9);
    message.copy_within(at + start.., at);
    let len = message.len() - start;
    // SAFETY: writing a valid buffer to stderr, then ending the process without unwinding.
    unsafe {
        libc::write(2, message.as_ptr().cast(), len);
        libc::_exit(1);
    }
}
