//! The merchant contract's rules, reading and writing, as the endpoint and the app use them.

use super::*;
use crate::dates::days_from_civil;
use serde_json::json;
use std::str::FromStr;

fn list(v: Value) -> Result<ListQuery, Vec<Issue>> {
    read_body::<ListRequest>(v.to_string().as_bytes()).unwrap().check()
}

fn fields(issues: Vec<Issue>) -> Vec<(&'static str, String)> {
    issues.into_iter().map(|i| (i.field, i.message())).collect()
}

#[test]
fn list_rules() {
    let q = list(json!({"start": "01.01.2023", "end": "31.01.2023"})).unwrap();
    assert_eq!((q.offset, q.count), (0, DEFAULT_COUNT));
    assert_eq!(q.from_ms, days_from_civil(2023, 1, 1) * DAY_MS);
    assert_eq!(q.to_ms, days_from_civil(2023, 2, 1) * DAY_MS);
    let q = list(json!({"start": "01.01.2023", "end": "01.01.2023", "offset": 10, "limit": 20}));
    assert_eq!(q.map(|q| (q.offset, q.count)), Ok((10, 10)));
    let q = list(json!({"start": "01.01.2023", "end": "01.01.2023", "offset": "5", "limit": 500}));
    assert_eq!(q.map(|q| (q.offset, q.count)), Ok((5, MAX_RECORDS)));
    let q = list(json!({"start": "01.01.2023", "end": "01.01.2023", "offset": 30}));
    assert_eq!(q.map(|q| (q.offset, q.count)), Ok((30, 10)));
    assert_eq!(
        fields(list(json!({})).unwrap_err()),
        [("start", "start not passed.".into()), ("end", "end not passed.".into())]
    );
    let e = list(json!({"start": "02.01.2023", "end": "01.01.2023", "offset": -1, "limit": 1.5})).unwrap_err();
    assert_eq!(e.iter().map(|i| i.field).collect::<Vec<_>>(), ["end", "offset", "limit"]);
    assert_eq!(e[2].rule, Rule::Whole);
    let e = list(json!({"start": "01.01.2023", "end": "01.01.2023", "offset": 5, "limit": 5})).unwrap_err();
    assert_eq!(fields(e), [("limit", "limit must be greater than offset.".into())]);
    let e = list(json!({"start": 20230101, "end": "1.1.2023"})).unwrap_err();
    assert_eq!(e.iter().map(|i| &i.rule).collect::<Vec<_>>(), [&Rule::Date, &Rule::Date]);
}

#[test]
fn a_list_request_is_written_as_the_api_reads_it() {
    let req = ListRequest::new(Day(days_from_civil(2024, 3, 1)), Day(days_from_civil(2024, 3, 31)), 10, Some(20));
    let text = serde_json::to_string(&req).unwrap();
    assert_eq!(text, r#"{"start":"01.03.2024","end":"31.03.2024","offset":10,"limit":20}"#);
    assert_eq!(read_body::<ListRequest>(text.as_bytes()).unwrap(), req);
    let no_limit = ListRequest::new(Day(0), Day(0), 0, None);
    assert_eq!(serde_json::to_string(&no_limit).unwrap(), r#"{"start":"01.01.1970","end":"01.01.1970","offset":0}"#);
}

#[test]
fn bodies_that_are_not_objects_are_issues_on_body() {
    assert_eq!(read_body::<ListRequest>(b"").unwrap(), ListRequest::default());
    assert_eq!(read_body::<ListRequest>(b" \n").unwrap(), ListRequest::default());
    for bad in [&b"{"[..], b"[1]", b"\"x\"", b"nul", b"{\"a\":1}}", b"\xff"] {
        let e = read_body::<ListRequest>(bad).unwrap_err();
        assert_eq!(e.field, "body");
        assert!(e.message().starts_with("the body"), "{}", e.message());
    }
    let deep = "[".repeat(10_000);
    assert_eq!(read_body::<CreateRequest>(deep.as_bytes()).unwrap_err().field, "body");
}

#[test]
fn create_rules() {
    struct Service;
    impl Accepts for Service {
        fn currency(&self, code: &str) -> bool {
            ["USD", "EUR"].contains(&code)
        }
        fn cryptocurrencies(&self) -> Vec<String> {
            vec!["BTC".into(), "USDT_TRC20".into()]
        }
    }
    let ok = |v: Value| read_body::<CreateRequest>(v.to_string().as_bytes()).unwrap().check(&Service);
    let new = ok(json!({"shop_id": "S", "amount": "10.50", "currency": "eur",
        "add_fields": {"time_to_pay": {"hours": 2, "minutes": "30"}, "cryptocurrency": "BTC"}}))
    .unwrap();
    assert_eq!(new.amount, Decimal::from_str("10.5").unwrap());
    assert_eq!((new.currency.as_str(), new.lifetime_minutes), ("EUR", 150));
    assert_eq!(new.cryptocurrency.as_deref(), Some("BTC"));
    let new = ok(json!({"shop_id": 42, "amount": 1})).unwrap();
    assert_eq!((new.shop_id.as_str(), new.currency.as_str(), new.lifetime_minutes), ("42", "USD", 24 * 60));
    let e = ok(json!({"shop_id": " ", "amount": 0.000000001, "email": "x", "order_id": [],
        "add_fields": {"time_to_pay": {"hours": 721}}}))
    .unwrap_err();
    assert_eq!(
        fields(e),
        [
            ("shop_id", "shop_id not passed.".into()),
            ("order_id", "order_id must be a string.".into()),
            ("email", "email must be an e-mail address.".into()),
            ("amount", "amount must be a number above 0, at most 1000000000, with at most 8 decimals.".into()),
            ("add_fields.time_to_pay", "time_to_pay must be between 1 minute and 720 hours.".into()),
        ]
    );
    let e = ok(json!({"shop_id": "S", "amount": true, "add_fields": {"time_to_pay": {"minutes": -3}}}));
    assert_eq!(
        fields(e.unwrap_err()),
        [
            ("amount", "amount must be a number.".into()),
            ("add_fields.time_to_pay", "minutes must be a whole number, 0 or more.".into())
        ]
    );
    // A line break is the merchant's own business; a NUL no store keeps in text.
    let new = ok(json!({"shop_id": "S", "amount": 1, "order_id": "A,\"q\"\nline"})).unwrap();
    assert_eq!(new.order_id, "A,\"q\"\nline");
    let e = ok(json!({"shop_id": "S", "amount": 1, "order_id": "a\0b"})).unwrap_err();
    assert_eq!(fields(e), [("order_id", "order_id must not contain control characters.".into())]);
    let e = ok(json!({"shop_id": "S", "amount": 1, "add_fields": []})).unwrap_err();
    assert_eq!(fields(e), [("add_fields", "add_fields must be an object.".into())]);
    let e = ok(json!({"shop_id": "S", "amount": 1, "currency": "XYZ", "add_fields": {"cryptocurrency": "doge"}}));
    assert_eq!(
        fields(e.unwrap_err()),
        [
            ("currency", "currency XYZ is not supported.".into()),
            ("add_fields.cryptocurrency", "cryptocurrency must be one of BTC, USDT_TRC20.".into())
        ]
    );
    let any = read_body::<CreateRequest>(br#"{"shop_id":"S","amount":1,"currency":"XYZ"}"#).unwrap();
    assert_eq!(any.check(&AnyCurrency).unwrap().currency, "XYZ");
    let e = ok(json!({"shop_id": "S", "amount": 1, "order_id": "a\u{0}b"})).unwrap_err();
    assert_eq!(fields(e), [("order_id", "order_id must not contain control characters.".into())]);
}

#[test]
fn amounts_are_exact_both_ways() {
    // 28 digits, more than an f64 keeps: read exactly.
    let text = r#"{"shop_id":"S","amount":0.1000000000000000055511151231}"#;
    let req = read_body::<CreateRequest>(text.as_bytes()).unwrap();
    assert_eq!(req.amount, Input::Given(Decimal::from_str("0.1000000000000000055511151231").unwrap()));
    // More digits than a Decimal holds: refused, never rounded.
    let text = r#"{"shop_id":"S","amount":0.1000000000000000055511151231257827}"#;
    let req = read_body::<CreateRequest>(text.as_bytes()).unwrap();
    assert!(matches!(req.amount, Input::Invalid(_)));
    assert_eq!(req.check(&AnyCurrency).unwrap_err()[0].rule, Rule::Number);
    let invoice = Invoice { amount: Decimal::from_str("0.30000000").unwrap(), ..Default::default() };
    let written = to_json(&invoice);
    assert!(written.contains(r#""amount":0.3,"#), "{written}");
    let back: Invoice = serde_json::from_str(&written).unwrap();
    assert_eq!(back, invoice);
    // Another service's answer: strings for numbers, nulls, missing and unknown fields.
    let theirs: Invoice = serde_json::from_str(
        r#"{"uuid":"INV-1","amount":"12.345678","amount_usd":null,"status":"paid","novel":{"x":1}}"#,
    )
    .unwrap();
    assert_eq!((theirs.amount, theirs.amount_usd, theirs.status), (dec!(12.345678), dec!(0), Status::Paid));
    let unknown: Invoice = serde_json::from_str(r#"{"status":"refunded"}"#).unwrap();
    assert_eq!(unknown.status, Status::Other);
}

#[test]
fn an_answer_member_of_another_type_is_an_error_naming_it() {
    let read = |text: &str| serde_json::from_str::<Invoice>(text).map_err(|e| e.to_string());
    for (text, named) in [
        (r#"{"uuid":["INV-1"]}"#, "uuid: not a string"),
        (r#"{"amount":"twelve"}"#, "amount: not an amount"),
        (r#"{"test_mode":"yes"}"#, "test_mode: not true or false"),
        (r#"{"currency":{"network":{"id":-1}}}"#, "currency.network.id: not a whole number in range"),
        (r#"{"project":"shop"}"#, "project: not an object"),
        (r#"{"status":3}"#, "status: not a string"),
        (r#"{"tx_list":{}}"#, "tx_list: not a list"),
    ] {
        let error = read(text).unwrap_err();
        assert!(error.starts_with(named), "{text}: {error}");
    }
    // Nulls and numbers for text: read, not refused; text kept as written.
    let lenient = read(r#"{"uuid":null,"order_id":42,"date_finished":null,"project":{"name":" Shop "}}"#).unwrap();
    assert_eq!((lenient.uuid.as_str(), lenient.order_id.as_str()), ("", "42"));
    assert_eq!((lenient.date_finished, lenient.project.name.as_str()), (None, " Shop "));
    // A whole answer as the reference endpoint writes it reads back the same.
    let full = Invoice {
        uuid: "INV-AB12CD34".into(),
        currency: Currency {
            id: 3,
            code: "USDT".into(),
            network: Network { id: 7, ..Default::default() },
            ..Default::default()
        },
        project: Project { id: -5, name: "Shop".into(), ..Default::default() },
        status: Status::Partial,
        kind: "up".into(),
        amount_in_crypto: Some(dec!(1.5)),
        to_surcharge_usd: dec!(0.01),
        tx_list: vec![json!({"hash": "ab"})],
        link: Some("https://pay.example/INV-AB12CD34".into()),
        ..Default::default()
    };
    assert_eq!(read(&to_json(&full)).unwrap(), full);
}

#[test]
fn whole_answers_are_read_member_by_member_naming_what_is_wrong() {
    let list = |text: &str| ListResponse::read(&serde_json::from_str(text).unwrap());
    let page = list(r#"{"status":"success","result":[{"uuid":"INV-1"},{"amount":"1.50"}],"all_count":7}"#).unwrap();
    assert_eq!((page.status.as_str(), page.all_count, page.result.len()), ("success", 7, 2));
    assert_eq!((page.result[0].uuid.as_str(), page.result[1].amount), ("INV-1", dec!(1.50)));
    assert_eq!(list(r#"{"status":"success"}"#).unwrap().result, []);
    for (text, named) in [
        (r#"{"result":[{},3]}"#, "result[1]: not an object"),
        (r#"{"result":[{"fee":true}]}"#, "result[0].fee: not an amount"),
        (r#"{"result":{}}"#, "result: not a list"),
        (r#"{"all_count":-1}"#, "all_count: not a whole number in range"),
        (r#"[]"#, "the answer is not a JSON object"),
    ] {
        assert_eq!(list(text).unwrap_err(), named, "{text}");
    }
    let create = |text: &str| CreateResponse::read(&serde_json::from_str(text).unwrap());
    let made = create(r#"{"status":"success","result":{"uuid":"INV-9","link":"https://pay/INV-9"}}"#).unwrap();
    assert_eq!((made.result.uuid.as_str(), made.result.link.as_deref()), ("INV-9", Some("https://pay/INV-9")));
    assert_eq!(create(r#"{"status":"success"}"#).unwrap_err(), "result: left out");
    assert_eq!(create(r#"{"result":{"status":1}}"#).unwrap_err(), "result.status: not a string");
    let detail = Detail::read(&json!({"detail": NO_CREDENTIALS})).unwrap();
    assert_eq!(detail.detail, NO_CREDENTIALS);
    assert_eq!(ErrorResponse::read(&json!({"result": "no"})).unwrap_err(), "result: not an object");
}

#[test]
fn error_answers_keep_the_order_of_the_rules() {
    let e = ErrorResponse::new(&[
        Issue::new("start", Rule::Required),
        Issue::new("end", Rule::Date),
        Issue::new("end", Rule::EndBeforeStart),
    ]);
    let text = to_json(&e);
    assert_eq!(
        text,
        r#"{"status":"error","result":{"start":"start not passed.","end":"end must be a date in the format dd.mm.yyyy."}}"#
    );
    let back: ErrorResponse = serde_json::from_str(&text).unwrap();
    assert_eq!(back.0.len(), 2);
    let list: ErrorResponse = serde_json::from_str(r#"{"status":"error","result":{"a":["x","y"]}}"#).unwrap();
    assert_eq!(list.0, [("a".to_string(), "x y".to_string())]);
}

#[test]
fn money_text_is_read_exactly_or_not_at_all() {
    assert_eq!(exact("101.40"), Some(Decimal::new(10140, 2)));
    assert_eq!(exact("1e-3"), Some(Decimal::new(1, 3)));
    assert_eq!(exact("-2.5E+2"), Some(Decimal::new(-250, 0)));
    assert_eq!(exact("0.1000000000000000000000000000000"), Some(Decimal::new(1, 1)), "zeros beyond 28 places");
    assert_eq!(exact("0.1000000000000000000000000000001"), None, "a digit beyond 28 places is not rounded");
    assert_eq!(exact("1e99"), None);
    for bad in ["", "abc", "1.", "01", "1e", "+1", " 1", "1 ", "0x10", "1.5.5", "NaN"] {
        assert_eq!(exact(bad), None, "{bad:?}");
    }
    assert_eq!(Decimal::read(&Value::String(" 12.5 ".into())), Some(Decimal::new(125, 1)));
    assert_eq!(Decimal::read(&Value::Bool(true)), None);
}

proptest::proptest! {
    #[test]
    fn any_decimal_reads_back_exactly(m in proptest::prelude::any::<i64>(), scale in 0u32..=18) {
        let d = Decimal::new(m, scale);
        proptest::prop_assert_eq!(exact(&d.to_string()), Some(d));
        let written = to_json(&Invoice { amount: d, ..Default::default() });
        let back: Invoice = serde_json::from_str(&written).unwrap();
        proptest::prop_assert_eq!(back.amount, d);
    }
}

#[test]
fn statuses_by_name() {
    for s in Status::ALL {
        assert_eq!(Status::parse(&s.as_str().to_uppercase()), Some(s));
        assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
    }
    assert_eq!(Status::parse("refunded"), None);
}
