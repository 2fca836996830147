//! Compact JSON exactly as `orjson.dumps` writes it: UTF-8 unescaped, only `"`, `\` and the
//! control characters below U+0020 escaped (`\b \t \n \f \r` short, the others `\u00xx` with
//! lower-case hex digits), integers in decimal.

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Whether `byte` is written escaped inside a JSON string.
#[inline(always)]
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Appends `text` to `out` escaped for the inside of a JSON string (no quotes).
pub fn escape_into(out: &mut Vec<u8>, text: &str) {
    if !text.bytes().any(needs_escape) {
        out.extend_from_slice(text.as_bytes()); // the common case: nothing to escape
        return;
    }
    for &byte in text.as_bytes() {
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0x00..=0x1f => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(byte >> 4)]);
                out.push(HEX[usize::from(byte & 0xf)]);
            }
            _ => out.push(byte),
        }
    }
}

/// A string of the vocabulary, escaped once for JSON, with its count of spaces (U+0020).
///
/// Escaping maps each character on its own, so the escaped concatenation of strings is the
/// concatenation of their escapings, and no escape sequence contains a space.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    pub json: Box<[u8]>,
    pub spaces: u32,
}

impl Text {
    pub fn new(text: &str) -> Self {
        let mut json = Vec::with_capacity(text.len());
        escape_into(&mut json, text);
        let spaces = text.bytes().filter(|&b| b == b' ').count() as u32;
        Text {
            json: json.into_boxed_slice(),
            spaces,
        }
    }
}

/// Readable bytes an arena keeps after its last entry, for [`copy_short`].
pub const SLACK: usize = 32;

/// Appends `src[start..start + len]`, `src` having at least [`SLACK`] bytes from `start` on.
///
/// Short runs are copied as one fixed-size block and the excess cut off again: no call to
/// `memcpy` for a word of a few bytes.
#[inline(always)]
pub fn copy_short(out: &mut Vec<u8>, src: &[u8], start: usize, len: usize) {
    if len <= SLACK {
        out.extend_from_slice(&src[start..start + SLACK]);
        out.truncate(out.len() - (SLACK - len));
    } else {
        out.extend_from_slice(&src[start..start + len]);
    }
}

/// Appends the decimal digits of `value`.
#[inline]
pub fn int(out: &mut Vec<u8>, value: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// Appends `value` in decimal, zero-padded to at least `width` digits (Python's `{:0width}d`).
#[inline]
pub fn padded(out: &mut Vec<u8>, value: u64, width: usize) {
    let mut buffer = itoa::Buffer::new();
    let digits = buffer.format(value).as_bytes();
    out.resize(out.len() + width.saturating_sub(digits.len()), b'0');
    out.extend_from_slice(digits);
}

/// Appends `true` or `false`.
#[inline]
pub fn boolean(out: &mut Vec<u8>, value: bool) {
    out.extend_from_slice(if value { b"true" } else { b"false" });
}

/// How many spaces (U+0020) a run of UTF-8 (or of its JSON escaping) holds.
///
/// Counted in blocks of 32 bytes with byte-wide sums, which the compiler turns into a few
/// vector compares and adds per block.
#[inline]
pub fn spaces(bytes: &[u8]) -> u32 {
    let is_space = |&b: &u8| u8::from(b == b' ');
    let mut blocks = bytes.chunks_exact(32);
    let mut total = 0;
    for block in &mut blocks {
        total += u32::from(block.iter().map(is_space).fold(0u8, u8::wrapping_add));
    }
    total
        + blocks
            .remainder()
            .iter()
            .map(|b| u32::from(is_space(b)))
            .sum::<u32>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> String {
        let mut out = Vec::new();
        escape_into(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn quotes_backslashes_and_short_forms() {
        assert_eq!(escaped("a\"b\\c"), r#"a\"b\\c"#);
        assert_eq!(escaped("\u{8}\t\n\u{c}\r"), r"\b\t\n\f\r");
    }

    #[test]
    fn other_controls_are_lower_case_u00xx() {
        assert_eq!(
            escaped("\u{0}\u{1}\u{b}\u{1f}"),
            r"\u0000\u0001\u000b\u001f"
        );
    }

    #[test]
    fn everything_else_is_verbatim() {
        let text = " !#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}~\u{7f}\u{80}é\u{2028}\u{2029}。😀";
        assert_eq!(escaped(text), text);
    }

    #[test]
    fn every_control_character_is_escaped() {
        for c in 0u8..0x20 {
            let text = escaped(&char::from(c).to_string());
            assert!(text.starts_with('\\'), "{c:#x} -> {text}");
            assert!(text.bytes().all(|b| b >= 0x20));
        }
    }

    #[test]
    fn text_counts_spaces() {
        let text = Text::new("a b\t\"c d\"");
        assert_eq!(text.spaces, 2);
        assert_eq!(&*text.json, br#"a b\t\"c d\""#);
        assert_eq!(spaces(&text.json), 2);
        let long: Vec<u8> = (0..1000)
            .map(|i| if i % 3 == 0 { b' ' } else { b'x' })
            .collect();
        assert_eq!(spaces(&long), 334);
        assert_eq!(spaces(&[b' '; 300]), 300);
    }

    #[test]
    fn copy_short_copies_exactly() {
        let src: Vec<u8> = (0..100).collect();
        for (start, len) in [(0, 0), (3, 5), (10, 32), (20, 40), (60, 40)] {
            let mut out = vec![7];
            copy_short(&mut out, &src, start, len);
            assert_eq!(&out[1..], &src[start..start + len]);
            assert_eq!(out[0], 7);
        }
    }

    #[test]
    fn integers_and_padding() {
        let mut out = Vec::new();
        int(&mut out, -42_i64);
        out.push(b',');
        padded(&mut out, 7, 6);
        out.push(b',');
        padded(&mut out, 1_234_567, 6);
        out.push(b',');
        padded(&mut out, 0, 4);
        out.push(b',');
        boolean(&mut out, true);
        assert_eq!(out, b"-42,000007,1234567,0000,true");
    }
}
