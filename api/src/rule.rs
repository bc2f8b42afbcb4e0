//! What a broken request rule is, as data: a [`Rule`] code with its parameters.
//!
//! The rules in [`validate`](crate::validate) and the service's own checks return a `Rule`,
//! never a sentence. The English sentence is [`Rule`]'s `Display` (the server's gRPC status
//! message, `Field: rule`, stays readable for any client); the web app words each rule in the
//! user's language from the code and its parameters.
//!
//! On the wire the service sends both: the English message, and the code in the status
//! details (`grpc-status-details-bin`, a `google.rpc.Status` holding a `google.rpc.BadRequest`
//! with the field and the English text, and a `google.rpc.ErrorInfo` whose `reason` is the
//! code and whose `metadata` holds the parameters by name): see [`crate::status`].

use std::fmt;
use std::str::FromStr;

/// `ErrorInfo.domain` of a rule code.
pub const DOMAIN: &str = "rules.schet";

/// Which PEM blocks a field must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PemKind {
    /// `CERTIFICATE`.
    Certificate,
    /// `PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`.
    PrivateKey,
}

impl PemKind {
    /// The block labels that satisfy it.
    pub fn labels(self) -> &'static [&'static str] {
        match self {
            PemKind::Certificate => &["CERTIFICATE"],
            PemKind::PrivateKey => &["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"],
        }
    }
}

impl fmt::Display for PemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PemKind::Certificate => "certificate",
            PemKind::PrivateKey => "private-key",
        })
    }
}

impl FromStr for PemKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "certificate" => Ok(PemKind::Certificate),
            "private-key" => Ok(PemKind::PrivateKey),
            _ => Err(()),
        }
    }
}

/// Defines [`Rule`] with its wire code per variant, and the conversions to and from
/// (code, named parameters). Parameters are written with `Display` and read with `FromStr`.
macro_rules! rules {
    ($( $(#[$doc:meta])* $name:ident $({ $($field:ident : $ty:ty),* $(,)? })? = $code:literal, )*) => {
        /// One broken rule: its code and parameters. English: `Display`.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Rule {
            $( $(#[$doc])* $name $({ $($field: $ty),* })?, )*
        }

        impl Rule {
            /// The stable code (`ErrorInfo.reason`).
            pub fn code(&self) -> &'static str {
                match self {
                    $( Rule::$name { .. } => $code, )*
                }
            }

            /// The parameters by name (`ErrorInfo.metadata`).
            pub fn params(&self) -> Vec<Param> {
                match self {
                    $( Rule::$name $({ $($field),* })? => {
                        vec![$($( Param { name: stringify!($field).to_string(), value: $field.to_string() } ),*)?]
                    } )*
                }
            }

            /// The rule of `code` with `params`; None for a code (or a parameter) this
            /// version does not know.
            pub fn from_code(code: &str, params: &[Param]) -> Option<Rule> {
                match code {
                    $( $code => Some(Rule::$name $({ $($field: read(params, stringify!($field))?),* })?), )*
                    _ => None,
                }
            }
        }
    };
}

/// Parameter `name` of `params`, read as a `T` (one copy per type, not per parameter: the
/// web app carries this table).
#[inline(never)]
fn read<T: FromStr>(params: &[Param], name: &str) -> Option<T> {
    params.iter().find(|p| p.name == name)?.value.parse().ok()
}

rules! {
    /// A rule the service worded that this version has no code for (a server that sends only
    /// text, or a newer one): shown as the service wrote it.
    Text { text: String } = "TEXT",
    Required = "REQUIRED",
    OutOfRange = "OUT_OF_RANGE",
    NotANumber = "NOT_A_NUMBER",
    /// A user name's length.
    LengthRange { min: u64, max: u64 } = "LENGTH_RANGE",
    NameChars = "NAME_CHARS",
    TooLong { max: u64, has: u64 } = "TOO_LONG",
    ControlChars = "CONTROL_CHARS",
    TooManyImages { max: u64, has: u64 } = "TOO_MANY_IMAGES",
    ListedTwice = "LISTED_TWICE",
    GuidFormat = "GUID_FORMAT",
    GuidNil = "GUID_NIL",
    DecimalNanos = "DECIMAL_NANOS",
    DecimalSign = "DECIMAL_SIGN",
    DecimalPlaces = "DECIMAL_PLACES",
    DecimalTooLarge = "DECIMAL_TOO_LARGE",
    Positive = "POSITIVE",
    /// A price above the maximum, in `unit` (BTC or a currency code).
    PriceMax { max: u64, unit: String } = "PRICE_MAX",
    /// More decimal places than `unit` has.
    Scale { places: u32, unit: String } = "SCALE",
    FiatRequired = "FIAT_REQUIRED",
    CurrencyCode = "CURRENCY_CODE",
    VariableRequired = "VARIABLE_REQUIRED",
    VariableName = "VARIABLE_NAME",
    CharsMax { max: u64 } = "CHARS_MAX",
    Scheme { https_only: bool } = "SCHEME",
    NoSpaces = "NO_SPACES",
    Ipv6Host = "IPV6_HOST",
    Host = "HOST",
    Port = "PORT",
    KibMax { max: u64 } = "KIB_MAX",
    PemBegin = "PEM_BEGIN",
    PemNoEnd { label: String } = "PEM_NO_END",
    PemEncrypted = "PEM_ENCRYPTED",
    PemBase64 { label: String } = "PEM_BASE64",
    PemMissing { kind: PemKind } = "PEM_MISSING",
    AtLeast { min: u64 } = "AT_LEAST",
    /// PiecesMax below PiecesMin.
    BelowPiecesMin = "BELOW_PIECES_MIN",
    AtMost { max: u64 } = "AT_MOST",
    TtlRange { min: u64, max: u64 } = "TTL_RANGE",
    TooManySecrets { max: u64 } = "TOO_MANY_SECRETS",
    NoSuchUser = "NO_SUCH_USER",
    NotYourself = "NOT_YOURSELF",
    NoSuchImage = "NO_SUCH_IMAGE",
    /// A rate variable that is not one of `known` (comma-separated names).
    OneOf { known: String } = "ONE_OF",
    NoRate = "NO_RATE",
    NotAStatus { value: i64 } = "NOT_A_STATUS",
    PaidWhole = "PAID_WHOLE",
    Between { min: u64, max: u64 } = "BETWEEN",
    RefundPieces { max: u64 } = "REFUND_PIECES",
    NotAnOperation { value: i64 } = "NOT_AN_OPERATION",
    Balance = "BALANCE",
    NameTheBuyer = "NAME_THE_BUYER",
    BuyerNotYourself = "BUYER_NOT_YOURSELF",
    NoSuchUserId = "NO_SUCH_USER_ID",
    BuyerOnly = "BUYER_ONLY",
    OneOfIds = "ONE_OF_IDS",
    HttpsUrl = "HTTPS_URL",
    KeyNotHere = "KEY_NOT_HERE",
    /// `cert`: which certificate of a chain, from 1 (0: the document as a whole).
    PemDocument { cert: u64 } = "PEM_DOCUMENT",
    X509 { cert: u64 } = "X509",
    KeyFormat = "KEY_FORMAT",
    KeyKind = "KEY_KIND",
    KeyMismatch = "KEY_MISMATCH",
    NotAnAnchor = "NOT_AN_ANCHOR",
    TlsVersions = "TLS_VERSIONS",
    NoPixels { width: u64, height: u64 } = "NO_PIXELS",
    SideMax { max: u64, width: u64, height: u64 } = "SIDE_MAX",
    /// `max` in megapixels.
    Megapixels { max: u64, width: u64, height: u64 } = "MEGAPIXELS",
    TooComplex = "TOO_COMPLEX",
    /// `kind`: PNG, JPEG, WebP or GIF.
    ImageUnsupported { kind: String } = "IMAGE_UNSUPPORTED",
    ImageInvalid { kind: String } = "IMAGE_INVALID",
    NoPreview = "NO_PREVIEW",
    FileEmpty = "FILE_EMPTY",
    /// Sizes in bytes.
    FileTooLarge { max: u64, has: u64 } = "FILE_TOO_LARGE",
    ImageType = "IMAGE_TYPE",
}

impl Rule {
    /// The megapixels of `width`×`height`, to one decimal place (rounded half up).
    pub fn megapixels(width: u64, height: u64) -> String {
        let tenths = (u128::from(width) * u128::from(height) + 50_000) / 100_000;
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

/// `5 MiB`, `6.2 MiB`, `800 KiB`, `12 bytes` (units given, e.g. Russian ones): a size for
/// people, rounded up, so that a size over a limit never reads as the limit.
pub fn human_size(bytes: u64, [mib, kib, b]: [&str; 3]) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB {
        let tenths = (u128::from(bytes) * 10).div_ceil(u128::from(MIB));
        if tenths.is_multiple_of(10) {
            format!("{} {mib}", tenths / 10)
        } else {
            format!("{}.{} {mib}", tenths / 10, tenths % 10)
        }
    } else if bytes >= KIB {
        format!("{} {kib}", bytes.div_ceil(KIB))
    } else {
        format!("{bytes} {b}")
    }
}

/// ` (certificate 2)` for the second certificate of a chain onwards.
fn which(cert: u64) -> String {
    if cert > 1 { format!(" (certificate {cert})") } else { String::new() }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Rule::*;
        let s: &str = match self {
            Text { text } => text,
            Required => "is required",
            OutOfRange => "is out of range",
            NotANumber => "must be a number, e.g. 0.0015",
            LengthRange { min, max } => return write!(f, "must be {min} to {max} characters long"),
            NameChars => "may contain only letters A-Z, digits, '_', '.' and '-'",
            TooLong { max, has } => return write!(f, "must be at most {max} characters (has {has})"),
            ControlChars => "must not contain control characters",
            TooManyImages { max, has } => return write!(f, "at most {max} images are allowed (has {has})"),
            ListedTwice => "is listed twice",
            GuidFormat => "must be a GUID like 123e4567-e89b-42d3-a456-426614174000",
            GuidNil => "must not be the all-zero GUID",
            DecimalNanos => "nanos must be between -999999999 and 999999999",
            DecimalSign => "nanos must have the same sign as units",
            DecimalPlaces => "has more than 9 decimal places",
            DecimalTooLarge => "is too large (the whole part must fit in a signed 64-bit integer)",
            Positive => "must be greater than 0",
            PriceMax { max, unit } => return write!(f, "must be at most {max} {unit}"),
            Scale { places, unit } => return write!(f, "may have at most {places} decimal places in {unit}"),
            FiatRequired => "is required for a fiat price",
            CurrencyCode => "must be an ISO 4217 currency code such as USD or EUR",
            VariableRequired => "is required for a fiat price (e.g. Average)",
            VariableName => "must be the name of a rate variable",
            CharsMax { max } => return write!(f, "must be at most {max} characters"),
            Scheme { https_only: true } => "must start with https://",
            Scheme { https_only: false } => "must start with http:// or https://",
            NoSpaces => "must not contain spaces",
            Ipv6Host => "has a malformed IPv6 host",
            Host => "must name a host, e.g. https://example.com/path",
            Port => "has an invalid port",
            KibMax { max } => return write!(f, "must be at most {max} KiB"),
            PemBegin => "has a malformed BEGIN line",
            PemNoEnd { label } => return write!(f, "has no END line for its {label} block"),
            PemEncrypted => "must not be encrypted (remove the passphrase)",
            PemBase64 { label } => return write!(f, "has a damaged {label} block (bad base64)"),
            PemMissing { kind } => return write!(f, "must contain a PEM {} block", kind.labels().join(" or ")),
            AtLeast { min } => return write!(f, "must be at least {min}"),
            BelowPiecesMin => "must be at least PiecesMin",
            AtMost { max } => return write!(f, "must be at most {max}"),
            TtlRange { min, max } => return write!(f, "must be from {min} to {max} minutes (one year)"),
            TooManySecrets { max } => return write!(f, "at most {max} secrets can be added at creation"),
            NoSuchUser => "no user has this name",
            NotYourself => "must be another user, not yourself",
            NoSuchImage => "no image with this GUID was uploaded (StoreImage)",
            OneOf { known } => return write!(f, "must be one of: {known}"),
            NoRate => "has no exchange rate on this service",
            NotAStatus { value } => return write!(f, "{value} is not an invoice status"),
            PaidWhole => "a private invoice is paid whole (0 or 1)",
            Between { min, max } => return write!(f, "must be from {min} to {max}"),
            RefundPieces { max } => return write!(f, "must be from 1 to {max} (pieces not yet refunded)"),
            NotAnOperation { value } => return write!(f, "{value} is not ToUp, ToDown, ToTop, ToBottom or Remove"),
            Balance => "must be a non-negative BTC amount with at most 8 decimal places",
            NameTheBuyer => "is required: name the buyer you write to",
            BuyerNotYourself => "must be a buyer, not yourself",
            NoSuchUserId => "no user has this id",
            BuyerOnly => "a private invoice's conversation is with its buyer only",
            OneOfIds => "one of InvoiceId, PaymentId or UserId is required",
            HttpsUrl => "must be a valid https URL, e.g. https://example.com/hook",
            KeyNotHere => "must not contain a private key (only ClientKey may hold one)",
            PemDocument { cert } => return write!(f, "is not a well-formed PEM document{}", which(*cert)),
            X509 { cert } => return write!(f, "is not a valid X.509 certificate{}", which(*cert)),
            KeyFormat => "is not a valid private key (unencrypted PKCS#8, PKCS#1 or SEC1 PEM expected)",
            KeyKind => {
                "is not a valid private key of a supported kind (RSA of 2048 bits or more, ECDSA P-256/P-384, Ed25519)"
            }
            KeyMismatch => "does not belong to the certificate in ClientCrt",
            NotAnAnchor => "cannot be used to verify a server",
            TlsVersions => "cannot be reached with the TLS versions this server supports",
            NoPixels { width, height } => return write!(f, "has no pixels ({width}×{height})"),
            SideMax { max, width, height } => {
                return write!(f, "must be at most {max}×{max} pixels (has {width}×{height})");
            }
            Megapixels { max, width, height } => {
                let has = Rule::megapixels(*width, *height);
                return write!(f, "must have at most {max} megapixels (has {width}×{height}, {has} megapixels)");
            }
            TooComplex => "is too large to process (try a smaller or 8-bit image)",
            ImageUnsupported { kind } => return write!(f, "is a kind of {kind} image that is not supported"),
            ImageInvalid { kind } => return write!(f, "is not a valid {kind} image"),
            NoPreview => "could not be turned into a preview",
            FileEmpty => "is required (the file is empty)",
            FileTooLarge { max, has } => {
                let units = ["MiB", "KiB", "bytes"];
                return write!(f, "must be at most {} (has {})", human_size(*max, units), human_size(*has, units));
            }
            ImageType => "must be a PNG, JPEG, WebP or GIF image",
        };
        f.write_str(s)
    }
}

impl From<crate::guid::GuidError> for Rule {
    fn from(e: crate::guid::GuidError) -> Rule {
        match e {
            crate::guid::GuidError::Format => Rule::GuidFormat,
            crate::guid::GuidError::Nil => Rule::GuidNil,
        }
    }
}

impl From<crate::decimal::DecimalError> for Rule {
    fn from(e: crate::decimal::DecimalError) -> Rule {
        use crate::decimal::DecimalError as E;
        match e {
            E::NanosOutOfRange => Rule::DecimalNanos,
            E::SignMismatch => Rule::DecimalSign,
            E::TooPrecise => Rule::DecimalPlaces,
            E::TooLarge => Rule::DecimalTooLarge,
        }
    }
}

/// One named parameter of a rule (an entry of `ErrorInfo.metadata`).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Param {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "2")]
    pub value: String,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn every_rule() -> Vec<Rule> {
        use Rule::*;
        vec![
            Text { text: "is something new".into() },
            Required,
            LengthRange { min: 3, max: 32 },
            TooLong { max: 2000, has: 2001 },
            PriceMax { max: 21_000_000, unit: "BTC".into() },
            Scale { places: 2, unit: "USD".into() },
            Scheme { https_only: true },
            Scheme { https_only: false },
            PemMissing { kind: PemKind::PrivateKey },
            NotAStatus { value: -7 },
            OneOf { known: "Average, Binance".into() },
            X509 { cert: 2 },
            Megapixels { max: 40, width: 8000, height: 6000 },
            FileTooLarge { max: 5 << 20, has: 6_500_000 },
            ImageType,
        ]
    }

    #[test]
    fn every_code_round_trips_with_its_parameters() {
        for rule in every_rule() {
            assert_eq!(Rule::from_code(rule.code(), &rule.params()), Some(rule.clone()), "{rule:?}");
        }
    }

    #[test]
    fn english_reads_as_before() {
        assert_eq!(Rule::TooLong { max: 2000, has: 2001 }.to_string(), "must be at most 2000 characters (has 2001)");
        assert_eq!(
            Rule::PemMissing { kind: PemKind::PrivateKey }.to_string(),
            "must contain a PEM PRIVATE KEY or RSA PRIVATE KEY or EC PRIVATE KEY block"
        );
        assert_eq!(Rule::X509 { cert: 1 }.to_string(), "is not a valid X.509 certificate");
        assert_eq!(Rule::X509 { cert: 2 }.to_string(), "is not a valid X.509 certificate (certificate 2)");
        assert_eq!(
            Rule::FileTooLarge { max: 5 << 20, has: 6_500_000 }.to_string(),
            "must be at most 5 MiB (has 6.2 MiB)"
        );
        assert_eq!(
            Rule::Megapixels { max: 40, width: 8000, height: 6000 }.to_string(),
            "must have at most 40 megapixels (has 8000×6000, 48.0 megapixels)"
        );
    }

    #[test]
    fn unknown_codes_and_parameters_are_refused() {
        assert_eq!(Rule::from_code("NO_SUCH_CODE", &[]), None);
        assert_eq!(Rule::from_code("TOO_LONG", &[]), None, "parameters missing");
        let param = |name: &str, value: &str| Param { name: name.into(), value: value.into() };
        let bad = [param("max", "x"), param("has", "1")];
        assert_eq!(Rule::from_code("TOO_LONG", &bad), None, "a parameter that does not parse");
    }

    #[test]
    fn megapixels_round_half_up() {
        assert_eq!(Rule::megapixels(8000, 6000), "48.0");
        assert_eq!(Rule::megapixels(7000, 7001), "49.0");
        assert_eq!(Rule::megapixels(1000, 50), "0.1");
        assert_eq!(Rule::megapixels(1000, 49), "0.0");
    }

    #[test]
    fn sizes_for_people_round_up() {
        let units = ["MiB", "KiB", "bytes"];
        assert_eq!(human_size(5 << 20, units), "5 MiB");
        assert_eq!(human_size((5 << 20) + 1, units), "5.1 MiB");
        assert_eq!(human_size(6_500_000, units), "6.2 MiB");
        assert_eq!(human_size(1536, units), "2 KiB");
        assert_eq!(human_size(1025, units), "2 KiB");
        assert_eq!(human_size(12, units), "12 bytes");
    }

    proptest! {
        #[test]
        fn numeric_parameters_survive_the_wire(max in any::<u64>(), has in any::<u64>(), value in any::<i64>()) {
            for rule in [Rule::TooLong { max, has }, Rule::NotAStatus { value }, Rule::FileTooLarge { max, has }] {
                prop_assert_eq!(Rule::from_code(rule.code(), &rule.params()), Some(rule.clone()));
            }
        }
    }
}
