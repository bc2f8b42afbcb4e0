//! Strings of the merchant screen (CryptoCloud-compatible invoice list), and the merchant
//! contract's rules ([`Rule`]) worded in each language: one arm per rule and language, so a
//! rule without its text does not compile.

use super::Lang;
use schet_api::merchant::{AMOUNT_SCALE, MAX_AMOUNT, MAX_LIFETIME_MINUTES, Rule};

pub struct MerchantTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub settings: &'static str,
    pub url_label: &'static str,
    pub url_hint: &'static str,
    pub key_label: &'static str,
    pub key_saved: &'static str,
    pub key_keep: &'static str,
    pub no_key: &'static str,
    pub remember: &'static str,
    pub remember_hint: &'static str,
    pub kept_here: &'static str,
    pub kept_session: &'static str,
    pub save: &'static str,
    pub forget: &'static str,
    pub use_login: &'static str,
    pub use_login_hint: &'static str,
    pub using_login: &'static str,
    pub saved: &'static str,
    pub start: &'static str,
    pub end: &'static str,
    pub date_format: &'static str,
    pub show: &'static str,
    pub quick: &'static str,
    pub today: &'static str,
    pub days_7: &'static str,
    pub days_30: &'static str,
    pub this_month: &'static str,
    pub page_size: &'static str,
    pub of: &'static str,
    pub prev: &'static str,
    pub next: &'static str,
    pub none: &'static str,
    pub status_filter: &'static str,
    pub all: &'static str,
    /// Statuses in the order of `Status::ALL`.
    pub statuses: [&'static str; 5],
    /// A status another service sent that the API does not document.
    pub status_other: &'static str,
    pub col_uuid: &'static str,
    pub col_created: &'static str,
    pub col_expiry: &'static str,
    pub col_status: &'static str,
    pub col_currency: &'static str,
    pub col_amount: &'static str,
    pub col_to_pay: &'static str,
    pub col_paid: &'static str,
    pub col_received: &'static str,
    pub col_fee: &'static str,
    pub col_order: &'static str,
    pub col_project: &'static str,
    pub col_test: &'static str,
    pub test_mark: &'static str,
    pub totals: &'static str,
    pub export: &'static str,
    pub err_key: &'static str,
    pub err_no_key: &'static str,
    pub err_answer: &'static str,
    pub err_invalid: &'static str,
}

pub const EN: MerchantTexts = MerchantTexts {
    title: "Merchant invoices",
    intro: "Your invoices from a CryptoCloud-compatible merchant API. Dates and times are UTC.",
    settings: "API settings",
    url_label: "API base URL",
    url_hint: "Empty: this site. For CryptoCloud: https://api.cryptocloud.plus",
    key_label: "API key",
    key_saved: "Saved key:",
    key_keep: "Leave empty to keep the saved key.",
    no_key: "No key saved.",
    remember: "Remember the key on this device",
    remember_hint: "Otherwise the key is kept in this tab only, until it is closed.",
    kept_here: "kept on this device",
    kept_session: "kept until this tab is closed",
    save: "Save",
    forget: "Forget the key",
    use_login: "Use my Schet login",
    use_login_hint: "The Schet service you are logged in to takes your login token as the merchant API key.",
    using_login: "Key: your Schet login token, sent only to the service you are logged in to.",
    saved: "Saved.",
    start: "From",
    end: "To",
    date_format: "dd.mm.yyyy",
    show: "Show",
    quick: "Quick ranges",
    today: "Today",
    days_7: "7 days",
    days_30: "30 days",
    this_month: "This month",
    page_size: "Per page",
    of: "of",
    prev: "Previous",
    next: "Next",
    none: "No invoices in this range.",
    status_filter: "Status on this page",
    all: "All",
    statuses: ["Created", "Paid", "Partially paid", "Overpaid", "Canceled"],
    status_other: "Other",
    col_uuid: "Invoice",
    col_created: "Created",
    col_expiry: "Expires",
    col_status: "Status",
    col_currency: "Currency",
    col_amount: "Amount",
    col_to_pay: "To pay",
    col_paid: "Paid",
    col_received: "Received",
    col_fee: "Fee",
    col_order: "Order",
    col_project: "Project",
    col_test: "Test",
    test_mark: "test",
    totals: "Totals of the rows shown, USD",
    export: "Export CSV",
    err_key: "The API key was not accepted: check your API key.",
    err_no_key: "Enter your merchant API key in the API settings.",
    err_answer: "This address does not answer as a merchant API. Check the API base URL.",
    err_invalid: "The service did not accept the request:",
};

pub const RU: MerchantTexts = MerchantTexts {
    title: "Счета мерчанта",
    intro: "Ваши счета из API мерчанта, совместимого с CryptoCloud. Даты и время — UTC.",
    settings: "Настройки API",
    url_label: "Базовый адрес API",
    url_hint: "Пусто: этот сайт. Для CryptoCloud: https://api.cryptocloud.plus",
    key_label: "API-ключ",
    key_saved: "Сохранённый ключ:",
    key_keep: "Оставьте пустым, чтобы сохранить прежний ключ.",
    no_key: "Ключ не сохранён.",
    remember: "Запомнить ключ на этом устройстве",
    remember_hint: "Иначе ключ хранится только в этой вкладке, пока она открыта.",
    kept_here: "хранится на этом устройстве",
    kept_session: "хранится, пока открыта вкладка",
    save: "Сохранить",
    forget: "Забыть ключ",
    use_login: "Использовать мой вход в Schet",
    use_login_hint: "Сервис Schet, в который вы вошли, принимает ваш токен входа как API-ключ мерчанта.",
    using_login: "Ключ: ваш токен входа в Schet, отправляется только сервису, в который вы вошли.",
    saved: "Сохранено.",
    start: "С",
    end: "По",
    date_format: "дд.мм.гггг",
    show: "Показать",
    quick: "Быстрый выбор",
    today: "Сегодня",
    days_7: "7 дней",
    days_30: "30 дней",
    this_month: "Этот месяц",
    page_size: "На странице",
    of: "из",
    prev: "Назад",
    next: "Вперёд",
    none: "В этом периоде счетов нет.",
    status_filter: "Статус на этой странице",
    all: "Все",
    statuses: ["Создан", "Оплачен", "Оплачен частично", "Переплачен", "Отменён"],
    status_other: "Другой",
    col_uuid: "Счёт",
    col_created: "Создан",
    col_expiry: "Истекает",
    col_status: "Статус",
    col_currency: "Валюта",
    col_amount: "Сумма",
    col_to_pay: "К оплате",
    col_paid: "Оплачено",
    col_received: "Зачислено",
    col_fee: "Комиссия",
    col_order: "Заказ",
    col_project: "Проект",
    col_test: "Тест",
    test_mark: "тест",
    totals: "Итого по показанным строкам, USD",
    export: "Скачать CSV",
    err_key: "API-ключ не принят: проверьте API-ключ.",
    err_no_key: "Укажите API-ключ мерчанта в настройках API.",
    err_answer: "По этому адресу нет API мерчанта. Проверьте базовый адрес API.",
    err_invalid: "Сервис не принял запрос:",
};

super::russian_value!(russian, merchant_ru: &'static crate::i18n::merchant::MerchantTexts = &crate::i18n::merchant::RU);

impl super::Strings for MerchantTexts {
    fn of(lang: super::Lang) -> &'static MerchantTexts {
        match lang {
            super::Lang::En => &EN,
            super::Lang::Ru => russian::get().unwrap_or(&EN),
        }
    }
}

/// This area's strings in the current language, reactively.
pub fn use_texts() -> crate::tasks::Signal<&'static MerchantTexts> {
    super::strings()
}

/// One of this area's strings as reactive text.
pub fn tr(pick: fn(&'static MerchantTexts) -> &'static str) -> super::TextSignal {
    super::tr_of(pick)
}

/// A broken rule of a merchant API request in `lang`, to show next to its field (or after
/// the field's API name).
pub fn rule_text(rule: &Rule, lang: Lang) -> String {
    match lang {
        Lang::En => en(rule),
        Lang::Ru => russian_rules::get().map_or_else(|| en(rule), |ru| ru(rule)),
    }
}

fn en(rule: &Rule) -> String {
    let s = match rule {
        Rule::Required => "Required.",
        Rule::Date => "Enter a date as dd.mm.yyyy, e.g. 31.01.2025.",
        Rule::EndBeforeStart => "The end date must not be before the start date.",
        Rule::Whole => "Enter a whole number, 0 or more.",
        Rule::LimitAboveOffset => "A page holds at least one invoice.",
        Rule::Text => "Must be text.",
        Rule::TooLong(max) => return format!("At most {max} characters."),
        Rule::ControlChars => "Must not contain control characters.",
        Rule::Email => "Enter an e-mail address, e.g. name@example.com.",
        Rule::Number => "Enter a number, e.g. 10.50.",
        Rule::Amount => {
            return format!("Enter an amount above 0, at most {MAX_AMOUNT}, with at most {AMOUNT_SCALE} decimals.");
        }
        Rule::Object => "Must be an object.",
        Rule::Lifetime => return format!("Between 1 minute and {} hours.", MAX_LIFETIME_MINUTES / 60),
        Rule::Currency(code) => return format!("The service has no rate for {code}."),
        Rule::Cryptocurrency(known) if known.is_empty() => "Enter a coin's code, e.g. BTC.",
        Rule::Cryptocurrency(known) => return format!("One of {}.", known.join(", ")),
        Rule::BodyNotText => "The request is not UTF-8 text.",
        Rule::BodyNotObject => "The request must be a JSON object.",
        Rule::BodyNotJson(why) => return format!("The request is not valid JSON: {why}."),
    };
    s.to_string()
}

super::russian_value!(russian_rules, merchant_rules_ru: fn(&schet_api::merchant::Rule) -> String = crate::i18n::merchant::ru);

fn ru(rule: &Rule) -> String {
    let s = match rule {
        Rule::Required => "Обязательное поле.",
        Rule::Date => "Введите дату как дд.мм.гггг, например 31.01.2025.",
        Rule::EndBeforeStart => "Дата окончания не может быть раньше даты начала.",
        Rule::Whole => "Введите целое число, 0 или больше.",
        Rule::LimitAboveOffset => "На странице должен быть хотя бы один счёт.",
        Rule::Text => "Должно быть строкой.",
        Rule::TooLong(max) => {
            return format!("Не длиннее {}.", super::rules::genitive(*max as u64, "символа", "символов"));
        }
        Rule::ControlChars => "Не должно содержать управляющих символов.",
        Rule::Email => "Введите адрес e-mail, например name@example.com.",
        Rule::Number => "Введите число, например 10.50.",
        Rule::Amount => {
            return format!(
                "Введите сумму больше 0, не больше {MAX_AMOUNT}, не больше {AMOUNT_SCALE} знаков после запятой."
            );
        }
        Rule::Object => "Должно быть объектом.",
        Rule::Lifetime => return format!("От 1 минуты до {} часов.", MAX_LIFETIME_MINUTES / 60),
        Rule::Currency(code) => return format!("У сервиса нет курса для {code}."),
        Rule::Cryptocurrency(known) if known.is_empty() => "Введите код монеты, например BTC.",
        Rule::Cryptocurrency(known) => return format!("Одна из: {}.", known.join(", ")),
        Rule::BodyNotText => "Запрос не является текстом UTF-8.",
        Rule::BodyNotObject => "Запрос должен быть объектом JSON.",
        Rule::BodyNotJson(why) => return format!("Запрос не является корректным JSON: {why}."),
    };
    s.to_string()
}
