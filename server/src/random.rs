//! Random bytes from the operating system: tokens, ids, nonces, idempotency keys and the
//! webhook-sealing key. Below both `service` and `sealed`, which use it.

/// `N` random bytes.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the OS random generator is available");
    b
}
