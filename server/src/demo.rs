//! `--demo`: seeds, once, users with balances and invoices (and alice's merchant invoices),
//! so that the app has something to show. Demo users log in with fixed tokens (printed by
//! `cargo xtask run`); never use `--demo` on a database that real people use. Everything goes
//! through the service: no SQL here.

use crate::db::now_ms;
use crate::service::coins::COINS;
use crate::service::merchant::Draft;
use crate::service::{Caller, Service, ServiceError};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use schet_api::merchant::{DAY_MS, DEFAULT_LIFETIME_MINUTES, Status};
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
        return seed_merchant_demo(service).await;
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
    seed_merchant_demo(service).await?;
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
    service
        .pay_from_balance(bob, &pb::PayInvoiceFromBalanceRequest { invoice_id: 1, pieces: 2, ..Default::default() })
        .await?;
    service
        .pay_from_balance(
            bob,
            &pb::PayInvoiceFromBalanceRequest { invoice_id: stickers.id, pieces: 1, ..Default::default() },
        )
        .await?;
    debug_assert_eq!(service.invoice_by_id(bob, stickers.id).await?.status, InvoiceStatus::NoPieces as i32);
    // Carol buys the e-book (redirect delivery) and pays a private invoice.
    service
        .pay_from_balance(carol, &pb::PayInvoiceFromBalanceRequest { invoice_id: 2, pieces: 1, ..Default::default() })
        .await?;
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
        .pay_from_balance(
            carol,
            &pb::PayInvoiceFromBalanceRequest { invoice_id: translation.id, pieces: 0, ..Default::default() },
        )
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
    service.end_validity(expired.id).await?;
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

/// alice's merchant invoices, once.
async fn seed_merchant_demo(service: &Service) -> Result<(), ServiceError> {
    let made = seed_merchant_invoices(service, DEMO_USERS[0].0).await?;
    if made > 0 {
        tracing::info!(made, "demo merchant invoices seeded");
    }
    Ok(())
}

/// Seeds `username`'s demo merchant invoices (every status, several coins and networks,
/// over the last 60 days), unless the user has some already. Returns how many were made.
pub async fn seed_merchant_invoices(service: &Service, username: &str) -> Result<usize, ServiceError> {
    let owner =
        service.user_id(username).await?.ok_or_else(|| ServiceError::NotFound(format!("no user {username}")))?;
    let merchant = service.merchant();
    if merchant.count(&owner).await? > 0 {
        return Ok(0);
    }
    use Status::{Canceled, Created, Overpaid, Paid, Partial};
    const PATTERN: [Status; 12] =
        [Paid, Created, Paid, Partial, Canceled, Paid, Overpaid, Paid, Canceled, Created, Paid, Partial];
    const SHOPS: [(&str, &str); 3] = [("GIFT-01", "Gift cards"), ("KEYS-02", "Game keys"), ("CONS-03", "Consulting")];
    const AMOUNTS: [Decimal; 9] =
        [dec!(9.99), dec!(25), dec!(49.5), dec!(100), dec!(149), dec!(250), dec!(1200), dec!(15.75), dec!(75)];
    const FIATS: [&str; 5] = ["USD", "USD", "EUR", "USD", "RUB"];
    let now = now_ms();
    let mut seed: u64 = 0x5eed_cafe;
    let mut next = move |n: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let total = 36;
    for i in 0..total {
        let status = PATTERN[i % PATTERN.len()];
        let (shop, name) = SHOPS[i % SHOPS.len()];
        let fiat = FIATS[i % FIATS.len()];
        let mut amount = AMOUNTS[(i * 5 + 2) % AMOUNTS.len()];
        if fiat == "RUB" {
            amount *= Decimal::from(90);
        }
        let created_at = if status == Created {
            now - (i as i64 + 1) * 25 * 60_000 - next(600) as i64 * 1000
        } else {
            now - (1 + i as i64 * 58 / total as i64) * DAY_MS - next(20 * 3600) as i64 * 1000
        };
        let draft = Draft {
            shop_id: shop.into(),
            project_name: Some(name.into()),
            order_id: format!("ORD-{}", 1001 + i),
            email: if i % 3 == 0 { format!("buyer{}@example.com", i + 1) } else { String::new() },
            fiat_currency: fiat.into(),
            amount_in_fiat: amount,
            coin: &COINS[(i * 7 + i / 8) % COINS.len()],
            lifetime_minutes: DEFAULT_LIFETIME_MINUTES,
            test_mode: i % 11 == 5,
            created_at,
        };
        let invoice = merchant.create(&owner, &draft).await?;
        if status != Created {
            let at = if status == Canceled { invoice.expiry_at } else { created_at + (5 + next(90) as i64) * 60_000 };
            merchant.set_status(&invoice.uuid, status, None, at).await?;
        }
    }
    Ok(total)
}
