//! Photos of documents: checked by their bytes, decoded within limits on the
//! blocking pool, turned upright, re-encoded (so EXIF and every other piece of
//! metadata is gone) and given a thumbnail. Knows nothing of HTTP or SQL.
use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// Largest file accepted.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Largest picture accepted, in pixels.
pub const MAX_PIXELS: u64 = 40_000_000;
/// Widest or tallest side a decoder may even start on.
const MAX_SIDE: u32 = 20_000;
/// Memory a decoder may allocate.
const MAX_DECODER_ALLOC: u64 = 256 * 1024 * 1024;
/// Documents and bytes one draft may hold.
pub const MAX_PER_DRAFT: i64 = 20;
pub const MAX_BYTES_PER_DRAFT: i64 = 60 * 1024 * 1024;
/// Longest side of a thumbnail.
pub const THUMB_SIDE: u32 = 240;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not a JPEG or PNG, whatever the name says.
    WrongType,
    TooLarge,
    /// The draft has reached its number or bytes of documents.
    TooMany,
    Damaged,
    Missing,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::WrongType => "error.document.wrong_type",
            Refusal::TooLarge => "error.document.too_large",
            Refusal::TooMany => "error.document.too_many",
            Refusal::Damaged => "error.document.damaged",
            Refusal::Missing => "error.document.missing",
        }
    }
}

pub struct Processed {
    pub mime: &'static str,
    pub bytes: Vec<u8>,
    pub thumbnail: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The format, decided by the file's first bytes.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else {
        None
    }
}

/// Checks and cleans an uploaded photo. Runs for a while: call it on the blocking pool.
pub fn process(bytes: &[u8]) -> Result<Processed, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Missing);
    }
    if bytes.len() > MAX_BYTES {
        return Err(Refusal::TooLarge);
    }
    let format = sniff(bytes).ok_or(Refusal::WrongType)?;
    // A JPEG must end with its end-of-image marker; a cut-off file is damaged, not grey.
    if format == ImageFormat::Jpeg && !bytes.windows(2).rev().take(64).any(|w| w == [0xFF, 0xD9]) {
        return Err(Refusal::Damaged);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODER_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Refusal::TooLarge);
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    picture.apply_orientation(orientation);
    let (bytes, mime) = match format {
        ImageFormat::Png => {
            let mut out = Cursor::new(Vec::new());
            picture
                .write_to(&mut out, ImageFormat::Png)
                .map_err(|_| Refusal::Damaged)?;
            (out.into_inner(), "image/png")
        }
        _ => (jpeg(&picture, 88)?, "image/jpeg"),
    };
    let thumbnail = jpeg(&picture.thumbnail(THUMB_SIDE, THUMB_SIDE), 80)?;
    Ok(Processed {
        mime,
        bytes,
        thumbnail,
        width: picture.width(),
        height: picture.height(),
    })
}

fn jpeg(picture: &DynamicImage, quality: u8) -> Result<Vec<u8>, Refusal> {
    let mut out = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut out, quality);
    // A colour JPEG decodes to RGB and is encoded as it is: a copy would double
    // the 120 MB a 40-megapixel photo takes.
    match picture.as_rgb8() {
        Some(rgb) => encoder.encode_image(rgb),
        None => encoder.encode_image(&picture.to_rgb8()),
    }
    .map_err(|_| Refusal::Damaged)?;
    Ok(out)
}

fn refusal(e: image::ImageError) -> Refusal {
    match e {
        image::ImageError::Limits(_) => Refusal::TooLarge,
        image::ImageError::Unsupported(_) => Refusal::WrongType,
        _ => Refusal::Damaged,
    }
}

/// A file name safe to show and to send in Content-Disposition.
pub fn clean_filename(name: &str) -> String {
    let cleaned: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
        .take(80)
        .collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() {
        "document".into()
    } else {
        cleaned
    }
}

#[doc(hidden)]
pub mod samples {
    //! Files made in code for the tests and the benchmark: a JPEG with EXIF (GPS
    //! and orientation), a PNG that claims to be enormous, and friends.
    use super::*;

    pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let picture = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x * 7) as u8, (y * 5) as u8, 90])
        }));
        super::jpeg(&picture, 90).unwrap()
    }

    /// A JPEG with an EXIF segment holding a GPS latitude and an orientation tag.
    pub fn jpeg_with_exif(width: u32, height: u32, orientation: u16) -> Vec<u8> {
        let plain = jpeg(width, height);
        let mut tiff: Vec<u8> = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
        // IFD0: two entries (Orientation, GPSInfo pointer), then no next IFD.
        tiff.extend_from_slice(&[0x00, 0x02]);
        tiff.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01]);
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0x00, 0x00]);
        tiff.extend_from_slice(&[
            0x88, 0x25, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 38,
        ]);
        tiff.extend_from_slice(&[0, 0, 0, 0]);
        // GPS IFD at offset 38: GPSLatitudeRef = "N".
        tiff.extend_from_slice(&[
            0x00, 0x01, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, b'N', 0, 0, 0,
        ]);
        tiff.extend_from_slice(&[0, 0, 0, 0]);
        let mut app1 = b"Exif\x00\x00".to_vec();
        app1.extend_from_slice(&tiff);
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&plain[2..]);
        out
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in bytes {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// A tiny PNG whose header declares width × height pixels.
    pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut chunk = |kind: &[u8], data: &[u8]| {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let mut body = kind.to_vec();
            body.extend_from_slice(data);
            out.extend_from_slice(&body);
            out.extend_from_slice(&crc32(&body).to_be_bytes());
        };
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        chunk(b"IHDR", &ihdr);
        chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        chunk(b"IEND", &[]);
        out
    }

    pub fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
            width,
            height,
            image::Rgba([10, 20, 30, 128]),
        ));
        let mut out = Cursor::new(Vec::new());
        picture.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::samples::{jpeg_with_exif, png, png_claiming};
    use super::{clean_filename, process, sniff, ImageFormat, Refusal};

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        super::samples::jpeg(width, height)
    }

    fn has_exif(bytes: &[u8]) -> bool {
        bytes.windows(6).any(|w| w == b"Exif\x00\x00")
    }

    #[test]
    fn exif_and_gps_are_gone_and_the_orientation_is_applied() {
        let input = jpeg_with_exif(40, 20, 6);
        assert!(has_exif(&input));
        let out = process(&input).unwrap();
        assert!(!has_exif(&out.bytes) && !has_exif(&out.thumbnail));
        assert_eq!(
            (out.width, out.height),
            (20, 40),
            "orientation 6 turns the picture upright"
        );
        assert_eq!(out.mime, "image/jpeg");
        assert_eq!(sniff(&out.thumbnail), Some(ImageFormat::Jpeg));
    }

    #[test]
    fn a_png_claiming_to_be_enormous_is_refused_before_decoding() {
        assert_eq!(
            process(&png_claiming(100_000, 100_000)).err(),
            Some(Refusal::TooLarge)
        );
        assert_eq!(
            process(&png_claiming(8000, 8000)).err(),
            Some(Refusal::TooLarge),
            "64 megapixels"
        );
    }

    #[test]
    fn the_type_comes_from_the_bytes_not_the_name() {
        assert_eq!(
            process(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n").err(),
            Some(Refusal::WrongType)
        );
        assert_eq!(process(b"GIF89a....").err(), Some(Refusal::WrongType));
        assert_eq!(process(&[]).err(), Some(Refusal::Missing));
        let png = process(&png(30, 10)).unwrap();
        assert_eq!((png.mime, png.width, png.height), ("image/png", 30, 10));
    }

    #[test]
    fn damaged_files_are_refused() {
        let whole = jpeg(64, 64);
        assert_eq!(
            process(&whole[..whole.len() / 2]).err(),
            Some(Refusal::Damaged)
        );
        let png = png(30, 10);
        assert_eq!(
            process(&png[..png.len() - 20]).err(),
            Some(Refusal::Damaged)
        );
        let mut garbage = vec![0xFF, 0xD8, 0xFF, 0xE0];
        garbage.extend(std::iter::repeat_n(0x41, 100));
        garbage.extend_from_slice(&[0xFF, 0xD9]);
        assert_eq!(process(&garbage).err(), Some(Refusal::Damaged));
    }

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(
            clean_filename("C:\\Users\\ana\\pass sida.JPG"),
            "pass sida.JPG"
        );
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("\"><script>.png"), "script.png");
        assert_eq!(clean_filename(""), "document");
    }
}
