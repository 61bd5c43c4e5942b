//! How WebKit paints the window. WebKitGTK paints page tiles with Skia on the GPU by default. This
//! app's pages (forms, text, two chart images) paint just as well on the CPU, and on a machine
//! without a GPU (a VM, a remote desktop, CI) the "GPU" is Mesa's llvmpipe emulating one in
//! software: with the Usage tab open, that cost about 40 MiB more for the same pixels (README,
//! Benchmarks). So the app asks WebKit to paint on the CPU unless the person has chosen:
//! `WEBKIT_SKIA_ENABLE_CPU_RENDERING=0` brings GPU painting back. Compositing stays on; WebDriver's
//! screenshots need it (facts/tauri-headless.md §4).

/// WebKit reads it once, in each web process it starts; "0" keeps GPU painting.
pub const CPU_PAINTING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// Sets [`CPU_PAINTING`] to "1" unless it is set. Call it before the app starts a thread: WebKit's
/// processes inherit the app's environment.
#[allow(unsafe_code)]
pub fn prefer_cpu() {
    if std::env::var_os(CPU_PAINTING).is_none() {
        // SAFETY: `run` calls this first, while the process has one thread, so nothing reads the
        // environment concurrently.
        unsafe { std::env::set_var(CPU_PAINTING, "1") };
    }
}
