//! Builds the IPADIC dictionary that `src/text/japanese.rs` embeds.
//!
//! lindera's own `embed-ipadic` feature downloads the dictionary source at
//! build time, which fails on machines without general internet access (our
//! CI among them). Instead the Debian `mecab-ipadic` source is kept in
//! `dict/` (xz-compressed, EUC-JP, with its copyright notice), and this script:
//!
//! 1. unpacks it into `$OUT_DIR/ipadic-src`,
//! 2. converts every non-ASCII text file from EUC-JP to UTF-8,
//! 3. builds the lindera binary dictionary into `$OUT_DIR/lindera-ipadic`,
//! 4. points `LINDERA_WORKDIR` at `$OUT_DIR` for `embedded_dictionary!`.
//!
//! No environment variable, no network, no system package. The work is only
//! redone when the archive, the metadata or this file change.

use std::error::Error;
use std::fs;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use lindera_dictionary::builder::DictionaryBuilder;
use lindera_dictionary::dictionary::metadata::Metadata;

const ARCHIVE: &str = "dict/mecab-ipadic-2.7.0-20070801.tar.xz";
const METADATA: &str = "dict/metadata.json";

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed={ARCHIVE}");
    println!("cargo::rerun-if-changed={METADATA}");

    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let src_dir = out_dir.join("ipadic-src");
    let dict_dir = out_dir.join("lindera-ipadic");

    // Start from scratch so a half-finished earlier run cannot leak into the
    // embedded bytes.
    for dir in [&src_dir, &dict_dir] {
        if dir.exists() {
            fs::remove_dir_all(dir)?;
        }
    }
    fs::create_dir_all(&src_dir)?;
    fs::create_dir_all(&dict_dir)?;

    unpack_converted(Path::new(ARCHIVE), &src_dir)?;

    let metadata: Metadata = serde_json::from_str(&fs::read_to_string(METADATA)?)?;
    DictionaryBuilder::new(metadata)
        .build_dictionary(&src_dir, &dict_dir)
        .map_err(|e| format!("building the IPADIC dictionary failed: {e}"))?;

    // The unpacked source is 52 MB and no longer needed.
    fs::remove_dir_all(&src_dir)?;

    println!("cargo::rustc-env=LINDERA_WORKDIR={}", out_dir.display());
    Ok(())
}

/// Unpacks the files of the archive's `ipadic/` folder flat into `dest`,
/// decoding EUC-JP text to UTF-8 on the way.
fn unpack_converted(archive: &Path, dest: &Path) -> Result<(), Box<dyn Error>> {
    let mut tar_bytes = Vec::with_capacity(64 << 20);
    lzma_rs::xz_decompress(&mut BufReader::new(fs::File::open(archive)?), &mut tar_bytes)
        .map_err(|e| format!("{archive:?} is not a valid xz archive: {e}"))?;

    let mut tar = tar::Archive::new(tar_bytes.as_slice());
    for entry in tar.entries()? {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path()?.into_owned();
        let Some(name) = path.file_name() else { continue };
        let mut raw = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut raw)?;

        let bytes = if raw.is_ascii() {
            raw
        } else {
            let (text, had_errors) = encoding_rs::EUC_JP.decode_without_bom_handling(&raw);
            if had_errors {
                return Err(format!("{} is not valid EUC-JP", path.display()).into());
            }
            text.into_owned().into_bytes()
        };
        fs::write(dest.join(name), bytes)?;
    }
    Ok(())
}
