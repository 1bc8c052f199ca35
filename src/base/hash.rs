//! A small stable content hash for cache-busting file names and cache keys. It must
//! not be used where collisions would matter for safety: it is FNV-1a, 40 bits.

/// 64-bit FNV-1a: tiny, stable across Rust versions, plenty for cache-busting names.
pub(crate) fn content_hash(bytes: &[u8]) -> String {
    format!("{:010x}", content_hash64(bytes) & 0xff_ffff_ffff)
}

/// All 64 bits of the same hash, for the image cache's names (with the length).
pub(crate) fn content_hash64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}
