//! One form field: its label, the control (text, number, text area or choice), a hint and
//! the error, wired together for assistive technology (`for`, `aria-describedby`,
//! `aria-invalid`). Ids: the control is `id`, the hint `{id}-hint`, the error `{id}-error`.

use crate::i18n::TextSignal;
use crate::tasks::Signal;
use leptos::prelude::*;

/// How the value is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Control {
    /// One line of text.
    #[default]
    Text,
    /// Digits (a text input with the numeric keyboard: it keeps what was typed).
    Numeric,
    /// A whole number above 0 (`<input type=number min=1>`).
    Number,
    Url,
    /// Hidden as typed (a token, a key).
    Secret,
    /// Several lines.
    Area,
    /// Several lines of code or keys: monospaced, never corrected.
    Code,
}

/// Props:
/// * `id`, `label`; `value` and `on_input` (every change, as typed).
/// * `control`: how it is typed; `options` (value, label) make it a choice instead.
/// * `hint`: shown under it (`hint_bad`: in the error colour, `counter`: as a counter).
/// * `error`: the broken rule, worded; None when there is none.
/// * `placeholder`, `autocomplete` (default `off`), `rows` for text areas, `class` for the
///   wrapper.
/// * `children`: after the control (say a file loader), or beside it with `inline`.
#[component]
pub fn Field(
    #[prop(into)] id: String,
    #[prop(into)] label: TextSignal,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] on_input: Callback<String>,
    #[prop(optional)] control: Control,
    #[prop(optional, into)] options: Option<Signal<Vec<(String, String)>>>,
    #[prop(optional, into)] hint: Option<Signal<String>>,
    #[prop(optional, into)] hint_bad: Signal<bool>,
    #[prop(optional)] counter: bool,
    #[prop(optional, into)] error: Signal<Option<String>>,
    #[prop(optional, into)] placeholder: Option<Signal<String>>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] rows: Option<u32>,
    #[prop(optional)] class: &'static str,
    #[prop(optional)] inline: bool,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = if hint.is_some() { format!("{hint_id} {error_id}") } else { error_id.clone() };
    let invalid = move || error.with(Option::is_some).to_string();
    let input = move |ev| on_input.run(event_target_value(&ev));
    let autocomplete = autocomplete.unwrap_or("off");
    let placeholder = move || placeholder.map(|p| p.get());
    let control = match (options, control) {
        (Some(options), _) => view! {
            <select id=id.clone() aria-invalid=invalid aria-describedby=described on:change=input>
                {move || options.get().into_iter().map(|(v, text)| {
                    let mine = v.clone();
                    view! { <option value=v selected=move || value.with(|x| *x == mine)>{text}</option> }
                }).collect_view()}
            </select>
        }
        .into_any(),
        (None, kind @ (Control::Area | Control::Code)) => {
            let code = kind == Control::Code;
            view! {
                <textarea id=id.clone() class:mono=code spellcheck=(!code).to_string() autocomplete=autocomplete
                    rows=rows placeholder=placeholder aria-invalid=invalid aria-describedby=described
                    prop:value=move || value.get() on:input=input></textarea>
            }
            .into_any()
        }
        (None, kind) => {
            let (kind, mode) = match kind {
                Control::Numeric => ("text", Some("numeric")),
                Control::Number => ("number", Some("numeric")),
                Control::Url => ("url", None),
                Control::Secret => ("password", None),
                _ => ("text", None),
            };
            let min = (kind == "number").then_some("1");
            view! {
                <input id=id.clone() type=kind inputmode=mode min=min autocomplete=autocomplete placeholder=placeholder
                    aria-invalid=invalid aria-describedby=described prop:value=move || value.get() on:input=input />
            }
            .into_any()
        }
    };
    let body = match (inline, children) {
        (true, children) => view! { <div class="pair">{control}{children.map(|c| c())}</div> }.into_any(),
        (false, children) => view! { {control}{children.map(|c| c())} }.into_any(),
    };
    view! {
        <div class=if class.is_empty() { "field".to_string() } else { format!("field {class}") }>
            <label for=id>{label}</label>
            {body}
            {hint.map(|h| view! {
                <small id=hint_id class=if counter { "counter" } else { "hint" } class:field-error=move || hint_bad.get()>{move || h.get()}</small>
            })}
            <p id=error_id class="field-error" hidden=move || error.with(Option::is_none)>{move || error.get()}</p>
        </div>
    }
}
