//! The WebKit settings the app chooses for its window, each only where the person has not set it
//! (the app's environment is WebKit's, and its processes inherit it). Both trade speed the app's
//! pages do not need for memory they do not use (README, Benchmarks; issue #21's 1.2× goal):
//!
//! - **Paint on the CPU** (`WEBKIT_SKIA_ENABLE_CPU_RENDERING=1`). WebKitGTK paints page tiles with
//!   Skia on the GPU by default. This app's pages (forms, text, two chart images) paint just as
//!   fast on the CPU, and on a machine without a GPU (a VM, a remote desktop, CI) the "GPU" is
//!   Mesa's llvmpipe emulating one in software: with the Usage tab open that cost about 40 MiB
//!   more for the same pixels. Compositing stays on; WebDriver's screenshots need it
//!   (facts/tauri-headless.md §4). `=0` brings GPU painting back.
//! - **Run the page's script in JavaScriptCore's interpreter** (`JSC_useJIT=false`). The page is
//!   about 70 KB of script that builds the DOM from state; the JIT tiers cost about 7 MiB of
//!   compiler code and data for it, and the Usage tab's range switch and refresh stay well within
//!   their goals without them. A JIT is also attack surface the page's untrusted strings (model
//!   and account names) never need. `JSC_useJIT=true` brings it back.

/// An environment variable the app sets, and the value it chooses.
pub const CHOICES: [(&str, &str); 2] = [("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1"), ("JSC_useJIT", "false")];

/// Sets each of [`CHOICES`] the person has not set. Call it before the app starts a thread.
#[allow(unsafe_code)]
pub fn choose() {
    for (name, value) in CHOICES {
        if std::env::var_os(name).is_none() {
            // SAFETY: `run` calls this first, while the process has one thread, so nothing reads
            // the environment concurrently.
            unsafe { std::env::set_var(name, value) };
        }
    }
}
