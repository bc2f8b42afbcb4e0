//! Refusals (FAILED_PRECONDITION with a code) in the user's language, in plain words. A
//! refusal without a code is shown as the service wrote it.

use super::Lang;
use schet_api::Refusal;

/// `refusal` in `lang`, as a sentence a person can act on.
pub fn refusal_text(refusal: &Refusal, lang: Lang) -> String {
    match lang {
        Lang::En => en(refusal),
        Lang::Ru => russian::get().map_or_else(|| en(refusal), |ru| ru(refusal)),
    }
}

fn en(refusal: &Refusal) -> String {
    match refusal {
        Refusal::Text { text } => text.clone(),
        Refusal::BalanceLow { have, need } => {
            format!("Your balance is too low: this takes {need} BTC and you have {have} BTC.")
        }
        Refusal::RefundsOpen => {
            "This payment has refunds, under way or done: it can no longer be cancelled. Settle the refunds instead."
                .into()
        }
        Refusal::PriceChanged { pieces, now, agreed } => format!(
            "The price changed since you confirmed: {pieces} piece(s) now cost {now} BTC, not {agreed} BTC. Nothing was charged."
        ),
    }
}

super::russian_value!(russian, refusals_ru: fn(&schet_api::Refusal) -> String = crate::i18n::refusals::ru);

fn ru(refusal: &Refusal) -> String {
    match refusal {
        Refusal::Text { text } => text.clone(),
        Refusal::BalanceLow { have, need } => {
            format!("Недостаточно средств на балансе: нужно {need} BTC, а у вас {have} BTC.")
        }
        Refusal::RefundsOpen => {
            "По этому платежу есть возвраты (в процессе или завершённые): отменить его уже нельзя. Завершите возвраты."
                .into()
        }
        Refusal::PriceChanged { pieces, now, agreed } => format!(
            "Цена изменилась после вашего подтверждения: частей — {pieces}, теперь это стоит {now} BTC, а не {agreed} BTC. Деньги не списаны."
        ),
    }
}
