//! The 8×8 handwritten digits: 1,797 images of 64 pixels 0–16 and their classes 0–9 (the UCI
//! optical digits test set, as scikit-learn ships it; source and licence in
//! `www/data/DIGITS-LICENSE.md`), read from the compact file `www/data/digits.bin`.
//!
//! The engine never downloads anything: the page fetches the file from its own origin and hands
//! the bytes to `Digits::parse`, and the native tests read them from the repository. As points,
//! an image is 64 coordinates x = pixel / 16 in [0, 1], row by row from the top left, and its
//! label is the digit.
//!
//! The file, every number little-endian (`scripts/convert_digits.py` writes it):
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 8 | magic `BPVDIGIT` |
//! | 8 | 1 | format version, 1 |
//! | 9, 10 | 1 + 1 | width and height of an image, 8 and 8 |
//! | 11 | 1 | bits per pixel, 5 |
//! | 12 | 1 | largest pixel value, 16 |
//! | 13 | 1 | classes, 10 |
//! | 14 | 2 | image count n, 1,797 |
//! | 16 | 4 | FNV-1a 32-bit hash of every byte after the header |
//! | 20 | n | the labels, one byte each |
//! | 20 + n | ⌈n·w·h·bits / 8⌉ | the pixels, `bits` bits each, least significant bit first, image after image |

use crate::config::{MAX_INPUTS, MAX_OUTPUTS};
use crate::error::{Error, Result};
use crate::points::Points;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// The digits the page handed over (`register`): read once, shared by every session.
static SHIPPED: OnceLock<Digits> = OnceLock::new();

/// Set when something asked for the digits before they were registered: the page fetches the
/// file only then (it is a quarter of the page's weight) and runs that change again.
static WANTED: AtomicBool = AtomicBool::new(false);

/// Reads the shipped digits file once for every session of this process (the page fetches
/// `www/data/digits.bin` when a digits problem is first chosen). Registering again is a no-op.
pub fn register(bytes: &[u8]) -> Result<()> {
    if SHIPPED.get().is_none() {
        let digits = Digits::parse(bytes)?;
        let _ = SHIPPED.set(digits);
    }
    Ok(())
}

/// Whether `register` has been called with a good file.
pub fn registered() -> bool {
    SHIPPED.get().is_some()
}

/// Whether something asked for the digits since the last call while they were not
/// registered; the question clears the flag.
pub fn take_wanted() -> bool {
    WANTED.swap(false, Ordering::Relaxed)
}

/// The registered digits, or a refusal that says what is missing. Native builds (the tests,
/// the benchmark) read the repository's file themselves; the wasm never embeds it, to keep the
/// page small until a digits problem is chosen.
pub fn shipped() -> Result<&'static Digits> {
    #[cfg(not(target_arch = "wasm32"))]
    register(include_bytes!("../www/data/digits.bin"))?;
    SHIPPED.get().ok_or_else(|| {
        WANTED.store(true, Ordering::Relaxed);
        Error::InvalidData("the digits are not loaded: the page reads them from data/digits.bin first".into())
    })
}

/// The first eight bytes of a digits file.
pub const MAGIC: &[u8; 8] = b"BPVDIGIT";
/// The format version this engine reads.
pub const VERSION: u8 = 1;
/// Bytes before the labels.
pub const HEADER_BYTES: usize = 20;

/// Images and their labels, as read from a digits file.
#[derive(Clone, Debug, PartialEq)]
pub struct Digits {
    pub width: usize,
    pub height: usize,
    /// The largest pixel value (16: white is 0, full ink is 16).
    pub max_value: u8,
    pub classes: usize,
    /// n × (width · height) pixel values, image after image, each row by row from the top left.
    pub pixels: Vec<u8>,
    /// The class of each image.
    pub labels: Vec<u8>,
}

fn bad(why: String) -> Error {
    Error::InvalidData(format!("the digits file {why}"))
}

/// FNV-1a, 32 bits: a checksum a few lines long in both the converter and here.
fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811C_9DC5, |hash, &b| (hash ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

impl Digits {
    /// Reads a digits file, checking its header, size, checksum and every value; a malformed
    /// file is refused with `Error::InvalidData` saying what is wrong.
    pub fn parse(bytes: &[u8]) -> Result<Digits> {
        if bytes.len() < HEADER_BYTES {
            return Err(bad(format!("is {} bytes, too short for its {HEADER_BYTES}-byte header", bytes.len())));
        }
        if &bytes[..8] != MAGIC {
            return Err(Error::InvalidData("this is not a digits file: it does not start with BPVDIGIT".into()));
        }
        if bytes[8] != VERSION {
            return Err(bad(format!(
                "is version {}, and this version of backprop-viz reads version {VERSION}",
                bytes[8]
            )));
        }
        let (width, height, bits, max_value, classes) =
            (usize::from(bytes[9]), usize::from(bytes[10]), u32::from(bytes[11]), bytes[12], usize::from(bytes[13]));
        let count = usize::from(u16::from_le_bytes([bytes[14], bytes[15]]));
        let hash = u32::from_le_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
        let per_image = width * height;
        if per_image == 0 || per_image > MAX_INPUTS {
            return Err(bad(format!("has {width} × {height} images; 1 to {MAX_INPUTS} pixels an image can be read")));
        }
        if !(1..=8).contains(&bits) || max_value == 0 || u32::from(max_value) >= 1 << bits {
            return Err(bad(format!("stores pixels up to {max_value} in {bits} bits, which cannot be read")));
        }
        if !(2..=MAX_OUTPUTS).contains(&classes) || count == 0 {
            return Err(bad(format!(
                "has {count} images of {classes} classes; 1 image and 2 to {MAX_OUTPUTS} classes at least and most"
            )));
        }
        let pixel_bytes = (count * per_image * bits as usize).div_ceil(8);
        let expected = HEADER_BYTES + count + pixel_bytes;
        if bytes.len() != expected {
            return Err(bad(format!("should be {expected} bytes for {count} images, but it is {}", bytes.len())));
        }
        if fnv1a32(&bytes[HEADER_BYTES..]) != hash {
            return Err(bad("is damaged: its checksum does not match its contents".into()));
        }
        let labels = bytes[HEADER_BYTES..HEADER_BYTES + count].to_vec();
        if let Some(i) = labels.iter().position(|&l| usize::from(l) >= classes) {
            return Err(bad(format!(
                "gives image {i} the label {}, but it has classes 0 to {}",
                labels[i],
                classes - 1
            )));
        }
        let packed = &bytes[HEADER_BYTES + count..];
        let mask = (1u32 << bits) - 1;
        let mut pixels = Vec::with_capacity(count * per_image);
        for k in 0..count * per_image {
            let bit = k * bits as usize;
            // A value of at most 8 bits spans at most two bytes.
            let low = u32::from(packed[bit / 8]);
            let high = packed.get(bit / 8 + 1).map_or(0, |&b| u32::from(b));
            let value = ((low | high << 8) >> (bit % 8)) & mask;
            if value > u32::from(max_value) {
                return Err(bad(format!(
                    "gives image {} a pixel of {value}, above its largest value {max_value}",
                    k / per_image
                )));
            }
            pixels.push(value as u8);
        }
        Ok(Digits { width, height, max_value, classes, pixels, labels })
    }

    /// How many images there are.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Pixels per image (64).
    pub fn pixels_per_image(&self) -> usize {
        self.width * self.height
    }

    /// The pixels of image `i`, row by row.
    pub fn image(&self, i: usize) -> &[u8] {
        let n = self.pixels_per_image();
        &self.pixels[i * n..(i + 1) * n]
    }

    /// How many images each class has.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes];
        for &l in &self.labels {
            counts[usize::from(l)] += 1;
        }
        counts
    }

    /// The first `limit` images (all of them for `None`) as points: one coordinate per pixel,
    /// scaled to [0, 1] (pixel / largest value), and the digit as the label.
    pub fn points(&self, limit: Option<usize>) -> Result<Points> {
        let n = match limit {
            None => self.len(),
            Some(n) if (1..=self.len()).contains(&n) => n,
            Some(n) => {
                return Err(Error::InvalidData(format!(
                    "a subset of the digits takes 1 to {} images, not {n}",
                    self.len()
                )))
            }
        };
        let scale = 1.0 / f64::from(self.max_value);
        let coords = self.pixels[..n * self.pixels_per_image()].iter().map(|&p| f64::from(p) * scale).collect();
        let labels = self.labels[..n].iter().map(|&l| f64::from(l)).collect();
        Points::new(self.pixels_per_image(), coords, labels, self.classes)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The shipped file, for tests only: the library itself never embeds it.
    pub(crate) const FILE: &[u8] = include_bytes!("../www/data/digits.bin");

    /// A copy of `bytes` with its checksum made right again after an edit.
    pub(crate) fn rehash(mut bytes: Vec<u8>) -> Vec<u8> {
        let hash = fnv1a32(&bytes[HEADER_BYTES..]);
        bytes[16..20].copy_from_slice(&hash.to_le_bytes());
        bytes
    }

    #[test]
    fn the_shipped_file_holds_the_1797_digits() {
        let digits = Digits::parse(FILE).unwrap();
        assert_eq!((digits.len(), digits.classes, digits.width, digits.height, digits.max_value), (1797, 10, 8, 8, 16));
        // The class counts of the UCI test set (optdigits.tes).
        assert_eq!(digits.class_counts(), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
        // The first and last rows of scikit-learn's digits.csv.gz.
        #[rustfmt::skip]
        let first = [
            0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0, 0, 4, 12, 0, 0, 8, 8, 0,
            0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0,
        ];
        assert_eq!((digits.image(0), digits.labels[0]), (&first[..], 0));
        #[rustfmt::skip]
        let last = [
            0, 0, 10, 14, 8, 1, 0, 0, 0, 2, 16, 14, 6, 1, 0, 0, 0, 0, 15, 15, 8, 15, 0, 0, 0, 0, 5, 16, 16, 10, 0, 0,
            0, 0, 12, 15, 15, 12, 0, 0, 0, 4, 16, 6, 4, 16, 6, 0, 0, 8, 16, 10, 8, 16, 8, 0, 0, 1, 8, 12, 14, 12, 1, 0,
        ];
        assert_eq!((digits.image(1796), digits.labels[1796]), (&last[..], 8));
        assert_eq!(digits.pixels.iter().copied().max(), Some(16));
    }

    #[test]
    fn points_are_scaled_to_0_1_and_a_subset_is_the_first_images() {
        let digits = Digits::parse(FILE).unwrap();
        let all = digits.points(None).unwrap();
        assert_eq!((all.len(), all.dims, all.classes), (1797, 64, 10));
        assert_eq!(all.coord_row(0)[2], 5.0 / 16.0);
        assert!(all.coords.iter().all(|&x| (0.0..=1.0).contains(&x)));
        let some = digits.points(Some(100)).unwrap();
        assert_eq!(some.len(), 100);
        assert_eq!(some.coord_row(99), all.coord_row(99));
        assert!(digits.points(Some(0)).unwrap_err().to_string().contains("1 to 1797 images, not 0"));
        assert!(digits.points(Some(1798)).is_err());
    }

    #[test]
    fn malformed_files_are_refused_in_words() {
        let refused = |bytes: &[u8], needle: &str| {
            let e = Digits::parse(bytes).expect_err(needle);
            assert!(matches!(e, Error::InvalidData(_)), "{e:?}");
            let text = e.to_string();
            assert!(text.contains(needle) && text.len() < 200, "{text:?} should contain {needle:?}");
        };
        refused(&[], "is 0 bytes, too short for its 20-byte header");
        refused(&FILE[..19], "too short");
        refused(b"PK\x03\x04 a zip file, not digits.....", "not a digits file");
        let edit = |at: usize, value: u8| {
            let mut bytes = FILE.to_vec();
            bytes[at] = value;
            bytes
        };
        refused(&edit(8, 2), "is version 2, and this version of backprop-viz reads version 1");
        refused(&FILE[..FILE.len() - 1], "should be 73697 bytes for 1797 images, but it is 73696");
        refused(&[FILE, &[0]].concat(), "but it is 73698");
        refused(&edit(5000, FILE[5000] ^ 1), "is damaged: its checksum does not match");
        refused(&edit(9, 0), "has 0 × 8 images");
        refused(&edit(11, 4), "stores pixels up to 16 in 4 bits");
        refused(&edit(13, 1), "of 1 classes");
        refused(&rehash(edit(HEADER_BYTES + 3, 10)), "gives image 3 the label 10, but it has classes 0 to 9");
        // Pixel 0 of image 0 is the low 5 bits of the first pixel byte: 31 is above 16.
        refused(&rehash(edit(HEADER_BYTES + 1797, FILE[HEADER_BYTES + 1797] | 0x1F)), "image 0 a pixel of 31");
        let mut fewer = FILE[..HEADER_BYTES + 2 + 80].to_vec();
        fewer[14..16].copy_from_slice(&2u16.to_le_bytes());
        fewer[HEADER_BYTES..HEADER_BYTES + 2].copy_from_slice(&FILE[HEADER_BYTES..HEADER_BYTES + 2]);
        fewer[HEADER_BYTES + 2..].copy_from_slice(&FILE[HEADER_BYTES + 1797..HEADER_BYTES + 1797 + 80]);
        let two = Digits::parse(&rehash(fewer)).unwrap();
        assert_eq!((two.len(), two.image(1)), (2, Digits::parse(FILE).unwrap().image(1)));
    }
}
