//! Every user-visible string, in English and Russian. A `Texts` value must give every
//! field, so a missing translation does not compile.
//!
//! The shell's and every screen's common strings are [`Texts`]; each area has its own
//! ([`invoices`], [`payments`], [`chat`], [`merchant`], [`activity`]), read only by the
//! screens of that area; broken rules are worded by [`rules`], refusals by [`refusals`]. The
//! language comes from the context ([`provide_lang`]).

use crate::tasks::Signal;
use leptos::prelude::*;

pub mod activity;
pub mod chat;
pub mod invoices;
pub mod languages;
pub mod merchant;
pub mod payments;
pub mod refusals;
pub mod rules;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "en" => Some(Lang::En),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }

    /// The browser's preferred language, if it is one of ours.
    pub fn from_browser() -> Lang {
        let nav = web_sys::window().map(|w| w.navigator());
        let lang = nav.and_then(|n| n.language()).unwrap_or_default();
        if lang.to_ascii_lowercase().starts_with("ru") { Lang::Ru } else { Lang::En }
    }
}

/// `russian_value!(module, name: T = value)`: the Russian `value` of type `T` (an area's
/// table of texts, or a wording function), reached only through the lazy function `name`
/// this makes, in the module `ru` of the split release build ([`languages`]), as
/// `module::get()` (once loaded; at once where nothing is fetched: Trunk, the browser tests)
/// and `module::load()` (brings it). Paths are whole: the module made is a child of the
/// file's.
macro_rules! russian_value {
    ($module:ident, $name:ident: $t:ty = $ru:expr) => {
        /// Russian, loaded on demand (`crate::i18n::languages`).
        pub mod $module {
            static LOADED: std::sync::OnceLock<$t> = std::sync::OnceLock::new();

            #[cfg_attr(
                                feature = "split",
                                leptos::wasm_split::wasm_split(ru, wasm_split_path = ::leptos::wasm_split, fallible)
                            )]
            fn $name() -> Result<$t, leptos::wasm_split::SplitLoaderError> {
                Ok($ru)
            }

            /// The value, once loaded.
            pub fn get() -> Option<$t> {
                #[cfg(not(feature = "split"))]
                return $name().ok();
                #[cfg(feature = "split")]
                LOADED.get().copied()
            }

            /// Brings the value (once): whether it is here.
            pub async fn load() -> bool {
                if get().is_some() {
                    return true;
                }
                match crate::lazy::lazily!($name) {
                    Ok(value) => LOADED.set(value).is_ok() || get().is_some(),
                    Err(_) => false,
                }
            }
        }
    };
}

pub(crate) use russian_value;

russian_value!(russian, common_ru: &'static crate::i18n::Texts = &crate::i18n::RU);

/// One area's strings in both languages.
pub trait Strings: Sync + 'static {
    fn of(lang: Lang) -> &'static Self;
}

/// A text in the current language, as views show it: Leptos's own signal (one type, so
/// one copy of its code, and views render it as it is).
pub type TextSignal = leptos::prelude::Signal<&'static str>;

/// The language of the page, as the shell provides it.
#[derive(Clone, Copy)]
struct UiLang(Signal<Lang>);

/// Makes `lang` the language of everything below.
pub fn provide_lang(lang: Signal<Lang>) {
    provide_context(UiLang(lang));
}

pub fn use_lang() -> Signal<Lang> {
    expect_context::<UiLang>().0
}

/// The strings of `T` in the current language, reactively.
pub fn strings<T: Strings>() -> Signal<&'static T> {
    let lang = use_lang();
    Signal::derive(move || T::of(lang.get()))
}

/// One string of `T` as reactive text. Every call for one area has the same concrete type,
/// so the hundreds of labels in the app cost one copy of the rendering code per area.
pub fn tr_of<T: Strings>(pick: fn(&'static T) -> &'static str) -> TextSignal {
    let lang = use_lang();
    TextSignal::derive(move || pick(T::of(lang.get())))
}

/// The common strings of the current language, reactively.
pub fn use_texts() -> Signal<&'static Texts> {
    strings()
}

/// One common string as reactive text.
pub fn tr(pick: fn(&'static Texts) -> &'static str) -> TextSignal {
    tr_of(pick)
}

impl Strings for Texts {
    fn of(lang: Lang) -> &'static Texts {
        texts(lang)
    }
}

pub struct Texts {
    pub lang: Lang,
    pub lang_code: &'static str,
    pub nav_invoices: &'static str,
    pub nav_payments: &'static str,
    pub nav_merchant: &'static str,
    pub nav_inbox: &'static str,
    pub nav_events: &'static str,
    pub unread: &'static str,
    pub nav_settings: &'static str,
    pub not_logged_in: &'static str,
    pub logged_in_as: &'static str,
    pub switch_language: &'static str,
    pub theme_system: &'static str,
    pub theme_light: &'static str,
    pub theme_dark: &'static str,
    pub theme_label: &'static str,
    // settings / login
    pub settings_title: &'static str,
    pub settings_intro: &'static str,
    pub endpoint_label: &'static str,
    pub endpoint_hint: &'static str,
    pub token_label: &'static str,
    pub token_hint: &'static str,
    pub save_and_check: &'static str,
    pub log_out: &'static str,
    pub checking: &'static str,
    pub login_ok: &'static str,
    pub log_in: &'static str,
    pub login_needed: &'static str,
    pub login_back_to: &'static str,
    pub balance_label: &'static str,
    // a login link (`/settings?token=…`)
    pub link_checking: &'static str,
    pub link_question: &'static str,
    pub link_warning: &'static str,
    pub link_switch: &'static str,
    pub link_confirm: &'static str,
    pub link_cancel: &'static str,
    pub link_declined: &'static str,
    pub link_removed: &'static str,
    // home
    pub home_title: &'static str,
    pub open_invoice_label: &'static str,
    pub invoice_id_rule: &'static str,
    pub open_payment_label: &'static str,
    pub open: &'static str,
    // invoice detail
    pub invoice: &'static str,
    pub loading: &'static str,
    pub refresh: &'static str,
    pub private_invoice: &'static str,
    pub public_invoice: &'static str,
    pub field_status: &'static str,
    pub field_price: &'static str,
    pub field_price_per_piece: &'static str,
    pub field_current_btc: &'static str,
    pub field_rate_variable: &'static str,
    pub field_owner: &'static str,
    pub field_target: &'static str,
    pub field_created: &'static str,
    pub field_valid_to: &'static str,
    pub field_ttl: &'static str,
    pub field_fee: &'static str,
    pub field_pieces: &'static str,
    pub field_limit_liquidity: &'static str,
    pub field_paid_total: &'static str,
    pub field_payments: &'static str,
    pub field_secrets: &'static str,
    pub field_images: &'static str,
    pub field_integration: &'static str,
    pub field_refund_of: &'static str,
    pub field_service: &'static str,
    pub field_comment: &'static str,
    pub no_comment: &'static str,
    pub integration_none: &'static str,
    pub integration_redirect: &'static str,
    /// A redirect whose address only the buyer gets, after paying (it is not shown to others).
    pub redirect_after_payment: &'static str,
    pub integration_webhook: &'static str,
    pub webhook_required: &'static str,
    pub service_none: &'static str,
    pub service_autoprice: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub expired: &'static str,
    pub minutes_short: &'static str,
    pub status_active: &'static str,
    pub status_pending_pay: &'static str,
    pub status_no_pieces: &'static str,
    pub status_payed: &'static str,
    pub status_deleted: &'static str,
    pub status_unknown: &'static str,
    // errors
    pub err_unauthenticated: &'static str,
    pub err_log_in_again: &'static str,
    pub err_not_found: &'static str,
    pub err_permission: &'static str,
    pub err_invalid: &'static str,
    pub err_precondition: &'static str,
    pub err_unavailable: &'static str,
    pub err_wrong_endpoint: &'static str,
    pub err_no_token: &'static str,
    pub err_other: &'static str,
    pub retry: &'static str,
    pub page_not_found: &'static str,
}

pub const EN: Texts = Texts {
    lang: Lang::En,
    lang_code: "en",
    nav_invoices: "Invoices",
    nav_payments: "Payments",
    nav_merchant: "Merchant",
    nav_inbox: "Messages",
    nav_events: "Notifications",
    unread: "unread",
    nav_settings: "Settings",
    not_logged_in: "Not logged in",
    logged_in_as: "Logged in as",
    switch_language: "Русский",
    theme_system: "System theme",
    theme_light: "Light theme",
    theme_dark: "Dark theme",
    theme_label: "Theme",
    settings_title: "Log in and settings",
    settings_intro: "Schet talks gRPC-web to an invoice service. Give its address and your access token.",
    endpoint_label: "Service endpoint",
    endpoint_hint: "Address of the invoice service, e.g. https://api.example.com. Empty: this site.",
    token_label: "Access token",
    token_hint: "The bearer token the service issued to you. Kept in this browser only.",
    save_and_check: "Save and log in",
    log_out: "Log out",
    checking: "Checking…",
    login_ok: "Logged in as",
    log_in: "Log in",
    login_needed: "This page is for logged-in users: log in to see it.",
    login_back_to: "After logging in you will be taken back to where you were.",
    balance_label: "Balance",
    link_checking: "Checking the login link…",
    link_question: "This link logs you in as",
    link_warning: "Continue only if you asked for this link: whatever you do next happens in that account.",
    link_switch: "You would leave the account you are logged in to now:",
    link_confirm: "Log in as",
    link_cancel: "Don't log in",
    link_declined: "You were not logged in. The link's token is gone from the address.",
    link_removed: "The link's token is gone from the address.",
    home_title: "Invoices",
    open_invoice_label: "Invoice number",
    invoice_id_rule: "Enter a whole number greater than 0.",
    open_payment_label: "Payment number",
    open: "Open",
    invoice: "Invoice",
    loading: "Loading…",
    refresh: "Refresh",
    private_invoice: "Private",
    public_invoice: "Public",
    field_status: "Status",
    field_price: "Price",
    field_price_per_piece: "Price of one piece",
    field_current_btc: "Today in BTC",
    field_rate_variable: "Rate",
    field_owner: "Seller",
    field_target: "Buyer",
    field_created: "Created",
    field_valid_to: "Valid until",
    field_ttl: "Lifetime",
    field_fee: "Issuing fee",
    field_pieces: "Pieces per purchase",
    field_limit_liquidity: "Limited stock",
    field_paid_total: "Paid in total",
    field_payments: "Payments",
    field_secrets: "Secrets in stock",
    field_images: "Images",
    field_integration: "Delivery",
    field_refund_of: "Refund of payment",
    field_service: "Service",
    field_comment: "Description",
    no_comment: "No description.",
    integration_none: "In the chat (no integration)",
    integration_redirect: "At this address",
    redirect_after_payment: "At an address the buyer gets after payment",
    integration_webhook: "Webhook to the seller's system",
    webhook_required: "required for the purchase",
    service_none: "None",
    service_autoprice: "AutoPrice purchase",
    yes: "Yes",
    no: "No",
    expired: "expired",
    minutes_short: "min",
    status_active: "Active",
    status_pending_pay: "Awaiting payment",
    status_no_pieces: "Sold out",
    status_payed: "Paid",
    status_deleted: "Deleted",
    status_unknown: "Unknown status",
    err_unauthenticated: "Unauthenticated: log in again.",
    err_log_in_again: "Log in again",
    err_not_found: "Not found",
    err_permission: "You are not allowed to do this",
    err_invalid: "Invalid request",
    err_precondition: "Not possible now",
    err_unavailable: "The service cannot be reached. Check your connection and retry.",
    err_wrong_endpoint: "The endpoint does not answer as an invoice service. Check the address in Settings.",
    err_no_token: "You are not logged in.",
    err_other: "Something went wrong",
    retry: "Retry",
    page_not_found: "There is no such page.",
};

pub const RU: Texts = Texts {
    lang: Lang::Ru,
    lang_code: "ru",
    nav_invoices: "Счета",
    nav_payments: "Платежи",
    nav_merchant: "Мерчант",
    nav_inbox: "Сообщения",
    nav_events: "Уведомления",
    unread: "непрочитанных",
    nav_settings: "Настройки",
    not_logged_in: "Вход не выполнен",
    logged_in_as: "Вы вошли как",
    switch_language: "English",
    theme_system: "Тема системы",
    theme_light: "Светлая тема",
    theme_dark: "Тёмная тема",
    theme_label: "Тема",
    settings_title: "Вход и настройки",
    settings_intro: "Schet работает с сервисом счетов по gRPC-web. Укажите его адрес и ваш токен доступа.",
    endpoint_label: "Адрес сервиса",
    endpoint_hint: "Адрес сервиса счетов, например https://api.example.com. Пусто: этот сайт.",
    token_label: "Токен доступа",
    token_hint: "Токен, выданный вам сервисом. Хранится только в этом браузере.",
    save_and_check: "Сохранить и войти",
    log_out: "Выйти",
    checking: "Проверка…",
    login_ok: "Вы вошли как",
    log_in: "Войти",
    login_needed: "Эта страница доступна после входа: войдите, чтобы её увидеть.",
    login_back_to: "После входа вы вернётесь туда, где были.",
    balance_label: "Баланс",
    link_checking: "Проверяем ссылку для входа…",
    link_question: "Эта ссылка выполняет вход как",
    link_warning: "Продолжайте, только если вы сами запросили эту ссылку: всё дальнейшее будет происходить в этом аккаунте.",
    link_switch: "Вы выйдете из аккаунта, в который вошли сейчас:",
    link_confirm: "Войти как",
    link_cancel: "Не входить",
    link_declined: "Вход не выполнен. Токен из ссылки удалён из адреса.",
    link_removed: "Токен из ссылки удалён из адреса.",
    home_title: "Счета",
    open_invoice_label: "Номер счёта",
    invoice_id_rule: "Введите целое число больше 0.",
    open_payment_label: "Номер платежа",
    open: "Открыть",
    invoice: "Счёт",
    loading: "Загрузка…",
    refresh: "Обновить",
    private_invoice: "Приватный",
    public_invoice: "Публичный",
    field_status: "Статус",
    field_price: "Цена",
    field_price_per_piece: "Цена одной части",
    field_current_btc: "Сегодня в BTC",
    field_rate_variable: "Курс",
    field_owner: "Продавец",
    field_target: "Покупатель",
    field_created: "Создан",
    field_valid_to: "Действует до",
    field_ttl: "Срок жизни",
    field_fee: "Комиссия за выставление",
    field_pieces: "Частей за покупку",
    field_limit_liquidity: "Ограниченный запас",
    field_paid_total: "Всего оплачено",
    field_payments: "Платежей",
    field_secrets: "Секретов в запасе",
    field_images: "Изображения",
    field_integration: "Получение товара",
    field_refund_of: "Возврат по платежу",
    field_service: "Услуга",
    field_comment: "Описание",
    no_comment: "Описания нет.",
    integration_none: "В переписке (без интеграции)",
    integration_redirect: "По этому адресу",
    redirect_after_payment: "По адресу, который покупатель получит после оплаты",
    integration_webhook: "Вебхук в систему продавца",
    webhook_required: "обязателен для покупки",
    service_none: "Нет",
    service_autoprice: "Покупка Автоцены",
    yes: "Да",
    no: "Нет",
    expired: "истёк",
    minutes_short: "мин",
    status_active: "Активен",
    status_pending_pay: "Ожидает оплату",
    status_no_pieces: "Части закончились",
    status_payed: "Оплачен",
    status_deleted: "Удалён",
    status_unknown: "Неизвестный статус",
    err_unauthenticated: "Нет доступа: войдите снова.",
    err_log_in_again: "Войти снова",
    err_not_found: "Не найдено",
    err_permission: "У вас нет прав на это действие",
    err_invalid: "Неверный запрос",
    err_precondition: "Сейчас это невозможно",
    err_unavailable: "Сервис недоступен. Проверьте соединение и повторите.",
    err_wrong_endpoint: "По этому адресу нет сервиса счетов. Проверьте адрес в настройках.",
    err_no_token: "Вы не вошли.",
    err_other: "Что-то пошло не так",
    retry: "Повторить",
    page_not_found: "Такой страницы нет.",
};

/// `lang`'s common strings; English until `lang`'s are loaded ([`languages`]).
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::En => &EN,
        Lang::Ru => russian::get().unwrap_or(&EN),
    }
}
