//! Bulk import: paste, preview, create in order with progress; a failure stops the run and
//! says which lines were created; a retry sends only the others. The logic is the state
//! machine `schet_model::bulk::BulkImport`; this drives it and shows it.

use super::Ctx;
use crate::api::{self, ApiError};
use crate::components::ErrorView;
use crate::components::error_view::error_detail;
use crate::components::field::{Control, Field};
use crate::i18n::chat::{tr as tr_chat, use_texts as use_chat_texts};
use crate::i18n::{rules::field_error_text, tr, use_texts};
use crate::settings::Settings;
use crate::state::use_app;
use crate::storage::Stored;
use crate::tasks;
use crate::tasks::RwSignal;
use crate::tasks::StoredValue;
use leptos::prelude::*;
use schet_model::bulk::{BulkDraft, BulkImport, LineState};
use schet_model::codec::Proto;

/// Where the bulk import of `invoice` in progress is kept for this login.
pub fn bulk_draft(settings: &Settings, invoice: u64) -> Stored<Proto<BulkDraft>> {
    settings.draft(&format!("bulk.{invoice}"))
}

#[component]
pub(super) fn BulkImport(ctx: Ctx) -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let tc = use_chat_texts();
    let kept = StoredValue::new(bulk_draft(&app.settings.get_untracked(), ctx.invoice));
    let draft: BulkDraft = kept.with_value(Stored::load).unwrap_or_default();
    let restored = !draft.text.trim().is_empty();
    let input = RwSignal::new(draft.text.clone());
    let import = RwSignal::new(BulkImport::<ApiError>::restore(draft));
    let save_draft = move || import.with_untracked(|i| kept.with_value(|k| k.save(&i.draft(input.get_untracked()))));
    // The list before a run could not be read: nothing was sent.
    let load_failure = RwSignal::new(None::<ApiError>);
    let run = tasks::action(move |()| {
        let (settings, invoice) = (app.settings.get_untracked(), ctx.invoice);
        async move {
            load_failure.set(None);
            // What is there now (and whether a create that lost its answer got through).
            match api::secrets::load(&settings, invoice).await {
                Ok(now) => {
                    import.update(|i| i.reconcile(&now));
                    save_draft();
                    ctx.show(now);
                }
                Err(e) => {
                    load_failure.set(Some(e));
                    return;
                }
            }
            let mut todo = Vec::new();
            import.update(|i| todo = i.start());
            for i in todo {
                let line = import.with_untracked(|m| m.line(i).clone());
                match api::secrets::create(&settings, invoice, line.text, line.images, 0).await {
                    Ok(list) => {
                        import.update(|m| m.created(i, &list));
                        save_draft();
                        ctx.show(list);
                    }
                    Err(e) => {
                        // No answer: the create may have gone through all the same.
                        let unanswered = matches!(e, ApiError::Unavailable(_) | ApiError::Other(_));
                        import.update(|m| m.failed(i, e, unanswered));
                        save_draft();
                        break;
                    }
                }
            }
            // Every line is in: nothing left to keep.
            if import.with_untracked(|m| m.is_complete()) {
                kept.with_value(Stored::clear);
            }
        }
    });
    let running = move || run.pending();
    let preview = move || import.update(|i| i.preview(&input.get_untracked()));
    let total = move || import.with(|i| i.total());
    let done = move || import.with(|i| i.done());
    let has_lines = move || import.with(|i| !i.lines().is_empty());
    let failure = move || import.with(|i| i.failure().map(|(line, e)| (line, e.clone())));
    let or_none = move |s: String| if s.is_empty() { tc.get().none.to_string() } else { s };
    view! {
        <details class="bulk-import" open=restored>
            <summary>{tr_chat(|t| t.bulk_title)}</summary>
            <div class="form-grid">
                <Field id="bulk-input" label=tr_chat(|t| t.bulk_label) control=Control::Code rows=6
                    hint=move || tc.get().bulk_hint.to_string()
                    value=input on_input=Callback::new(move |v: String| { input.set(v); save_draft(); }) />
                <div class="row">
                    <button type="button" class="button bulk-preview" disabled=running on:click=move |_| preview()>
                        {tr_chat(|t| t.preview)}
                    </button>
                    {move || has_lines().then(|| view! {
                        <button type="button" class="button primary bulk-run" disabled=move || running() || done() == total()
                            on:click=move |_| { run.dispatch(()); }>
                            {move || if failure().is_some() { tc.get().bulk_retry } else { tc.get().bulk_create }}
                            " ("{move || total() - done()}")"
                        </button>
                    })}
                </div>
                {move || load_failure.get().map(|e| view! { <ErrorView error=e /> })}
                {move || (running() || done() > 0).then(|| view! {
                    <div class="progress-row">
                        <progress max=move || total().to_string() value=move || done().to_string() aria-labelledby="bulk-progress"></progress>
                        <span id="bulk-progress" role="status">{move || format!("{} {} / {}", tc.get().created, done(), total())}</span>
                    </div>
                })}
                {move || failure().map(|(line, e)| view! {
                    <div class="error-banner bulk-report" role="alert">
                        <strong class="error-headline">{move || format!("{} {line}: {}", tc.get().bulk_failed_at, error_detail(&e, t.get()))}</strong>
                        <p class="error-detail">{move || format!("{}: {}", tc.get().bulk_created_lines, or_none(import.with(|i| i.created_ranges())))}</p>
                        <p class="error-detail">{move || format!("{}: {}", tc.get().bulk_not_created, or_none(import.with(|i| i.not_created_ranges())))}</p>
                    </div>
                })}
                {move || has_lines().then(|| view! {
                    <div class="table-wrap">
                        <table class="data-table bulk-table">
                            <caption class="muted small">{tr_chat(|t| t.preview)}</caption>
                            <thead><tr>
                                <th scope="col">{tr_chat(|t| t.line)}</th>
                                <th scope="col">{tr_chat(|t| t.secret_text)}</th>
                                <th scope="col">{tr_chat(|t| t.images_label)}</th>
                                <th scope="col">{tr(|t| t.field_status)}</th>
                            </tr></thead>
                            <tbody>
                                {move || {
                                    let (t, tc) = (t.get(), tc.get());
                                    import.with(|i| i.lines().iter().map(|(line, state)| {
                                        let (class, said) = match state {
                                            LineState::Ready => ("", tc.line_ready.to_string()),
                                            LineState::Waiting => ("", tc.line_waiting.to_string()),
                                            LineState::Created => ("ok", tc.line_created.to_string()),
                                            LineState::Invalid(e) => ("bad", format!("{}: {}", tc.line_invalid, field_error_text(e, None, t.lang))),
                                            LineState::Failed(e) => ("bad", format!("{}: {}", tc.line_failed, error_detail(e, t))),
                                        };
                                        view! {
                                            <tr class=class>
                                                <td>{line.line}</td>
                                                <td class="bulk-text">{line.text.clone()}</td>
                                                <td>{line.images.len()}</td>
                                                <td class="bulk-state">{said}</td>
                                            </tr>
                                        }
                                    }).collect_view())
                                }}
                            </tbody>
                        </table>
                    </div>
                })}
            </div>
        </details>
    }
}
