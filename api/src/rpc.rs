//! The calls of the contract as types, generated from `proto/` (api/build.rs).
//!
//! A client that sends bytes through one code path (the web app does: one copy of the
//! gRPC-web machinery for every call, not one per call) still gets each call's path,
//! request and response type from the contract, never from a hand-written string.

/// One call: `rpcs::GetInvoiceById::PATH` is `/CoreSchema.V1.TradeApi/GetInvoiceById`.
pub trait Rpc {
    type Request: prost::Message + Default + 'static;
    type Response: prost::Message + Default + 'static;
    /// The HTTP path, as tonic's generated stubs use it.
    const PATH: &'static str;
    /// The response is a stream of messages.
    const SERVER_STREAMING: bool;
}

/// One type per call of every service in `proto/`.
pub mod rpcs {
    include!(concat!(env!("OUT_DIR"), "/rpcs.rs"));
}

#[cfg(test)]
mod tests {
    use super::{Rpc, rpcs};

    #[test]
    fn paths_and_kinds_come_from_the_contract() {
        assert_eq!(rpcs::GetInvoiceById::PATH, "/CoreSchema.V1.TradeApi/GetInvoiceById");
        assert_eq!(rpcs::CreateInvoice::PATH, "/CoreSchema.V1.TradeApi/CreateInvoice");
        assert!(!rpcs::GetMyProfile::SERVER_STREAMING);
        assert!(rpcs::SubscribeNewEvents::SERVER_STREAMING);
        // Request and response types are the contract's (a mismatch does not compile).
        let _: <rpcs::GetInvoiceById as Rpc>::Request = crate::pb::GetInvoiceByIdRequest { invoice_id: 1 };
        let _: <rpcs::GetInvoiceById as Rpc>::Response = crate::pb::GetInvoicesResponse::default();
        let _: <rpcs::GetVariables as Rpc>::Request = ();
    }
}
