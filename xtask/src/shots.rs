//! `cargo xtask screenshots`: every screen in headless Chromium, driven over the DevTools
//! protocol (headless_chrome), light and dark, English and Russian, 1200 and 360 px wide,
//! saved under `screenshots/` for a person to look at.
//!
//! A screen is seen by a demo user or by a guest. A user logs in the way a person does with
//! a demo link: `/settings?token=demo-NAME` asks first, and "Log in as NAME" (`#login-confirm`)
//! is clicked; a guest only opens `/settings?lang=…&theme=…` to choose those.

use crate::proc::{self, TempDir};
use crate::proc::{root, step};
use crate::release;
use crate::tools::{self, CHROMIUM_FLAGS, Chrome};
use anyhow::{Context, Result, anyhow, bail};
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::types::Bounds;
use headless_chrome::{Browser, LaunchOptions, Tab};
use std::ffi::OsStr;
use std::time::{Duration, Instant};

/// Who looks at a screen: a demo user, or nobody logged in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Who {
    User(&'static str),
    Guest,
}

/// Screens worth looking at: (file stem, who, path).
pub const SCREENS: &[(&str, Who, &str)] = &[
    ("list", Who::User("alice"), "/invoices"),
    ("detail", Who::User("alice"), "/invoice/1"),
    ("create", Who::User("alice"), "/invoices/new"),
    ("payments", Who::User("alice"), "/payments"),
    ("payment-seller", Who::User("alice"), "/payment/1"),
    ("merchant", Who::User("alice"), "/merchant"),
    ("inbox", Who::User("alice"), "/inbox"),
    ("conversation", Who::User("alice"), "/inbox/1"),
    ("secrets", Who::User("alice"), "/invoice/1/secrets"),
    ("events", Who::User("alice"), "/events"),
    ("payment-chat", Who::User("alice"), "/inbox/payment/1"),
    ("bought", Who::User("bob"), "/invoice/1"),
    ("payment-buyer", Who::User("bob"), "/payment/1"),
    ("private-to-pay", Who::User("bob"), "/invoice/3"),
    ("guest-invoice", Who::Guest, "/invoice/1"),
    ("guest-fiat-invoice", Who::Guest, "/invoice/2"),
    ("guest-private", Who::Guest, "/invoice/3"),
    ("guest-list", Who::Guest, "/invoices?tab=public"),
    ("guest-payments", Who::Guest, "/payments"),
    ("login-link", Who::Guest, "/settings?token=demo-bob"),
];

const WIDTHS: [(u32, &str); 2] = [(1200, "wide"), (360, "narrow")];

fn cdp(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("Chromium (DevTools protocol): {e}")
}

/// Waits until the page has settled: nothing loading (no skeleton, nothing `aria-busy`), a
/// little longer for what follows (images, live state). At most `limit`.
fn settle(tab: &Tab, limit: Duration) -> Result<()> {
    let start = Instant::now();
    let busy = "!!document.querySelector('main .skeleton, [aria-busy=\"true\"]') || !document.querySelector('main')";
    while start.elapsed() < limit {
        let still = tab.evaluate(busy, false).map_err(cdp)?.value.and_then(|v| v.as_bool()).unwrap_or(true);
        if !still {
            std::thread::sleep(Duration::from_millis(600));
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// One browser with its own profile, logged in as `who` (or a guest) in `lang` and `theme`.
fn session(chrome: &Chrome, url: &str, who: Who, lang: &str, theme: &str) -> Result<(Browser, TempDir)> {
    let profile = TempDir::new(&format!("shots-{lang}-{theme}"))?;
    let data_dir = format!("--user-data-dir={}", profile.0.display());
    let mut args: Vec<&OsStr> = CHROMIUM_FLAGS.iter().map(OsStr::new).collect();
    args.push(OsStr::new(&data_dir));
    let options = LaunchOptions {
        headless: true,
        sandbox: false,
        path: Some(chrome.browser.clone()),
        window_size: Some((1200, 1000)),
        idle_browser_timeout: Duration::from_secs(300),
        args,
        ..LaunchOptions::default()
    };
    let browser = Browser::new(options).map_err(cdp)?;
    let tab = browser.new_tab().map_err(cdp)?;
    tab.set_default_timeout(Duration::from_secs(30));
    match who {
        Who::User(name) => {
            let link = format!("{url}/settings?token=demo-{name}&merchant=login&lang={lang}&theme={theme}");
            tab.navigate_to(&link).map_err(cdp)?;
            tab.wait_for_element("#login-confirm").map_err(cdp)?.click().map_err(cdp)?;
            tab.wait_for_element(".success").map_err(cdp)?;
        }
        Who::Guest => {
            tab.navigate_to(&format!("{url}/settings?lang={lang}&theme={theme}")).map_err(cdp)?;
            tab.wait_for_element("main").map_err(cdp)?;
        }
    }
    Ok((browser, profile))
}

/// `cargo xtask screenshots`: the split release build served with demo data, every screen
/// shot.
pub fn run() -> Result<()> {
    let env = tools::ensure_build_tools()?;
    let chrome = tools::ensure_chromium()?;
    let dist = release::build(&env)?;
    step("building the reference server");
    proc::cargo(&env, &["build", "-p", "schet-server"])?;
    let live = proc::LiveServer::start_demo(&root().join("target/debug/schet-server"), &dist.dir)?;
    step("screenshots in headless Chromium");
    let made = take(&chrome, &live.url);
    drop(live);
    let made = made?;
    println!("{made} screenshots in {}", root().join("screenshots").display());
    if made == 0 {
        bail!("no screenshot was made");
    }
    Ok(())
}

/// Takes every screenshot against the demo server at `url`; returns how many were made.
fn take(chrome: &Chrome, url: &str) -> Result<usize> {
    let out = root().join("screenshots");
    std::fs::create_dir_all(&out).context("creating screenshots/")?;
    let mut made = 0;
    for lang in ["en", "ru"] {
        for theme in ["light", "dark"] {
            for who in [Who::User("alice"), Who::User("bob"), Who::Guest] {
                let (browser, _profile) = session(chrome, url, who, lang, theme)?;
                let tab = browser.new_tab().map_err(cdp)?;
                tab.set_default_timeout(Duration::from_secs(30));
                for (stem, _, path) in SCREENS.iter().filter(|(_, w, _)| *w == who) {
                    for (width, tag) in WIDTHS {
                        let bounds =
                            Bounds::Normal { left: None, top: None, width: Some(width.into()), height: Some(1000.0) };
                        tab.set_bounds(bounds).map_err(cdp)?;
                        tab.navigate_to(&format!("{url}{path}")).map_err(cdp)?;
                        // The load event can be missed (a page that keeps a stream open):
                        // what the page shows is what `settle` waits for.
                        if let Err(e) = tab.wait_until_navigated() {
                            println!("{stem} ({lang}, {theme}, {width} px): {e}; waiting for the page instead");
                        }
                        settle(&tab, Duration::from_secs(10))?;
                        let png = tab
                            .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
                            .map_err(cdp)?;
                        let file = out.join(format!("{stem}-{lang}-{theme}-{tag}.png"));
                        std::fs::write(&file, png).with_context(|| file.display().to_string())?;
                        made += 1;
                    }
                }
            }
        }
    }
    Ok(made)
}
