use leptos::prelude::*;

fn main() {
    console_error_panic_hook_lite();
    // A reader of another language than English sees the app in it from its first paint:
    // its texts first (src/i18n/languages.rs; boot.js has been fetching them alongside the
    // app). English needs nothing, and the app mounts at once. (Not Leptos's spawn: its
    // executor starts with the mount.)
    wasm_bindgen_futures::spawn_local(async {
        schet::i18n::languages::load(schet::settings::Settings::load().lang).await;
        leptos::mount::mount_to_body(|| view! { <schet::App /> });
    });
}

/// Panics go to the browser console instead of vanishing (no extra dependency).
fn console_error_panic_hook_lite() {
    std::panic::set_hook(Box::new(|info| web_sys::console::error_1(&info.to_string().into())));
}
