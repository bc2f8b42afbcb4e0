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
        // Seeded before (the merchant invoices too, unless the database predates them).
        return crate::merchant::seed_demo(service).await;
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
    seed_trade(service, &callers).await?;
    crate::merchant::seed_demo(service).await?;
    tracing::info!("demo data seeded");
    Ok(())
}

/// Purchases, a sold-out and a paid invoice, a deleted and an expired one, a conversation,
/// and an image: every screen has something real to show.
async fn seed_trade(service: &Service, callers: &[Caller]) -> Result<(), ServiceError> {
    use schet_api::pb::{invoice::InvoiceStatus, invoice_payment::InvoicePaymentStatus};
    let (alice, bob, carol) = (&callers[0], &callers[1], &callers[2]);
    // An image: a small generated picture.
    let picture = {
        let img =
            image::RgbImage::from_fn(320, 200, |x, y| image::Rgb([(x * 255 / 320) as u8, (y * 255 / 200) as u8, 180]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).map_err(|e| ServiceError::Internal(e.to_string()))?;
        out.into_inner()
    };
    let image_id = schet_api::Guid::from_random_bytes([7; 16]).to_string();
    service.store_image(alice, pb::StoreImageRequest { id: image_id.clone(), data: picture }).await?;
    let stickers = pb::CreateInvoiceRequest {
        is_base_crypto: true,
        price: d(0, 50_000),
        ttl_minutes: 60 * 24 * 30,
        comment: "Sticker pack (PNG), one pack per piece".into(),
        pieces_min: 1,
        pieces_max: 1,
        limit_liquidity: true,
        images: vec![image_id],
        secrets: vec![pb::CreateInvoiceSecretRequest {
            text: "https://example.com/stickers/pack-1.zip".into(),
            order: 1,
            ..Default::default()
        }],
        ..Default::default()
    };
    let stickers = service.create_invoice(alice, stickers).await?;
    // Bob buys two gift codes (invoice 1) and the only sticker pack (sold out).
    service.pay_from_balance(bob, &pb::PayInvoiceFromBalanceRequest { invoice_id: 1, pieces: 2 }).await?;
    service.pay_from_balance(bob, &pb::PayInvoiceFromBalanceRequest { invoice_id: stickers.id, pieces: 1 }).await?;
    debug_assert_eq!(service.invoice_by_id(bob, stickers.id).await?.status, InvoiceStatus::NoPieces as i32);
    // Carol buys the e-book (redirect delivery) and pays a private invoice.
    service.pay_from_balance(carol, &pb::PayInvoiceFromBalanceRequest { invoice_id: 2, pieces: 1 }).await?;
    let translation = pb::CreateInvoiceRequest {
        is_private: true,
        user_name: carol.username.clone(),
        is_base_crypto: true,
        price: d(0, 300_000),
        ttl_minutes: 60 * 24,
        comment: "Translation of 2 pages, EN→RU".into(),
        ..Default::default()
    };
    let translation = service.create_invoice(alice, translation).await?;
    let paid = service
        .pay_from_balance(carol, &pb::PayInvoiceFromBalanceRequest { invoice_id: translation.id, pieces: 0 })
        .await?;
    debug_assert_eq!(paid.status, InvoicePaymentStatus::Paid as i32);
    // A withdrawn offer and one that ran out of time.
    let old = service
        .create_invoice(
            alice,
            pb::CreateInvoiceRequest {
                is_base_crypto: true,
                price: d(0, 90_000),
                ttl_minutes: 60,
                comment: "Old offer (withdrawn)".into(),
                pieces_min: 1,
                pieces_max: 1,
                ..Default::default()
            },
        )
        .await?;
    service.delete_invoice(alice, old.id).await?;
    let expired = service
        .create_invoice(
            alice,
            pb::CreateInvoiceRequest {
                is_base_crypto: true,
                price: d(0, 70_000),
                ttl_minutes: 1,
                comment: "Flash sale (expired)".into(),
                pieces_min: 1,
                pieces_max: 1,
                ..Default::default()
            },
        )
        .await?;
    sqlx::query("UPDATE invoices SET valid_to = created_at - 1 WHERE id = ?")
        .bind(expired.id as i64)
        .execute(&service.store.write)
        .await?;
    // Bob asks, Alice answers.
    service
        .send_invoice_message(
            bob,
            pb::SendInvoiceMessageRequest {
                invoice_id: 1,
                text: "Are the codes for the EU region?".into(),
                ..Default::default()
            },
        )
        .await?;
    service
        .send_invoice_message(
            alice,
            pb::SendInvoiceMessageRequest {
                invoice_id: 1,
                to_user_id: bob.id.clone(),
                text: "Yes, EU and worldwide. Enjoy!".into(),
                ..Default::default()
            },
        )
        .await?;
    Ok(())
}
