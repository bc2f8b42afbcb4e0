//! The compressed copies of the release files: gzip -9, and brotli at quality 11 in the
//! literal context mode that codes each file smallest.
//!
//! Brotli codes a literal byte with statistics chosen by the bytes before it, and a stream
//! says per block how that choice is made (RFC 7932, section 7.1): by the previous byte's
//! low six bits, its high six bits, its UTF-8 class, or its sign. Encoders pick one by a
//! heuristic made for text, which takes a wasm module for UTF-8 because most of its bytes
//! are below 0x80. Wasm is binary: an opcode, or a LEB128 number's continuation bit, is
//! better told by the previous byte's high bits. Measured on the release app, the high-bits
//! mode codes the main module 2.0 KB smaller and the screens' module 3.9 KB smaller. The
//! text files keep the encoder's own pick, which is smallest for them. Every mode is
//! standard brotli: any decoder reads it, and each stream is decoded here and compared.

use anyhow::{Context, Result, ensure};
use brotli::enc::BrotliEncoderParams;
use brotli::enc::backward_references::BrotliEncoderMode;
use std::io::{Read, Write};

/// The encoder's own pick first: on a tie it is kept.
const MODES: [BrotliEncoderMode; 4] = [
    BrotliEncoderMode::BROTLI_MODE_GENERIC,
    BrotliEncoderMode::BROTLI_FORCE_MSB_PRIOR,
    BrotliEncoderMode::BROTLI_FORCE_LSB_PRIOR,
    BrotliEncoderMode::BROTLI_FORCE_SIGNED_PRIOR,
];

/// `bytes` as brotli -11 (window 16 MiB, the most `dcb` allows; a module and its dictionary
/// both fit), with `dict` as a raw dictionary (empty: none), in the smallest of [`MODES`].
/// The modes are tried side by side, one thread each.
pub fn brotli(bytes: &[u8], dict: &[u8]) -> Result<Vec<u8>> {
    let streams: Vec<Vec<u8>> = std::thread::scope(|s| {
        let tries: Vec<_> = MODES.iter().map(|&mode| s.spawn(move || brotli_in(mode, bytes, dict))).collect();
        tries.into_iter().map(|t| t.join().expect("a brotli thread panicked")).collect()
    });
    let best = streams.into_iter().min_by_key(Vec::len).expect("at least one mode");
    ensure!(unbrotli(&best, dict)? == bytes, "a brotli stream does not decompress to its input");
    Ok(best)
}

fn brotli_in(mode: BrotliEncoderMode, bytes: &[u8], dict: &[u8]) -> Vec<u8> {
    let params = BrotliEncoderParams { quality: 11, lgwin: 24, mode, ..Default::default() };
    let (mut input_buffer, mut output_buffer) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    let mut out = Vec::with_capacity(bytes.len() / 3);
    let mut no_callback = |_: &mut brotli::interface::PredictionModeContextMap<brotli::InputReferenceMut>,
                           _: &mut [brotli::interface::StaticCommand],
                           _: brotli::InputPair,
                           _: &mut brotli::enc::StandardAlloc| ();
    brotli::enc::BrotliCompressCustomIoCustomDict(
        &mut brotli::IoReaderWrapper(&mut &bytes[..]),
        &mut brotli::IoWriterWrapper(&mut out),
        &mut input_buffer,
        &mut output_buffer,
        &params,
        brotli::enc::StandardAlloc::default(),
        &mut no_callback,
        dict,
        std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "end of input"),
    )
    .expect("in-memory brotli");
    out
}

/// A brotli stream made by [`brotli`] with `dict`, decompressed.
pub fn unbrotli(stream: &[u8], dict: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    brotli::Decompressor::new_with_custom_dict(stream, 1 << 16, dict.to_vec().into())
        .read_to_end(&mut out)
        .context("decompressing a brotli stream")?;
    Ok(out)
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).expect("in-memory gzip");
    enc.finish().expect("in-memory gzip")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes whose high bits follow a pattern the low bits do not: LEB128-like numbers.
    fn binary() -> Vec<u8> {
        let mut state = 0x2545_f491_u32;
        let mut out = Vec::new();
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let n = state % 5000;
            out.extend([0x80 | (n & 0x7f) as u8, (n >> 7) as u8]);
        }
        out
    }

    #[test]
    fn every_stream_decodes_to_its_input_with_and_without_a_dictionary() {
        let text = "an invoice, a price, a buyer; ".repeat(200).into_bytes();
        let dict = binary();
        for bytes in [&text, &dict, &Vec::new()] {
            for d in [&[][..], &dict[..200]] {
                assert_eq!(unbrotli(&brotli(bytes, d).unwrap(), d).unwrap(), *bytes);
            }
        }
    }

    #[test]
    fn binary_is_coded_in_the_smallest_mode_not_the_encoders_pick_for_text() {
        let bytes = binary();
        let chosen = brotli(&bytes, &[]).unwrap().len();
        let own_pick = brotli_in(MODES[0], &bytes, &[]).len();
        let smallest = MODES.iter().map(|&m| brotli_in(m, &bytes, &[]).len()).min().unwrap();
        assert_eq!(chosen, smallest);
        assert!(chosen < own_pick, "{chosen} against the encoder's own pick, {own_pick}");
    }
}
