//! `--demo`: seeds, once, users with balances and invoices, so that the app has something
//! to show. Demo users log in with fixed tokens (printed by `cargo xtask run`); never use
//! `--demo` on a database that real people use.

use crate::service::{Caller, Service, ServiceError};
use rust_decimal::Decimal;
use schet_api::pb::{self, create_invoice_request::Integration};

/// (user name, token, BTC balance)
pub const DEMO_USERS: &[(&str, &str, &str)] =
    &[("alice", "demo-alice", "0.5"), ("bob", "demo-bob", "1.25"), ("carol", "demo-carol", "0.2")];

fn d(units: i64, nanos: i32) -> Option<pb::Decimal> {
    Some(pb::Decimal { units, nanos })
}

pub async fn seed(service: &Service) -> Result<(), ServiceError> {
    if service.is_user_exist(DEMO_USERS[0].0).await? {
        return Ok(()); // seeded before
    }
    let mut callers = Vec::new();
    for (name, token, balance) in DEMO_USERS {
        let balance: Decimal = balance.parse().expect("demo balance");
        let (id, _) = service.add_user(name, balance, Some(token)).await?;
        callers.push(Caller { id, username: name.to_string() });
    }
    let (alice, bob) = (&callers[0], &callers[1]);
    let public = |comment: &str, price, pieces: (u32, u32)| pb::CreateInvoiceRequest {
        is_base_crypto: true,
        price,
        ttl_minutes: 60 * 24 * 30,
        comment: comment.into(),
        pieces_min: pieces.0,
        pieces_max: pieces.1,
        integration: Some(Integration::NoIntegration(true)),
        ..Default::default()
    };
    let mut gift = public("Steam gift card, 10 USD. One code per piece.", d(0, 11_500), (1, 5));
    gift.limit_liquidity = true;
    gift.secrets = (1..=5)
        .map(|n| pb::CreateInvoiceSecretRequest {
            text: format!("STEAM-DEMO-{n:04}-XXXX"),
            order: n,
            ..Default::default()
        })
        .collect();
    service.create_invoice(alice, gift).await?;
    let mut ebook = public("Rust in Action (e-book, PDF)", None, (1, 1));
    ebook.is_base_crypto = false;
    ebook.price = d(25, 0);
    ebook.fiat_currency = "EUR".into();
    ebook.price_variable = "Average".into();
    ebook.integration = Some(Integration::Redirect("https://example.com/downloads".into()));
    service.create_invoice(alice, ebook).await?;
    let private = pb::CreateInvoiceRequest {
        is_private: true,
        user_name: bob.username.clone(),
        is_base_crypto: false,
        price: d(150, 0),
        fiat_currency: "USD".into(),
        price_variable: "Average".into(),
        ttl_minutes: 60 * 24 * 7,
        comment: "Logo design, 3 drafts and the final files".into(),
        ..Default::default()
    };
    service.create_invoice(alice, private).await?;
    tracing::info!("demo data seeded");
    Ok(())
}
