//! Integration tests of the reference service over real sockets: native gRPC (HTTP/2)
//! with the generated client, and raw gRPC-web frames over HTTP/1.1.
//! One test binary (one link) with a module per area.

mod caps;
mod catalogue;
mod crash;
mod figures;
mod flows;
mod fuzz;
mod grpc_web;
mod harness;
mod holes;
mod hook;
mod instances;
mod live;
mod money;
mod parties;
mod plans;
mod races;
mod replies;
mod shared_link;
mod stalls;
mod webhooks;
