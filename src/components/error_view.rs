//! An [`ApiError`] shown as a person can act on it: a headline in the user's language,
//! the service's detail, and the way forward (retry, or log in again). Nobody logged in is
//! not an error: [`ApiError::NoToken`] shows the way to log in and come back instead.

use crate::api::ApiError;
use crate::components::login::{LoginPrompt, login_here};
use crate::i18n::{tr, use_texts};
use leptos::prelude::*;

/// What the service said about `error`, for a person: a broken rule in their language.
pub fn error_detail(error: &ApiError, t: &crate::i18n::Texts) -> String {
    match error {
        ApiError::Invalid(e) => crate::i18n::rules::field_error_text(e, None, t.lang),
        ApiError::Refused(r) => crate::i18n::refusals::refusal_text(r, t.lang),
        other => other.detail(),
    }
}

/// Props:
/// * `error`: what went wrong.
/// * `on_retry`: offered as a button when the error is worth retrying.
#[component]
pub fn ErrorView(error: ApiError, #[prop(optional, into)] on_retry: Option<Callback<()>>) -> impl IntoView {
    if error == ApiError::NoToken {
        return view! { <LoginPrompt /> }.into_any();
    }
    let t = use_texts();
    let kind = error.clone();
    let headline = move || {
        let t = t.get();
        match &kind {
            ApiError::Unauthenticated(_) => t.err_unauthenticated,
            ApiError::NoToken => t.err_no_token,
            ApiError::NotFound(_) => t.err_not_found,
            ApiError::PermissionDenied(_) => t.err_permission,
            ApiError::Invalid(_) | ApiError::BadRequest(_) => t.err_invalid,
            ApiError::FailedPrecondition(_) | ApiError::Refused(_) => t.err_precondition,
            ApiError::Unavailable(_) => t.err_unavailable,
            ApiError::WrongEndpoint(_) => t.err_wrong_endpoint,
            ApiError::Other(_) => t.err_other,
        }
    };
    let needs_login = matches!(error, ApiError::Unauthenticated(_));
    let retry = on_retry.filter(|_| error.is_retryable());
    let has_detail = matches!(error, ApiError::Invalid(_) | ApiError::Refused(_)) || !error.detail().is_empty();
    let detail = move || error_detail(&error, t.get());
    view! {
        <div class="error-banner" role="alert">
            <strong class="error-headline">{headline}</strong>
            {has_detail.then(|| view! { <p class="error-detail">{detail}</p> })}
            {needs_login.then(|| view! { <a href=login_here() class="button">{tr(|t| t.err_log_in_again)}</a> })}
            {retry.map(|cb| view! {
                <button type="button" class="button" on:click=move |_| cb.run(())>{tr(|t| t.retry)}</button>
            })}
        </div>
    }
    .into_any()
}

/// A part of the page whose code comes from the lazy module (`crate::lazy`, loaded with
/// `fallible`): the part, or, when the module could not be fetched (the network), that
/// error with a retry that fetches it again.
pub fn part_or_retry(part: Result<AnyView, leptos::wasm_split::SplitLoaderError>, retry: Callback<()>) -> AnyView {
    part.unwrap_or_else(|e| {
        view! { <ErrorView error=ApiError::Unavailable(e.to_string()) on_retry=retry /> }.into_any()
    })
}
