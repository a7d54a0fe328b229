// SQL injection blacklist checker - matches C implementation exactly

use super::sqli_data;

/// Check if a fingerprint is blacklisted
/// This matches libinjection_sqli_blacklist from the C version
pub fn is_blacklisted(fingerprint: &str) -> bool {
    // Match the C version: convert v0 fingerprint to v1 format
    // v0: up to 5 chars, mixed case  
    // v1: '0' prefix, up to 5 more chars, upper case
    
    if fingerprint.is_empty() {
        return false;
    }
    
    // perimeter patch: the v1 fingerprint is built in a stack buffer, not a String, and looked
    // up on bytes. Same bytes as upstream's String: '0', then each char with a-z upper-cased (a
    // non-ASCII char was pushed as its UTF-8 bytes, which are copied as they are here). Longer
    // than any keyword: not in the table.
    let fp = fingerprint.as_bytes();
    if fp.len() + 1 > sqli_data::MAX_KEYWORD_LEN {
        return false;
    }
    let mut fp2 = [0u8; 32];
    fp2[0] = b'0';
    for (dst, &b) in fp2[1..].iter_mut().zip(fp) {
        *dst = if b.is_ascii_lowercase() { b - 0x20 } else { b };
    }

    // Check if this fingerprint exists in the keywords table with type 'F'
    sqli_data::lookup_word_bytes(&fp2[..fp.len() + 1]) == crate::sqli::TokenType::Fingerprint
}