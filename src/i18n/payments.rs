//! Strings of buying and of payments: the buy box and what was bought on the invoice page,
//! the payment page (fields, goods, refunds, cancelling), a missing invoice or payment.
//! `{name}` marks where a value goes.

pub struct PaymentTexts {
    /// "3 pieces", with the language's plural forms.
    pub pieces: fn(u64) -> String,
    // buying
    pub log_in_to_buy: &'static str,
    pub log_in_to_buy_hint: &'static str,
    pub your_balance: &'static str,
    pub bought: &'static str,
    pub bought_private: &'static str,
    pub bought_none_kept: &'static str,
    pub bought_goods_there: &'static str,
    pub invoice_missing: &'static str,
    pub invoice_missing_guest: &'static str,
    // the payment page
    pub payment: &'static str,
    pub payment_missing: &'static str,
    pub is_refund: &'static str,
    pub refund_of: &'static str,
    pub seller: &'static str,
    pub buyer: &'static str,
    pub amount: &'static str,
    pub pieces_label: &'static str,
    pub refunding: &'static str,
    pub refunded: &'static str,
    pub confirmation: &'static str,
    pub conversation: &'static str,
    pub goods_title: &'static str,
    pub no_secrets: &'static str,
    pub secret_url: &'static str,
    pub collect_at: &'static str,
    pub shortfall: &'static str,
    pub shortfall_buyer: &'static str,
    pub shortfall_seller: &'static str,
    pub contact_seller: &'static str,
    // changes
    pub confirm: &'static str,
    pub working: &'static str,
    pub back: &'static str,
    pub buyer_actions_hint: &'static str,
    pub refund_pieces: &'static str,
    pub refund_how_many: &'static str,
    pub refund_amount: &'static str,
    pub refund_pieces_rule: &'static str,
    pub refund_next: &'static str,
    pub refund_confirm: &'static str,
    pub cancel_payment: &'static str,
    pub cancel_confirm: &'static str,
    pub cancel_not_with_refunds: &'static str,
    pub refunds_title: &'static str,
    pub refund_invoice: &'static str,
    pub refund_awaiting: &'static str,
    pub refund_done: &'static str,
    pub refund_cancelled: &'static str,
    pub refund_pay: &'static str,
    pub refund_pay_confirm: &'static str,
    pub refund_delete: &'static str,
    pub refund_delete_confirm: &'static str,
}

fn pieces_en(n: u64) -> String {
    format!("{n} {}", if n == 1 { "piece" } else { "pieces" })
}

fn pieces_ru(n: u64) -> String {
    format!("{n} {}", schet_model::plural::ru(n, ["часть", "части", "частей"]))
}

pub const EN: PaymentTexts = PaymentTexts {
    pieces: pieces_en,
    log_in_to_buy: "Log in to buy",
    log_in_to_buy_hint: "You will come back here with these pieces chosen, ready to pay.",
    your_balance: "Your balance",
    bought: "You bought",
    bought_private: "You paid this invoice",
    bought_none_kept: "Your payments for this invoice",
    bought_goods_there: "What you received is on the payment's page.",
    invoice_missing: "There is no invoice #{id}, or it is not shared with you.",
    invoice_missing_guest: "If it was issued to you, log in to see it.",
    payment: "Payment",
    payment_missing: "There is no payment #{id}, or it is not yours to see.",
    is_refund: "Refund",
    refund_of: "Refunds payment",
    seller: "Seller",
    buyer: "Buyer",
    amount: "Amount",
    pieces_label: "Pieces",
    refunding: "Being refunded",
    refunded: "Refunded",
    confirmation: "Confirmation",
    conversation: "Conversation about this payment",
    goods_title: "Goods",
    no_secrets: "No secrets came with this payment.",
    secret_url: "Link",
    collect_at: "Collect the goods at",
    shortfall: "Secrets delivered: {got}; pieces paid for: {pieces}.",
    shortfall_buyer: "If something is missing, write to the seller.",
    shortfall_seller: "The buyer may be missing some of the goods.",
    contact_seller: "Contact the seller",
    confirm: "Confirm",
    working: "Working…",
    back: "Back",
    buyer_actions_hint: "Only the seller can refund or cancel a payment; write to them below.",
    refund_pieces: "Refund pieces",
    refund_how_many: "Pieces to refund",
    refund_amount: "To return",
    refund_pieces_rule: "Enter a whole number from 1 to {max} (the pieces not yet refunded).",
    refund_next: "Continue",
    refund_confirm: "Refund {pieces} to {buyer}: {amount}. A refund invoice is issued, and the money goes back once you pay it.",
    cancel_payment: "Cancel and return the money",
    cancel_confirm: "Cancel payment #{id} and return {amount} to {buyer}?",
    cancel_not_with_refunds: "This payment has refunds, so it can no longer be cancelled.",
    refunds_title: "Refunds",
    refund_invoice: "Refund invoice",
    refund_awaiting: "Awaiting the seller's payment",
    refund_done: "Refunded",
    refund_cancelled: "Cancelled",
    refund_pay: "Pay the refund",
    refund_pay_confirm: "Pay {amount} from your balance back to {buyer} for {pieces}?",
    refund_delete: "Delete this refund invoice",
    refund_delete_confirm: "Delete this refund invoice? The refund of {pieces} ({amount}) is cancelled.",
};

pub const RU: PaymentTexts = PaymentTexts {
    pieces: pieces_ru,
    log_in_to_buy: "Войти, чтобы купить",
    log_in_to_buy_hint: "Вы вернётесь сюда с выбранным количеством частей, к оплате.",
    your_balance: "Ваш баланс",
    bought: "Вы купили",
    bought_private: "Вы оплатили этот счёт",
    bought_none_kept: "Ваши платежи по этому счёту",
    bought_goods_there: "Полученный товар — на странице платежа.",
    invoice_missing: "Счёта №{id} нет, или он вам недоступен.",
    invoice_missing_guest: "Если счёт выставлен вам, войдите, чтобы его увидеть.",
    payment: "Платёж",
    payment_missing: "Платежа №{id} нет, или он вам недоступен.",
    is_refund: "Возврат",
    refund_of: "Возврат по платежу",
    seller: "Продавец",
    buyer: "Покупатель",
    amount: "Сумма",
    pieces_label: "Частей",
    refunding: "Возвращается",
    refunded: "Возвращено",
    confirmation: "Подтверждение",
    conversation: "Переписка по этому платежу",
    goods_title: "Товар",
    no_secrets: "К этому платежу секреты не прилагаются.",
    secret_url: "Ссылка",
    collect_at: "Получите товар по адресу",
    shortfall: "Выдано секретов: {got}, оплачено частей: {pieces}.",
    shortfall_buyer: "Если чего-то не хватает, напишите продавцу.",
    shortfall_seller: "Покупатель мог получить не весь товар.",
    contact_seller: "Написать продавцу",
    confirm: "Подтвердить",
    working: "Выполняется…",
    back: "Назад",
    buyer_actions_hint: "Вернуть или отменить платёж может только продавец; напишите ему ниже.",
    refund_pieces: "Вернуть части",
    refund_how_many: "Сколько частей вернуть",
    refund_amount: "К возврату",
    refund_pieces_rule: "Введите целое число от 1 до {max} (ещё не возвращённые части).",
    refund_next: "Далее",
    refund_confirm: "Вернуть {pieces} покупателю {buyer}: {amount}. Будет выставлен счёт на возврат; деньги уйдут, когда вы его оплатите.",
    cancel_payment: "Отменить и вернуть деньги",
    cancel_confirm: "Отменить платёж №{id} и вернуть {amount} покупателю {buyer}?",
    cancel_not_with_refunds: "По этому платежу есть возвраты, поэтому отменить его уже нельзя.",
    refunds_title: "Возвраты",
    refund_invoice: "Счёт на возврат",
    refund_awaiting: "Ожидает оплаты продавцом",
    refund_done: "Возвращено",
    refund_cancelled: "Отменён",
    refund_pay: "Оплатить возврат",
    refund_pay_confirm: "Оплатить {amount} с вашего баланса покупателю {buyer} за {pieces}?",
    refund_delete: "Удалить счёт на возврат",
    refund_delete_confirm: "Удалить этот счёт на возврат? Возврат {pieces} ({amount}) будет отменён.",
};

super::russian_value!(russian, payments_ru: &'static crate::i18n::payments::PaymentTexts = &crate::i18n::payments::RU);

impl super::Strings for PaymentTexts {
    fn of(lang: super::Lang) -> &'static PaymentTexts {
        match lang {
            super::Lang::En => &EN,
            super::Lang::Ru => russian::get().unwrap_or(&EN),
        }
    }
}

/// This area's strings in the current language, reactively.
pub fn use_texts() -> crate::tasks::Signal<&'static PaymentTexts> {
    super::strings()
}

/// One of this area's strings as reactive text.
pub fn tr(pick: fn(&'static PaymentTexts) -> &'static str) -> super::TextSignal {
    super::tr_of(pick)
}
