//! Generates the TradeApi messages and stubs from `proto/` without a system `protoc`:
//! `protox` parses the .proto files, `tonic-prost-build` writes Rust.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../proto");
    let file = proto_dir.join("trade_api.proto");
    println!("cargo:rerun-if-changed={}", proto_dir.display());

    let fds = protox::compile([&file], [&proto_dir])?;
    tonic_prost_build::configure()
        // No tonic::transport in generated code: the client must build for wasm32.
        .build_transport(false)
        .build_client(std::env::var_os("CARGO_FEATURE_CLIENT").is_some())
        .build_server(std::env::var_os("CARGO_FEATURE_SERVER").is_some())
        .compile_fds(fds)?;
    Ok(())
}
