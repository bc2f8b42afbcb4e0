//! Uploaded images (StoreImage/GetImage): recognise the format by its magic bytes, refuse
//! anything too big before decoding it, decode it fully (a damaged file is refused), and make
//! a small preview.
//!
//! Accepted: PNG, JPEG, WebP and GIF, whatever name the upload had. The original bytes are
//! kept exactly as given. The preview fits within [`PREVIEW_MAX`]×[`PREVIEW_MAX`] pixels,
//! keeps the aspect ratio and is never larger than the original; it follows the EXIF
//! orientation (photos from phones come out upright) and shows the first frame of an
//! animation. It is a JPEG (quality [`PREVIEW_JPEG_QUALITY`]) when the picture is fully
//! opaque, a PNG when any pixel is transparent: see [`ProcessedImage::preview_mime`].
//!
//! Decoding is CPU work of up to a second for the largest images and may take up to
//! [`DECODE_MAX_ALLOC`] bytes of memory: call [`process`] from `tokio::task::spawn_blocking`,
//! and bound how many run at once.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};
use schet_api::limits::IMAGE_MAX_BYTES;
use schet_api::{FieldError, Rule};
use std::io::Cursor;

/// The longest side an image may have, in pixels.
pub const SIDE_MAX: u32 = 8000;
/// The most pixels an image may have (40 megapixels).
pub const PIXELS_MAX: u64 = 40_000_000;
/// The preview fits in a square of this side, in pixels.
pub const PREVIEW_MAX: u32 = 256;
/// JPEG quality of an opaque preview.
pub const PREVIEW_JPEG_QUALITY: u8 = 80;
/// The most memory the decoder may take: a 40-megapixel image at 8 bits per RGBA channel,
/// plus room for the decoder's own buffers. (A 16-bit image that needs more is refused.)
pub const DECODE_MAX_ALLOC: u64 = PIXELS_MAX * 4 + 16 * 1024 * 1024;

/// The proto field every error of this module is reported on.
const FIELD: &str = "Data";

/// An accepted upload: the original as given, and its preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedImage {
    /// The original's type: `image/png`, `image/jpeg`, `image/webp` or `image/gif`.
    pub mime: &'static str,
    /// The bytes as uploaded.
    pub original: Vec<u8>,
    /// The preview's encoded bytes.
    pub preview: Vec<u8>,
    /// The preview's type: `image/jpeg` (opaque picture) or `image/png` (with transparency).
    pub preview_mime: &'static str,
}

/// The four accepted formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Png,
    Jpeg,
    WebP,
    Gif,
}

impl Kind {
    /// Recognises the format by its first bytes (the name of the file never counts).
    fn sniff(bytes: &[u8]) -> Option<Kind> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Kind::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Kind::Jpeg)
        } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(Kind::WebP)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Kind::Gif)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Png => "PNG",
            Kind::Jpeg => "JPEG",
            Kind::WebP => "WebP",
            Kind::Gif => "GIF",
        }
    }

    fn mime(self) -> &'static str {
        match self {
            Kind::Png => "image/png",
            Kind::Jpeg => "image/jpeg",
            Kind::WebP => "image/webp",
            Kind::Gif => "image/gif",
        }
    }

    fn format(self) -> ImageFormat {
        match self {
            Kind::Png => ImageFormat::Png,
            Kind::Jpeg => ImageFormat::Jpeg,
            Kind::WebP => ImageFormat::WebP,
            Kind::Gif => ImageFormat::Gif,
        }
    }
}

fn error(rule: Rule) -> FieldError {
    FieldError::new(FIELD, rule)
}

/// The size limits, checked on the header's numbers before any pixel is decoded.
fn check_dimensions(width: u32, height: u32) -> Result<(), FieldError> {
    if width == 0 || height == 0 {
        return Err(error(Rule::NoPixels { width: width.into(), height: height.into() }));
    }
    if width > SIDE_MAX || height > SIDE_MAX {
        return Err(error(Rule::SideMax { max: SIDE_MAX.into(), width: width.into(), height: height.into() }));
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels > PIXELS_MAX {
        return Err(error(Rule::Megapixels {
            max: PIXELS_MAX / 1_000_000,
            width: width.into(),
            height: height.into(),
        }));
    }
    Ok(())
}

/// What a decoding failure means to the person who uploaded the file.
fn decode_error(kind: Kind, e: &ImageError) -> FieldError {
    match e {
        ImageError::Limits(_) => error(Rule::TooComplex),
        ImageError::Unsupported(_) => error(Rule::ImageUnsupported { kind: kind.name().to_string() }),
        _ => error(Rule::ImageInvalid { kind: kind.name().to_string() }),
    }
}

/// The preview's size: within `PREVIEW_MAX` on both sides, same aspect ratio, never larger.
fn preview_size(width: u32, height: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= PREVIEW_MAX {
        return (width, height);
    }
    let scale = |side: u32| {
        let scaled = (u64::from(side) * u64::from(PREVIEW_MAX) + u64::from(longest) / 2) / u64::from(longest);
        (scaled as u32).clamp(1, PREVIEW_MAX)
    };
    (scale(width), scale(height))
}

/// Decodes the whole image within the limits, checking the header's dimensions first.
fn decode(kind: Kind, bytes: &[u8]) -> Result<DynamicImage, FieldError> {
    let mut reading = Limits::default();
    reading.max_alloc = Some(DECODE_MAX_ALLOC);
    // Width and height are left open here so that the header can be read and the sizes told
    // back; they are enforced below, before a single pixel is decoded.
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    reader.limits(reading.clone());
    let mut decoder = reader.into_decoder().map_err(|e| decode_error(kind, &e))?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height)?;

    let mut strict = reading;
    strict.max_image_width = Some(SIDE_MAX);
    strict.max_image_height = Some(SIDE_MAX);
    strict.reserve(decoder.total_bytes()).map_err(|e| decode_error(kind, &e))?;
    decoder.set_limits(strict).map_err(|e| decode_error(kind, &e))?;
    // A broken EXIF block only loses the orientation; the pixels still count.
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| decode_error(kind, &e))?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(img)
}

/// Scales down and encodes the preview (JPEG when opaque, PNG otherwise).
fn make_preview(img: &DynamicImage) -> Result<(Vec<u8>, &'static str), FieldError> {
    let (w, h) = preview_size(img.width(), img.height());
    let small = if (w, h) == (img.width(), img.height()) { img.clone() } else { img.thumbnail_exact(w, h) };
    let rgba = small.to_rgba8();
    let opaque = rgba.pixels().all(|p| p.0[3] == u8::MAX);
    let mut out = Vec::new();
    // Encoding a picture of at most 256×256 8-bit pixels into memory fails only on a bug.
    let failed = |_| error(Rule::NoPreview);
    if opaque {
        let rgb = DynamicImage::ImageRgba8(rgba).to_rgb8();
        rgb.write_with_encoder(JpegEncoder::new_with_quality(&mut out, PREVIEW_JPEG_QUALITY)).map_err(failed)?;
        Ok((out, "image/jpeg"))
    } else {
        let encoder = PngEncoder::new_with_quality(&mut out, CompressionType::Best, FilterType::Adaptive);
        rgba.write_with_encoder(encoder).map_err(failed)?;
        Ok((out, "image/png"))
    }
}

/// Checks an upload and makes its preview. Every refusal is a [`FieldError`] on `Data`.
pub fn process(bytes: &[u8]) -> Result<ProcessedImage, FieldError> {
    if bytes.is_empty() {
        return Err(error(Rule::FileEmpty));
    }
    if bytes.len() > IMAGE_MAX_BYTES {
        return Err(error(Rule::FileTooLarge { max: IMAGE_MAX_BYTES as u64, has: bytes.len() as u64 }));
    }
    let Some(kind) = Kind::sniff(bytes) else {
        return Err(error(Rule::ImageType));
    };
    let img = decode(kind, bytes)?;
    let (preview, preview_mime) = make_preview(&img)?;
    Ok(ProcessedImage { mime: kind.mime(), original: bytes.to_vec(), preview, preview_mime })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::gif::GifEncoder;
    use image::codecs::webp::WebPEncoder;
    use image::{ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

    /// A gradient, so that the encoders have something to compress.
    fn rgb(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8]))
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        rgb(width, height).write_with_encoder(PngEncoder::new(&mut out)).unwrap();
        out
    }

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        rgb(width, height).write_with_encoder(JpegEncoder::new_with_quality(&mut out, 90)).unwrap();
        out
    }

    fn webp(img: &RgbaImage) -> Vec<u8> {
        let mut out = Vec::new();
        WebPEncoder::new_lossless(&mut out)
            .write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::Rgba8)
            .unwrap();
        out
    }

    fn gif(img: &RgbaImage) -> Vec<u8> {
        let mut out = Vec::new();
        GifEncoder::new(&mut out)
            .encode(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::Rgba8)
            .unwrap();
        out
    }

    fn preview_of(p: &ProcessedImage) -> DynamicImage {
        let format = if p.preview_mime == "image/png" { ImageFormat::Png } else { ImageFormat::Jpeg };
        image::load_from_memory_with_format(&p.preview, format).unwrap()
    }

    fn rule(bytes: &[u8]) -> String {
        let e = process(bytes).unwrap_err();
        assert_eq!(e.field, "Data");
        e.rule.to_string()
    }

    /// CRC-32 (IEEE) for hand-made PNG chunks.
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }

    /// A PNG that is only a header claiming `width`×`height` RGBA pixels, plus a tiny IDAT.
    fn png_header_only(width: u32, height: u32) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8 bits, RGBA, deflate, no filter, no interlace
        chunk(&mut out, b"IHDR", &ihdr);
        chunk(&mut out, b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        chunk(&mut out, b"IEND", &[]);
        out
    }

    #[test]
    fn crc32_matches_the_known_value() {
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }

    #[test]
    fn accepts_png() {
        let bytes = png(640, 480);
        let p = process(&bytes).unwrap();
        assert_eq!(p.mime, "image/png");
        assert_eq!(p.original, bytes);
        assert_eq!(p.preview_mime, "image/jpeg");
        let preview = preview_of(&p);
        assert_eq!((preview.width(), preview.height()), (256, 192));
    }

    #[test]
    fn accepts_jpeg() {
        let bytes = jpeg(300, 200);
        let p = process(&bytes).unwrap();
        assert_eq!(p.mime, "image/jpeg");
        assert_eq!(p.original, bytes);
        let preview = preview_of(&p);
        assert_eq!((preview.width(), preview.height()), (256, 171));
    }

    #[test]
    fn accepts_webp() {
        let img = RgbaImage::from_fn(40, 30, |x, y| Rgba([x as u8 * 6, y as u8 * 8, 100, 255]));
        let bytes = webp(&img);
        let p = process(&bytes).unwrap();
        assert_eq!(p.mime, "image/webp");
        assert_eq!(p.original, bytes);
        let preview = preview_of(&p);
        assert_eq!((preview.width(), preview.height()), (40, 30));
    }

    #[test]
    fn accepts_a_hand_made_gif() {
        // A 1×1 GIF89a, written out by hand: header, screen, 2-colour table, image, LZW data.
        let bytes: &[u8] = &[
            b'G', b'I', b'F', b'8', b'9', b'a', 1, 0, 1, 0, 0x80, 0, 0, // header, 1×1, global table of 2
            0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, // red, blue
            0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, // image descriptor
            0x02, 0x02, 0x44, 0x01, 0x00, // LZW minimum code size 2, one block: clear, 0, end
            0x3B, // trailer
        ];
        let p = process(bytes).unwrap();
        assert_eq!(p.mime, "image/gif");
        let preview = preview_of(&p).to_rgba8();
        assert_eq!(preview.dimensions(), (1, 1));
        let [r, g, b, a] = preview.get_pixel(0, 0).0;
        assert!(r > 240 && g < 16 && b < 16 && a == 255, "red, within JPEG's error: {:?}", [r, g, b, a]);
    }

    #[test]
    fn accepts_gif_with_transparency_and_previews_it_as_png() {
        let img =
            RgbaImage::from_fn(300, 600, |x, _| if x < 150 { Rgba([0, 0, 0, 0]) } else { Rgba([255, 0, 0, 255]) });
        let bytes = gif(&img);
        let p = process(&bytes).unwrap();
        assert_eq!(p.mime, "image/gif");
        assert_eq!(p.preview_mime, "image/png");
        let preview = preview_of(&p).to_rgba8();
        assert_eq!(preview.dimensions(), (128, 256));
        assert_eq!(preview.get_pixel(0, 0).0[3], 0, "transparency is kept");
        assert_eq!(preview.get_pixel(127, 255).0, [255, 0, 0, 255]);
    }

    #[test]
    fn preview_fits_landscape_portrait_and_keeps_tiny_images() {
        for ((w, h), want) in [
            ((1000, 500), (256, 128)),
            ((500, 1000), (128, 256)),
            ((256, 256), (256, 256)),
            ((257, 100), (256, 100)),
            ((8000, 1), (256, 1)),
            ((1, 5000), (1, 256)),
            ((10, 7), (10, 7)),
            ((1, 1), (1, 1)),
        ] {
            assert_eq!(preview_size(w, h), want, "{w}×{h}");
        }
        let p = process(&png(1200, 3000)).unwrap();
        let preview = preview_of(&p);
        assert_eq!((preview.width(), preview.height()), (102, 256));
        let p = process(&png(3, 2)).unwrap();
        let preview = preview_of(&p);
        assert_eq!((preview.width(), preview.height()), (3, 2), "never upscaled");
    }

    #[test]
    fn refuses_unknown_formats_by_content_not_name() {
        let want = "must be a PNG, JPEG, WebP or GIF image";
        assert_eq!(rule(b"hello, world"), want);
        assert_eq!(rule(b"BM\x36\x00\x00\x00"), want); // BMP
        assert_eq!(rule(b"%PDF-1.7\n"), want);
        assert_eq!(rule(b"RIFF\x00\x00\x00\x00WAVEfmt "), want);
        assert_eq!(rule(b"\x89PN"), want);
        assert_eq!(rule(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), want);
    }

    #[test]
    fn refuses_empty_data() {
        assert_eq!(rule(b""), "is required (the file is empty)");
    }

    #[test]
    fn refuses_oversized_data_before_looking_at_it() {
        let mut bytes = png(2, 2);
        bytes.resize(IMAGE_MAX_BYTES + 1, 0);
        assert_eq!(rule(&bytes), "must be at most 5 MiB (has 5.1 MiB)");
        let bytes = vec![0u8; 6_500_000];
        assert_eq!(rule(&bytes), "must be at most 5 MiB (has 6.2 MiB)");
        // Exactly the limit passes the size check (and then fails on content).
        let bytes = vec![0u8; IMAGE_MAX_BYTES];
        assert_eq!(rule(&bytes), "must be a PNG, JPEG, WebP or GIF image");
    }

    #[test]
    fn refuses_truncated_or_damaged_files() {
        let bytes = png(64, 64);
        for cut in [8, 20, 40, bytes.len() / 2, bytes.len() - 13] {
            assert_eq!(rule(&bytes[..cut]), "is not a valid PNG image", "cut at {cut}");
        }
        let mut corrupt = bytes.clone();
        let mid = corrupt.len() / 2;
        corrupt[mid] ^= 0xFF; // breaks the IDAT chunk's CRC
        assert_eq!(rule(&corrupt), "is not a valid PNG image");

        let bytes = jpeg(64, 64);
        assert_eq!(rule(&bytes[..3]), "is not a valid JPEG image");
        assert_eq!(rule(&bytes[..bytes.len() / 3]), "is not a valid JPEG image");
        assert_eq!(rule(b"GIF89a\x01"), "is not a valid GIF image");
        assert_eq!(rule(b"RIFF\x04\x00\x00\x00WEBPVP8 "), "is not a valid WebP image");
    }

    #[test]
    fn refuses_huge_dimensions_from_the_header_alone() {
        // A few dozen bytes claiming 100000×100000 RGBA pixels (40 GB): refused on the
        // header's numbers, so nothing of that size is ever allocated.
        let bytes = png_header_only(100_000, 100_000);
        assert!(bytes.len() < 100);
        assert_eq!(rule(&bytes), "must be at most 8000×8000 pixels (has 100000×100000)");
        assert_eq!(rule(&png_header_only(8001, 10)), "must be at most 8000×8000 pixels (has 8001×10)");
        assert_eq!(
            rule(&png_header_only(7000, 7000)),
            "must have at most 40 megapixels (has 7000×7000, 49.0 megapixels)"
        );
        // Within the limits, the same header is read on and found to have no pixel data.
        assert_eq!(rule(&png_header_only(4000, 4000)), "is not a valid PNG image");
    }

    #[test]
    fn refuses_huge_gif_and_jpeg_screens() {
        // GIF: logical screen 65535×65535 with one tiny frame.
        let bytes: &[u8] = &[
            b'G', b'I', b'F', b'8', b'9', b'a', 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0, 0, 0xFF, 0, 0, 0, 0, 0xFF, 0x2C, 0, 0,
            0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
        ];
        assert_eq!(rule(bytes), "must be at most 8000×8000 pixels (has 65535×65535)");
        // JPEG: patch the frame header (SOF0) of a real JPEG to claim 60000×60000.
        let mut bytes = jpeg(16, 16);
        let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        bytes[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
        assert_eq!(rule(&bytes), "must be at most 8000×8000 pixels (has 60000×60000)");
    }
}
