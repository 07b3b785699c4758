//! Issue 16 item 9: photos near the 40-megapixel limit cost over 100 MB each to
//! decode. Sixteen sent at once by one account must not take the server's memory
//! with them: the real binary's peak resident memory (VmHWM) stays under a bound.
use std::sync::Arc;

use kansli::clock::Clock;
use kansli::domain::documents::{MAX_BYTES, MAX_PIXELS};

use crate::helpers::*;

const UPLOADS: usize = 16;
/// The bound on the server's peak resident memory: decodes run one per core and
/// take about 130 MB each; the allocator keeps a freed decode's pages for a moment
/// before it returns them, so one more may still be counted, plus the server's
/// base. 600 MiB on two cores. Measured there: 367 to 489 MiB; without the bound
/// on decodes at once, 3.9 GiB.
fn peak_rss_bound() -> u64 {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    (200 + 200 * cores) * 1024 * 1024
}

/// A JPEG just under the pixel limit: 7,300 × 5,479 (39,996,700 pixels), in a
/// pattern that compresses well, so the bodies stay small and the memory measured
/// is the decoding's.
fn forty_megapixels() -> Vec<u8> {
    let (width, height) = (7_300, 5_479);
    assert!(u64::from(width) * u64::from(height) <= MAX_PIXELS);
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x / 64) as u8, (y / 64) as u8, 90])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    picture
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encodes");
    let bytes = out.into_inner();
    assert!(bytes.len() < MAX_BYTES, "{} bytes", bytes.len());
    bytes
}

#[tokio::test]
async fn sixteen_parallel_40_megapixel_uploads_stay_under_a_bound_per_core_of_server_memory() {
    // Sessions and drafts are made in process, on the real clock, then the binary
    // serves the same data directory to the same browser.
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let app = spawn_app_in(dir.clone(), Clock::system(), |_| {}).await;
    app.create_account("big@example.se").await;
    let mut drafts = Vec::new();
    for _ in 0..UPLOADS {
        let reference = start(&app, "visit-visa").await;
        post_page(&app, &reference, "applicant", APPLICANT, "next").await;
        drafts.push(reference);
    }
    app.stop().await;
    let server = serve_process(dir.path(), "");
    let browser = app.at(format!("http://127.0.0.1:{}", server.port));
    let photo = forty_megapixels();
    let mut pages = Vec::new();
    for reference in &drafts {
        pages.push(browser.get_html(&page(reference, "passport")).await);
    }
    let started = server.peak_rss();

    let uploads = drafts.iter().zip(&pages).map(|(reference, html)| {
        upload_from(&browser, html, reference, &[], "big.jpg", photo.clone())
    });
    let answers = futures_util::future::join_all(uploads).await;

    let peak = server.peak_rss();
    eprintln!(
        "peak RSS: {} MiB before the uploads, {} MiB after {UPLOADS} parallel uploads of {} KiB",
        started >> 20,
        peak >> 20,
        photo.len() >> 10
    );
    for (res, reference) in answers.iter().zip(&drafts) {
        assert_redirect(res, &page(reference, "passport"));
    }
    assert!(
        peak < peak_rss_bound(),
        "peak RSS {} MiB over the bound of {} MiB",
        peak >> 20,
        peak_rss_bound() >> 20
    );
}
