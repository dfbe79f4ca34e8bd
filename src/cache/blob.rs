//! The one file format of ttpc's caches: a header, then a postcard payload.
//!
//! Header: magic, the build of ttpc that wrote it ([`super::build_id`]), the key the file was written for (a bundle's sha256, a
//! source's identity), and the sha256 of the payload. A file is used only when every part
//! matches, so a truncated, corrupt, stale (another build) or foreign (other key) file is
//! ignored and rebuilt, never trusted. postcard: serde-based, compact, no unsafe code, a
//! documented stable wire format; the cached types derive serde, so a cache cannot drift from
//! the types.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::build_id;

const MAGIC: &[u8; 8] = b"TTPCBLB\x02";

/// Reads a blob written for `key`; `None` unless the file is intact and made by this build.
pub fn read<T: DeserializeOwned>(path: &Path, key: &str) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    let rest = bytes.strip_prefix(MAGIC)?;
    let (version, rest) = field(rest)?;
    let (found_key, rest) = field(rest)?;
    if version != build_id().as_bytes() || found_key != key.as_bytes() {
        return None;
    }
    let (payload_sha, payload) = rest.split_at_checked(32)?;
    if Sha256::digest(payload).as_slice() != payload_sha {
        return None;
    }
    postcard::from_bytes(payload).ok()
}

/// Writes a blob for `key`, atomically. Failing to write a cache only costs speed next time,
/// so callers usually ignore the error.
pub fn write<T: Serialize + ?Sized>(path: &Path, key: &str, value: &T) -> Result<(), String> {
    let payload = postcard::to_allocvec(value).map_err(|e| e.to_string())?;
    let mut bytes = Vec::with_capacity(payload.len() + 160);
    bytes.extend_from_slice(MAGIC);
    for part in [build_id().as_bytes(), key.as_bytes()] {
        let len = u16::try_from(part.len()).map_err(|_| String::from("cache key too long"))?;
        bytes.extend_from_slice(&len.to_le_bytes());
        bytes.extend_from_slice(part);
    }
    bytes.extend_from_slice(Sha256::digest(&payload).as_slice());
    bytes.extend_from_slice(&payload);
    crate::io::write_atomic(path, &bytes).map_err(|e| e.to_string())
}

/// A length-prefixed header field and the rest.
fn field(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, rest) = bytes.split_at_checked(2)?;
    let len = u16::from_le_bytes([len[0], len[1]]) as usize;
    rest.split_at_checked(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_reads_back_only_for_its_key_and_intact() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.bin");
        write(&path, "key-1", &vec![1u32, 2, 3]).expect("write");
        assert_eq!(read::<Vec<u32>>(&path, "key-1"), Some(vec![1, 2, 3]));
        assert_eq!(read::<Vec<u32>>(&path, "key-2"), None, "another key");
        let mut bytes = std::fs::read(&path).expect("read");
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&path, &bytes).expect("corrupt");
        assert_eq!(read::<Vec<u32>>(&path, "key-1"), None, "a flipped payload byte");
        std::fs::write(&path, &bytes[..10]).expect("truncate");
        assert_eq!(read::<Vec<u32>>(&path, "key-1"), None, "truncated");
    }
}
