//! Embeds tauri.conf.json, the capabilities and the built UI into the app.
fn main() {
    tauri_build::build()
}
