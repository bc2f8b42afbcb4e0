//! Broken rules in the user's language: a [`Rule`] code and its parameters, worded. English
//! is the api crate's own wording (the same the service sends); Russian is here, one arm per
//! rule, so a rule without a Russian text does not compile.

use super::Lang;
use schet_api::rule::{PemKind, Rule, human_size};
use schet_api::validate::FieldError;

/// `rule` in `lang`.
pub fn rule_text(rule: &Rule, lang: Lang) -> String {
    match lang {
        Lang::En => rule.to_string(),
        Lang::Ru => russian::get().map_or_else(|| rule.to_string(), |ru| ru(rule)),
    }
}

/// `Field: rule` in `lang` (the field keeps its proto name), or only the rule when the error
/// is shown next to `shown_at`, the field itself.
pub fn field_error_text(e: &FieldError, shown_at: Option<&str>, lang: Lang) -> String {
    let rule = rule_text(&e.rule, lang);
    if shown_at == Some(e.field.as_str()) { rule } else { format!("{}: {rule}", e.field) }
}

/// The Russian genitive after "не больше N": `1 символа`, `5 символов`, `21 символа`.
pub(super) fn genitive(n: u64, one: &str, many: &str) -> String {
    let word = if n % 10 == 1 && n % 100 != 11 { one } else { many };
    format!("{n} {word}")
}

/// ` (сертификат 2)` for the second certificate of a chain onwards.
fn which(cert: u64) -> String {
    if cert > 1 { format!(" (сертификат {cert})") } else { String::new() }
}

super::russian_value!(russian, rules_ru: fn(&schet_api::rule::Rule) -> String = crate::i18n::rules::ru);

fn ru(rule: &Rule) -> String {
    use Rule::*;
    let s = match rule {
        Text { text } => return text.clone(),
        Required => "обязательное поле",
        OutOfRange => "вне допустимого диапазона",
        NotANumber => "должно быть числом, например 0.0015",
        LengthRange { min, max } => return format!("должно быть длиной от {min} до {max} символов"),
        NameChars => "может содержать только латинские буквы A–Z, цифры, «_», «.» и «-»",
        TooLong { max, has } => {
            return format!("должно быть не длиннее {} (сейчас {has})", genitive(*max, "символа", "символов"));
        }
        ControlChars => "не должно содержать управляющих символов",
        TooManyImages { max, has } => {
            return format!("допускается не больше {} (сейчас {has})", genitive(*max, "изображения", "изображений"));
        }
        ListedTwice => "указано дважды",
        GuidFormat => "должно быть GUID вида 123e4567-e89b-42d3-a456-426614174000",
        GuidNil => "не может быть нулевым GUID",
        DecimalNanos => "nanos должно быть от -999999999 до 999999999",
        DecimalSign => "nanos должно иметь тот же знак, что и units",
        DecimalPlaces => "больше 9 знаков после запятой",
        DecimalTooLarge => "слишком большое число (целая часть должна помещаться в 64 бита со знаком)",
        Positive => "должно быть больше 0",
        PriceMax { max, unit } => return format!("должно быть не больше {max} {unit}"),
        Scale { places: 0, unit } => return format!("в {unit} должно быть целым числом"),
        Scale { places, unit } => {
            return format!(
                "в {unit} допускается не больше {} после запятой",
                genitive(u64::from(*places), "знака", "знаков")
            );
        }
        FiatRequired => "обязательно для цены в валюте",
        CurrencyCode => "должно быть кодом валюты ISO 4217, например USD или EUR",
        VariableRequired => "обязательно для цены в валюте (например, Average)",
        VariableName => "должно быть названием курса",
        CharsMax { max } => return format!("должно быть не длиннее {}", genitive(*max, "символа", "символов")),
        Scheme { https_only: true } => "должно начинаться с https://",
        Scheme { https_only: false } => "должно начинаться с http:// или https://",
        NoSpaces => "не должно содержать пробелов",
        Ipv6Host => "содержит неверно записанный IPv6-адрес",
        Host => "должно указывать хост, например https://example.com/path",
        Port => "содержит неверный порт",
        KibMax { max } => return format!("должно быть не больше {max} КиБ"),
        PemBegin => "содержит испорченную строку BEGIN",
        PemNoEnd { label } => return format!("не содержит строки END для блока {label}"),
        PemEncrypted => "не должно быть зашифровано (снимите пароль)",
        PemBase64 { label } => return format!("содержит повреждённый блок {label} (неверный base64)"),
        PemMissing { kind } => return format!("должно содержать PEM-блок {}", kind_labels(*kind)),
        AtLeast { min } => return format!("должно быть не меньше {min}"),
        BelowPiecesMin => "должно быть не меньше минимума частей",
        AtMost { max } => return format!("должно быть не больше {max}"),
        TtlRange { min, max } => return format!("должно быть от {min} до {max} минут (один год)"),
        TooManySecrets { max } => {
            return format!("при создании можно добавить не больше {}", genitive(*max, "секрета", "секретов"));
        }
        NoSuchUser => "нет пользователя с таким именем",
        NotYourself => "должен быть другой пользователь, не вы",
        NoSuchImage => "изображение с таким GUID не загружено (StoreImage)",
        OneOf { known } => return format!("должно быть одним из: {known}"),
        NoRate => "у сервиса нет курса этой валюты",
        NotAStatus { value } => return format!("{value} — не статус счёта"),
        PaidWhole => "приватный счёт оплачивается целиком (0 или 1)",
        Between { min, max } => return format!("должно быть от {min} до {max}"),
        RefundPieces { max } => return format!("должно быть от 1 до {max} (части, ещё не возвращённые)"),
        NotAnOperation { value } => return format!("{value} — не ToUp, ToDown, ToTop, ToBottom и не Remove"),
        Balance => "должен быть неотрицательной суммой в BTC, не больше 8 знаков после запятой",
        NameTheBuyer => "обязательно: укажите покупателя, которому пишете",
        BuyerNotYourself => "должен быть покупатель, а не вы",
        NoSuchUserId => "нет пользователя с таким id",
        BuyerOnly => "переписка по приватному счёту ведётся только с его покупателем",
        OneOfIds => "нужен один из InvoiceId, PaymentId или UserId",
        HttpsUrl => "должно быть правильным адресом https, например https://example.com/hook",
        KeyNotHere => "не должно содержать закрытый ключ (ему место только в ClientKey)",
        PemDocument { cert } => return format!("не является правильным документом PEM{}", which(*cert)),
        X509 { cert } => return format!("не является правильным сертификатом X.509{}", which(*cert)),
        KeyFormat => "не является правильным закрытым ключом (нужен незашифрованный PEM: PKCS#8, PKCS#1 или SEC1)",
        KeyKind => "не является закрытым ключом поддерживаемого вида (RSA от 2048 бит, ECDSA P-256/P-384, Ed25519)",
        KeyMismatch => "не подходит к сертификату из ClientCrt",
        NotAnAnchor => "не годится для проверки сервера",
        TlsVersions => "недоступен по версиям TLS, которые поддерживает этот сервер",
        NoPixels { width, height } => return format!("не содержит ни одного пикселя ({width}×{height})"),
        SideMax { max, width, height } => {
            return format!("должно быть не больше {max}×{max} пикселей (сейчас {width}×{height})");
        }
        Megapixels { max, width, height } => {
            let has = Rule::megapixels(*width, *height);
            return format!("должно быть не больше {max} мегапикселей (сейчас {width}×{height}, {has} мегапикселя)");
        }
        TooComplex => "слишком велико для обработки (попробуйте изображение поменьше или 8-битное)",
        ImageUnsupported { kind } => return format!("— изображение {kind} неподдерживаемого вида"),
        ImageInvalid { kind } => return format!("не является правильным изображением {kind}"),
        NoPreview => "не удалось сделать из него превью",
        FileEmpty => "обязательно (файл пуст)",
        FileTooLarge { max, has } => {
            let units = ["МиБ", "КиБ", "байт"];
            return format!("должно быть не больше {} (сейчас {})", human_size(*max, units), human_size(*has, units));
        }
        ImageType => "должно быть изображением PNG, JPEG, WebP или GIF",
        PublicAddress => {
            "должен вести в публичный интернет (не на loopback, частный, link-local, multicast адрес или адрес \
             облачной службы метаданных)"
        }
        InternalName => "должен вести в публичный интернет (не на localhost и не на внутреннее имя хоста)",
        NumericHost => "хост нужно указать доменным именем или обычным IP-адресом",
        KeyUnreadable => "сохранённый ключ больше не читается: введите его заново",
        TooManyItems { max, has } => return format!("допускается не больше {max} (сейчас {has})"),
    };
    s.to_string()
}

fn kind_labels(kind: PemKind) -> String {
    kind.labels().join(" или ")
}
