use super::*;
use proptest::prelude::*;
use prost::Message;

const G1: &str = "0b7c1f5e-2a4d-4c7b-9e1a-3f5d6c7b8a90";
const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUYWJj\n-----END CERTIFICATE-----\n";
const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEG\n-----END PRIVATE KEY-----\n";

fn good() -> InvoiceForm {
    InvoiceForm { price: "0,0005".into(), comment: "2 keys".into(), pieces_max: "3".into(), ..InvoiceForm::blank() }
}

fn rules(errors: &[FieldError]) -> Vec<(&str, &Rule)> {
    errors.iter().map(|e| (e.field.as_str(), &e.rule)).collect()
}

#[test]
fn a_good_form_makes_the_request_it_says() {
    let (req, errors) = good().to_create("");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(req.price, Some(pb::Decimal { units: 0, nanos: 500_000 }), "a comma is a decimal point");
    assert_eq!((req.ttl_minutes, req.pieces_min, req.pieces_max), (7 * 1440, 1, 3));
    assert!(req.is_base_crypto && !req.is_private);
    assert_eq!((req.fiat_currency.as_str(), req.price_variable.as_str()), ("", ""), "no fiat fields for BTC");
    assert_eq!(req.integration, Some(cir::Integration::NoIntegration(true)));
}

#[test]
fn what_does_not_parse_is_said_once_per_field() {
    let form = InvoiceForm { price: "abc".into(), pieces_min: "x".into(), ttl_value: "".into(), ..good() };
    let (_, errors) = form.to_create("");
    assert_eq!(
        rules(&errors),
        vec![
            ("Price", &Rule::NotANumber),
            ("PiecesMin", &Rule::NotANumber),
            ("TtlMinutes", &Rule::TtlRange { min: 1, max: 525_600 })
        ]
    );
    let (_, errors) = InvoiceForm { price: String::new(), ..good() }.to_create("");
    assert_eq!(rules(&errors), vec![("Price", &Rule::Required)]);
}

#[test]
fn initial_secrets_are_read_like_a_bulk_import() {
    let form = InvoiceForm { secrets: format!("KEY-1\n\n\"KEY, 2\",{G1}\n  \n"), ..good() };
    let (req, errors) = form.to_create("");
    assert!(errors.is_empty());
    let got: Vec<_> = req.secrets.iter().map(|s| (s.text.as_str(), s.images.clone(), s.order)).collect();
    assert_eq!(got, vec![("KEY-1", vec![], 1), ("KEY, 2", vec![G1.to_string()], 2)]);
}

#[test]
fn delivery_and_the_webhook_key() {
    let mut form = good();
    form.set_delivery(Delivery::Redirect);
    form.redirect = " https://shop.example/get ".into();
    assert_eq!(form.to_create("").0.integration, Some(cir::Integration::Redirect("https://shop.example/get".into())));
    form.set_delivery(Delivery::Webhook);
    form.webhook_url = "https://shop.example/hook".into();
    form.client_crt = CERT.into();
    form.server_crt = CERT.into();
    let (_, errors) = form.to_create("");
    assert_eq!(rules(&errors), vec![("Webhook.ClientKey", &Rule::Required)]);
    assert!(form.to_create(KEY).1.is_empty());
    // Editing an invoice whose key is stored: an empty key keeps it.
    assert!(form.to_update(5, "", true).1.is_empty());
    assert_eq!(form.to_update(5, "", false).1.len(), 1);
}

#[test]
fn editing_checks_only_what_the_edit_form_shows() {
    let form = InvoiceForm {
        ttl_value: "0".into(),
        secrets: "x".repeat(4001),
        is_private: false,
        user_name: "not checked".into(),
        ..good()
    };
    assert_eq!(form.to_create("").1.len(), 2, "TtlMinutes and Secrets[0].Text");
    let (req, errors) = form.to_update(9, "", false);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!((req.invoice_id, req.pieces_max), (9, 3));
}

#[test]
fn lifetimes_split_into_their_largest_unit() {
    assert_eq!(TtlUnit::split(2880), (2, TtlUnit::Days));
    assert_eq!(TtlUnit::split(90), (90, TtlUnit::Minutes));
    assert_eq!(TtlUnit::split(120), (2, TtlUnit::Hours));
}

#[test]
fn drafts_saved_by_earlier_versions_still_read() {
    // Tag 8 (the lifetime's unit) = 1 and tag 15 (delivery) = 2, as plain varints.
    let old = [0x40, 0x01, 0x78, 0x02];
    let form = InvoiceForm::decode(&old[..]).unwrap();
    assert_eq!((form.ttl_unit(), form.delivery()), (TtlUnit::Hours, Delivery::Webhook));
}

#[test]
fn errors_belong_to_their_form_field() {
    assert!(belongs("Secrets[2].Text", "Secrets") && belongs("Webhook.Url", "Webhook") && belongs("Price", "Price"));
    assert!(!belongs("PriceVariable", "Price") && !belongs("Images", "ImagesX"));
    let errors = vec![FieldError::new("PriceVariable", Rule::VariableName), FieldError::new("Price", Rule::Positive)];
    assert_eq!(error_for(&errors, "Price").map(|e| &e.rule), Some(&Rule::Positive));
}

/// An invoice as the service would store it from `req`.
fn stored(req: &pb::CreateInvoiceRequest) -> pb::Invoice {
    pb::Invoice {
        id: 1,
        is_private: req.is_private,
        is_base_crypto: req.is_base_crypto,
        price: req.price,
        fiat_currency: req.fiat_currency.clone(),
        price_variable: req.price_variable.clone(),
        ttl_minutes: req.ttl_minutes,
        comment: req.comment.clone(),
        pieces_min: req.pieces_min,
        pieces_max: req.pieces_max,
        limit_liquidity: req.limit_liquidity,
        images: req.images.clone(),
        ..Default::default()
    }
}

proptest! {
    /// Any valid input makes a request with no errors that says exactly what was typed; the
    /// invoice made from it opens in the edit form with the same values.
    #[test]
    fn valid_input_round_trips_through_the_service(
        sats in 1u64..2_100_000_000_000_000,
        min in 1u32..1000,
        extra in 0u32..1000,
        ttl in 1u32..=525_600,
        comment in "[^\u{0}-\u{1f}\u{7f}-\u{9f}]{0,40}",
        limit in any::<bool>(),
    ) {
        let price = Decimal::new(sats as i64, 8).normalize();
        let (value, unit) = TtlUnit::split(ttl);
        let mut form = InvoiceForm {
            price: price.to_string(),
            ttl_value: value.to_string(),
            comment: comment.clone(),
            pieces_min: min.to_string(),
            pieces_max: (min + extra).to_string(),
            limit_liquidity: limit,
            ..InvoiceForm::blank()
        };
        form.set_ttl_unit(unit);
        let (req, errors) = form.to_create("");
        prop_assert!(errors.is_empty(), "{:?}", errors);
        prop_assert_eq!(decimal::from_pb(&req.price.unwrap()).unwrap(), price);
        prop_assert_eq!((req.ttl_minutes, req.pieces_min, req.pieces_max), (ttl, min, min + extra));
        let edit = InvoiceForm::from_invoice(&stored(&req));
        prop_assert_eq!((&edit.price, &edit.comment, edit.ttl_unit()), (&form.price, &comment, unit));
        let (update, errors) = edit.to_update(1, "", false);
        prop_assert!(errors.is_empty());
        prop_assert_eq!((update.price, update.pieces_min, update.pieces_max, update.limit_liquidity), (req.price, min, min + extra, limit));
    }

    #[test]
    fn a_draft_reads_back_as_typed(price in ".{0,12}", secrets in ".{0,40}", unit in 0usize..3, delivery in 0usize..3) {
        let mut form = InvoiceForm { price, secrets, ..InvoiceForm::blank() };
        form.set_ttl_unit(TtlUnit::ALL[unit]);
        form.set_delivery(Delivery::ALL[delivery]);
        prop_assert_eq!(InvoiceForm::decode(&form.encode_to_vec()[..]).unwrap(), form);
    }

    /// Whatever is typed, the form never panics and every error names a field of the request.
    #[test]
    fn any_input_gives_a_request_or_named_errors(price in "\\PC{0,12}", min in "\\PC{0,6}", max in "\\PC{0,6}", ttl in "\\PC{0,8}", fiat in any::<bool>()) {
        let form = InvoiceForm { price, pieces_min: min, pieces_max: max, ttl_value: ttl, in_fiat: fiat, ..InvoiceForm::blank() };
        let (_, errors) = form.to_create("");
        for e in &errors {
            prop_assert!(["Price", "PiecesMin", "PiecesMax", "TtlMinutes", "FiatCurrency", "PriceVariable"].contains(&e.field.as_str()), "{:?}", e);
        }
        let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        fields.dedup();
        prop_assert_eq!(fields.len(), errors.len(), "one error per field");
    }
}
