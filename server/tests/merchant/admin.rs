//! Merchant invoices moved by the admin: statuses set from the command line and the
//! service, and the demo data seeded for a merchant.

use super::*;
use schet_api::merchant::Status;
use std::str::FromStr;

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(&num(v)).unwrap()
}

#[tokio::test]
async fn statuses_move_with_the_admin_command() {
    let s = Server::start().await;
    let mut uuids = Vec::new();
    for _ in 0..5 {
        uuids.push(s.create(M1, json!({ "shop_id": "S1", "amount": 100 })).await["uuid"].as_str().unwrap().to_string());
    }
    // The command line, as an admin runs it.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_schet-server"))
        .args(["merchant", "set-status", &uuids[0], "paid", "--database"])
        .arg(s.db.to_arg())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("paid"));
    let (store, service) = s.admin().await;
    let m = service.merchant();
    m.set_status_now(&uuids[1], Status::Partial, Some(Decimal::from_str("40.4").unwrap())).await.unwrap();
    m.set_status_now(&uuids[2], Status::Overpaid, None).await.unwrap();
    m.set_status_now(&uuids[3], Status::Canceled, None).await.unwrap();
    // What does not fit is refused.
    assert!(m.set_status_now(&uuids[4], Status::Paid, Some(Decimal::from(5))).await.is_err());
    assert!(m.set_status_now(&uuids[4], Status::Partial, Some(Decimal::from(500))).await.is_err());
    assert!(m.set_status_now("INV-NOTHERE", Status::Paid, None).await.is_err());
    // A status the API does not have is refused by the command line.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_schet-server"))
        .args(["merchant", "set-status", &uuids[4], "refunded", "--database"])
        .arg(s.db.to_arg())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown status"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    store.close().await;
    let page = s.list(M1, range(0, None)).await;
    let by_uuid = |u: &str| page["result"].as_array().unwrap().iter().find(|i| i["uuid"] == u).unwrap().clone();
    let paid = by_uuid(&uuids[0]);
    assert_eq!(paid["status"], "paid");
    assert_eq!(num(&paid["amount_paid"]), "101.4");
    assert_eq!(num(&paid["received"]), "98.1"); // 101.4 - 1.4 fee - 1.9 service fee
    assert_eq!(num(&paid["to_surcharge"]), "0");
    assert!(paid["date_finished"].is_string());
    let partial = by_uuid(&uuids[1]);
    assert_eq!(partial["status"], "partial");
    assert_eq!(num(&partial["amount_paid"]), "40.4");
    assert_eq!(num(&partial["to_surcharge"]), "61");
    assert_eq!(num(&partial["to_surcharge_usd"]), "61");
    assert_eq!(partial["date_finished"], Value::Null);
    let over = by_uuid(&uuids[2]);
    assert_eq!(over["status"], "overpaid");
    assert_eq!(num(&over["amount_paid"]), "111.54");
    assert_eq!(by_uuid(&uuids[3])["status"], "canceled");
    assert_eq!(by_uuid(&uuids[4])["status"], "created");
    s.stop().await;
}

#[tokio::test]
async fn demo_data_covers_every_status_several_coins_and_60_days() {
    let s = Server::start().await;
    let (store, service) = s.admin().await;
    assert_eq!(schet_server::demo::seed_merchant_invoices(&service, "merchant2").await.unwrap(), 36);
    assert_eq!(schet_server::demo::seed_merchant_invoices(&service, "merchant2").await.unwrap(), 0, "once");
    store.close().await;
    let page = s.list(M2, json!({ "start": day(-61), "end": today(), "offset": 0, "limit": 100 })).await;
    assert_eq!(page["all_count"], 36);
    let items = page["result"].as_array().unwrap();
    let distinct = |f: &dyn Fn(&Value) -> String| {
        let mut v: Vec<String> = items.iter().map(f).collect();
        v.sort();
        v.dedup();
        v
    };
    assert_eq!(
        distinct(&|i| i["status"].as_str().unwrap().to_string()),
        ["canceled", "created", "overpaid", "paid", "partial"]
    );
    assert!(distinct(&|i| i["currency"]["code"].as_str().unwrap().to_string()).len() >= 5);
    assert!(distinct(&|i| i["currency"]["network"]["code"].as_str().unwrap().to_string()).len() >= 4);
    assert!(distinct(&|i| i["project"]["name"].as_str().unwrap().to_string()).len() >= 3);
    assert!(items.iter().any(|i| i["test_mode"] == true));
    // Spread over the last 60 days (newest first).
    let days = distinct(&|i| i["created"].as_str().unwrap()[..10].to_string());
    assert!(days.len() >= 20, "{days:?}");
    let oldest = items.last().unwrap()["created"].as_str().unwrap();
    let newest = items[0]["created"].as_str().unwrap();
    assert!(oldest < newest);
    assert_eq!(s.list(M2, json!({ "start": day(-200), "end": day(-62) })).await["all_count"], 0);
    // Amounts add up for a paid one.
    let paid = items.iter().find(|i| i["status"] == "paid").unwrap();
    assert_eq!(dec(&paid["amount_paid"]), dec(&paid["amount_to_pay"]));
    assert_eq!(dec(&paid["received"]), dec(&paid["amount"]) - dec(&paid["service_fee"]));
    // Nothing leaks to the other merchant.
    assert_eq!(s.list(M1, json!({ "start": day(-61), "end": today() })).await["all_count"], 0);
    s.stop().await;
}
