//! The merchant list call's semantics: paging by offset and the inclusive limit, each
//! merchant's own invoices only, and whole UTC days for the range.

use super::*;
use schet_api::dates::parse_date;
use schet_server::service::coins::find_coin;
use schet_server::service::merchant::Draft;

fn order_ids(page: &Value) -> Vec<String> {
    page["result"].as_array().unwrap().iter().map(|i| i["order_id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn paging_follows_offset_and_the_inclusive_limit() {
    let s = Server::start().await;
    for n in 1..=105 {
        s.create(M1, json!({ "shop_id": "S1", "amount": n, "order_id": format!("O{n}") })).await;
    }
    let ids = |from: u32, to: u32| -> Vec<String> { (to..=from).rev().map(|n| format!("O{n}")).collect() };
    // Newest first. Defaults: offset 0, limit 10 → records 1..=10.
    let page = s.list(M1, json!({ "start": today(), "end": today() })).await;
    assert_eq!(page["all_count"], 105);
    assert_eq!(order_ids(&page), ids(105, 96));
    // offset=10 starts with the 11th record; limit=20 ends with the 20th, inclusive.
    let page = s.list(M1, range(10, Some(20))).await;
    assert_eq!(order_ids(&page), ids(95, 86));
    assert_eq!(page["all_count"], 105);
    // The last, short page.
    assert_eq!(order_ids(&s.list(M1, range(100, Some(110))).await), ids(5, 1));
    // One record: offset=4, limit=5 → the 5th.
    assert_eq!(order_ids(&s.list(M1, range(4, Some(5))).await), ids(101, 101));
    // Without limit: 10 records from offset.
    assert_eq!(order_ids(&s.list(M1, range(30, None)).await), ids(75, 66));
    // At most 100 records per request: a longer span is cut, not refused.
    let page = s.list(M1, range(0, Some(1000))).await;
    assert_eq!(page["result"].as_array().unwrap().len(), 100);
    assert_eq!(order_ids(&page), ids(105, 6));
    // Past the end: nothing, and the true count.
    let page = s.list(M1, range(200, Some(300))).await;
    assert_eq!(page["result"], json!([]));
    assert_eq!(page["all_count"], 105);
    // Numbers as strings are read too.
    let page = s.list(M1, json!({ "start": today(), "end": today(), "offset": "1", "limit": "3" })).await;
    assert_eq!(order_ids(&page), ids(104, 103));
    s.stop().await;
}

#[tokio::test]
async fn invoices_are_listed_only_for_their_owner() {
    let s = Server::start().await;
    let made = s.create(M1, json!({ "shop_id": "S1", "amount": 10 })).await;
    let mine = s.list(M1, range(0, None)).await;
    assert_eq!(mine["all_count"], 1);
    assert_eq!(mine["result"][0]["uuid"], made["uuid"]);
    let theirs = s.list(M2, range(0, None)).await;
    assert_eq!(theirs, json!({ "status": "success", "result": [], "all_count": 0 }));
    s.stop().await;
}

#[tokio::test]
async fn the_range_is_whole_utc_days_both_inclusive() {
    let s = Server::start().await;
    let (store, service) = s.admin().await;
    let jan_1_2023 = parse_date("01.01.2023").unwrap() * DAY_MS;
    let feb_1_2023 = parse_date("01.02.2023").unwrap() * DAY_MS;
    for (order, at) in
        [("before", jan_1_2023 - 1), ("first", jan_1_2023), ("last", feb_1_2023 - 1), ("after", feb_1_2023)]
    {
        let new = Draft {
            shop_id: "S1".into(),
            project_name: Some("My store".into()),
            order_id: order.into(),
            email: String::new(),
            fiat_currency: "USD".into(),
            amount_in_fiat: Decimal::from(100),
            coin: find_coin("USDT_TRC20").unwrap(),
            lifetime_minutes: 60,
            test_mode: false,
            created_at: at,
        };
        service.merchant().create(&s.ids.0, &new).await.unwrap();
    }
    store.close().await;
    let page = s.list(M1, json!({ "start": "01.01.2023", "end": "31.01.2023", "offset": 0, "limit": 10 })).await;
    assert_eq!(order_ids(&page), ["last", "first"]);
    assert_eq!(page["all_count"], 2);
    let first = &page["result"][1];
    assert_eq!(first["created"], "2023-01-01 00:00:00.000000");
    assert_eq!(first["expiry_date"], "2023-01-01 01:00:00.000000");
    // Unpaid past its expiry: canceled, finished when it expired.
    assert_eq!(first["status"], "canceled");
    assert_eq!(first["date_finished"], "2023-01-01 01:00:00.000000");
    assert_eq!(first["project"]["name"], "My store");
    let one_day = s.list(M1, json!({ "start": "01.02.2023", "end": "01.02.2023" })).await;
    assert_eq!(order_ids(&one_day), ["after"]);
    s.stop().await;
}
