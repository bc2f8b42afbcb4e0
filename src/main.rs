use leptos::prelude::*;

fn main() {
    console_error_panic_hook_lite();
    leptos::mount::mount_to_body(|| view! { <schet::App /> });
}

/// Panics go to the browser console instead of vanishing (no extra dependency).
fn console_error_panic_hook_lite() {
    std::panic::set_hook(Box::new(|info| web_sys::console::error_1(&info.to_string().into())));
}
