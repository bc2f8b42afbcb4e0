//! The merchant create call: the documented answer with exact money, the payment link from
//! the public URL, and one message per bad field.

use super::*;

#[tokio::test]
async fn create_answers_as_documented_with_exact_money() {
    let s = Server::start().await;
    let before = now_ms();
    let inv = s.create(M1, json!({ "shop_id": "S1", "amount": 100, "order_id": "1111" })).await;
    let uuid = inv["uuid"].as_str().unwrap();
    assert!(uuid.len() == 12 && uuid.starts_with("INV-"), "{uuid}");
    assert!(uuid[4..].chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()), "{uuid}");
    assert_eq!(inv["status"], "created");
    assert_eq!(inv["fiat_currency"], "USD");
    assert_eq!(inv["currency"]["fullcode"], "USDT_TRC20");
    assert_eq!(inv["currency"]["code"], "USDT");
    assert_eq!(inv["currency"]["network"]["code"], "TRC20");
    assert_eq!(inv["currency"]["network"]["fullname"], "Tron");
    assert_eq!(inv["project"]["name"], "S1");
    assert_eq!(inv["order_id"], "1111");
    assert_eq!(inv["test_mode"], false);
    assert_eq!(inv["date_finished"], Value::Null);
    assert_eq!(inv["link"], format!("http://{}/pay/{}", s.addr, &uuid[4..]));
    for (field, text) in [
        ("amount_in_fiat", "100"),
        ("amount", "100"),
        ("amount_usd", "100"),
        ("fee", "1.4"),
        ("fee_usd", "1.4"),
        ("amount_to_pay", "101.4"),
        ("amount_to_pay_usd", "101.4"),
        ("service_fee", "1.9"),
        ("service_fee_usd", "1.9"),
        ("amount_paid", "0"),
        ("received", "0"),
        ("to_surcharge", "0"),
    ] {
        assert_eq!(num(&inv[field]), text, "{field}");
    }
    // Times: UTC, microseconds, 24 h by default.
    let created = inv["created"].as_str().unwrap();
    assert_eq!(created.len(), "2023-01-01 12:00:00.000000".len());
    assert!(
        created.starts_with(&{
            let d = today();
            format!("{}-{}-{}", &d[6..], &d[3..5], &d[..2])
        }) || now_ms() / DAY_MS != before / DAY_MS
    );
    let expiry = inv["expiry_date"].as_str().unwrap();
    assert_eq!(&expiry[10..], &created[10..], "expiry is a day later, same time");
    // The list shows the same invoice.
    let listed = s.list(M1, range(0, None)).await;
    assert_eq!(listed["result"][0]["uuid"], inv["uuid"]);
    assert_eq!(num(&listed["result"][0]["amount_to_pay"]), "101.4");

    // Another currency, coin and lifetime; digits no f64 could keep.
    let inv = s
        .create(
            M1,
            json!({ "shop_id": "S2", "amount": serde_json::from_str::<Value>("92.00000001").unwrap(), "currency": "eur",
                    "add_fields": { "time_to_pay": { "hours": 2, "minutes": 30 }, "cryptocurrency": "BTC" } }),
        )
        .await;
    assert_eq!(inv["fiat_currency"], "EUR");
    assert_eq!(num(&inv["amount_in_fiat"]), "92.00000001");
    assert_eq!(num(&inv["amount_usd"]), "100"); // 92 EUR at 0.92 per USD, to the cent
    assert_eq!(inv["currency"]["fullcode"], "BTC");
    assert_eq!(num(&inv["amount"]), "0.00111111"); // 100 USD at 90000, 8 places
    assert_eq!(num(&inv["amount_to_pay"]), "0.00113111");
    let (c, e) = (inv["created"].as_str().unwrap(), inv["expiry_date"].as_str().unwrap());
    let minutes = |t: &str| t[11..13].parse::<i64>().unwrap() * 60 + t[14..16].parse::<i64>().unwrap();
    assert_eq!((minutes(e) - minutes(c)).rem_euclid(24 * 60), 150);
    let big = s
        .create(M1, json!({ "shop_id": "S1", "amount": serde_json::from_str::<Value>("123456789.12345678").unwrap() }))
        .await;
    assert_eq!(num(&big["amount_in_fiat"]), "123456789.12345678");
    assert_eq!(num(&big["amount_usd"]), "123456789.12");
    s.stop().await;
}

/// The payment link is built from the configured public URL: a forged `Host` header
/// (a request through a proxy, or an attacker's) never lands in it.
#[tokio::test]
async fn the_payment_link_comes_from_the_public_url_not_the_host_header() {
    let s = Server::start_with(|o| o.public_url = Some("https://pay.example.com/".into())).await;
    let request = http::Request::post(CREATE)
        .header(http::header::HOST, "evil.example")
        .header(http::header::AUTHORIZATION, format!("Token {M1}"))
        .body(Full::new(Bytes::from(json!({ "shop_id": "S1", "amount": 5 }).to_string())))
        .unwrap();
    let (status, _, text) = s.send(request).await;
    assert_eq!(status, 200, "{text}");
    let inv: Value = serde_json::from_str(&text).unwrap();
    let uuid = inv["result"]["uuid"].as_str().unwrap();
    assert_eq!(inv["result"]["link"], format!("https://pay.example.com/pay/{}", &uuid[4..]));
    s.stop().await;
}

#[tokio::test]
async fn create_rejects_bad_fields_one_message_each() {
    let s = Server::start().await;
    let auth = format!("Token {M1}");
    let e = s.fails(CREATE, Some(&auth), "{}", 400).await;
    assert_eq!(
        e,
        json!({ "status": "error", "result": { "shop_id": "shop_id not passed.", "amount": "amount not passed." } })
    );
    let body = json!({ "shop_id": "S1", "amount": -5, "currency": "XYZ", "email": "nope",
        "add_fields": { "time_to_pay": { "hours": 1000 }, "cryptocurrency": "DOGE" } });
    let e = s.fails(CREATE, Some(&auth), body.to_string(), 400).await["result"].clone();
    let mut fields: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
    fields.sort();
    assert_eq!(fields, ["add_fields.cryptocurrency", "add_fields.time_to_pay", "amount", "currency", "email"]);
    assert_eq!(e["currency"], "currency XYZ is not supported.");
    for amount in [json!(0), json!("abc"), json!(true), json!(1e10), json!("0.000000001")] {
        let body = json!({ "shop_id": "S1", "amount": amount });
        assert!(s.fails(CREATE, Some(&auth), body.to_string(), 400).await["result"]["amount"].is_string(), "{amount}");
    }
    // Nothing was made.
    assert_eq!(s.list(M1, range(0, None)).await["all_count"], 0);
    s.stop().await;
}
