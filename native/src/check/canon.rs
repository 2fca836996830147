//! The bytes a post is hashed over, and the other bytes the next stages need, written from the tree.
//!
//! * [`canonical`]: keys in schema order at every depth, compact, strings as orjson escapes
//!   them: what `orjson.dumps(Post.model_validate(obj).model_dump(mode="json"))` writes for a
//!   valid post, whatever spelling the line used (whitespace, `\u` escapes, `-0`, key order).
//!   The content hash field is written as zeros; [`canonical`] returns where.
//! * [`compact`]: the tree in its own key order, as `orjson.dumps(orjson.loads(line))` writes
//!   it (the importer's `doc`, and the duplicate-content digest of rule R002).
//!
//! A string borrowed from the line held no escape, so it holds no `"`, `\` or control
//! character (JSON forbids them raw): its escaping is itself, copied whole.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use super::schema::choice;
use super::spec::{Object, Type};
use super::tree::Value;
use crate::json::escape_into;

#[allow(clippy::ptr_arg)] // the variant says whether the text needs escaping
fn string(out: &mut Vec<u8>, s: &Cow<'_, str>) {
    out.push(b'"');
    match s {
        Cow::Borrowed(raw) => out.extend_from_slice(raw.as_bytes()),
        Cow::Owned(text) => escape_into(out, text),
    }
    out.push(b'"');
}

fn scalar(out: &mut Vec<u8>, v: &Value<'_>) {
    match v {
        Value::Str(s) => string(out, s),
        Value::Int(n) => crate::json::int(out, *n),
        Value::Bool(b) => crate::json::boolean(out, *b),
        Value::Null => out.extend_from_slice(b"null"),
        // Never in a valid post; written so that the output stays JSON.
        Value::BigInt | Value::Float => out.extend_from_slice(b"null"),
        Value::Array(_) | Value::Object(_) => compact(out, v),
    }
}

/// `v` in input order, compact (orjson's bytes for the decoded value).
pub fn compact(out: &mut Vec<u8>, v: &Value<'_>) {
    match v {
        Value::Array(items) => {
            out.push(b'[');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                compact(out, item);
            }
            out.push(b']');
        }
        Value::Object(entries) => {
            out.push(b'{');
            for (k, (key, value)) in entries.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                string(out, key);
                out.push(b':');
                compact(out, value);
            }
            out.push(b'}');
        }
        _ => scalar(out, v),
    }
}

/// A schema-valid `v` of type `ty` in schema order; `zero` is written for the zeroed field,
/// and its offset in `out` is stored in `at`.
pub fn canonical(out: &mut Vec<u8>, ty: &Type, v: &Value<'_>, zero: &[u8], at: &mut Option<usize>) {
    match (ty, v) {
        (Type::Object(object), _) => canonical_object(out, object, v, zero, at),
        (Type::Union(union), _) => match choice(union, v) {
            Some(object) => canonical_object(out, object, v, zero, at),
            None => compact(out, v),
        },
        (Type::List(list), Value::Array(items)) => {
            out.push(b'[');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                canonical(out, &list.item, item, zero, at);
            }
            out.push(b']');
        }
        _ => scalar(out, v),
    }
}

pub fn canonical_object(
    out: &mut Vec<u8>,
    object: &Object,
    v: &Value<'_>,
    zero: &[u8],
    at: &mut Option<usize>,
) {
    out.push(b'{');
    for (k, field) in object.fields.iter().enumerate() {
        out.extend_from_slice(&field.key);
        if field.zeroed {
            out.push(b'"');
            *at = Some(out.len());
            out.extend_from_slice(zero);
            out.push(b'"');
        } else {
            canonical(out, &field.ty, v.get(k, &field.name), zero, at);
        }
    }
    out.push(b'}');
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The first `digits` lower-case hex digits of the SHA-256 of `data` (`synth.schema.hash.digest`).
pub fn hex_digest(data: &[u8], digits: usize) -> Vec<u8> {
    let sum = Sha256::digest(data);
    sum.iter()
        .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]])
        .take(digits)
        .collect()
}

/// R002's digest: the first 12 bytes of the SHA-256 of `orjson.dumps([title, intro, sections])`.
pub fn content_digest(
    out: &mut Vec<u8>,
    title: &Value<'_>,
    intro: &Value<'_>,
    sections: &Value<'_>,
) -> [u8; 12] {
    out.clear();
    out.push(b'[');
    compact(out, title);
    out.push(b',');
    compact(out, intro);
    out.push(b',');
    compact(out, sections);
    out.push(b']');
    let sum = Sha256::digest(&out[..]);
    let mut first = [0; 12];
    first.copy_from_slice(&sum[..12]);
    first
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::tree::parse;

    #[test]
    fn compact_rewrites_spelling_not_order() {
        let text = r#" { "b" : [ 1 , -0 , true , null ] , "a\u00e9" : "x\/y\"" } "#;
        let tree = parse(text.as_bytes(), 8).unwrap();
        let mut out = Vec::new();
        compact(&mut out, &tree);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"b":[1,0,true,null],"aé":"x/y\""}"#
        );
    }

    #[test]
    fn hex_digest_is_sha256_hex() {
        // sha256("abc") = ba7816bf8f01cfea414140de5dae2223...
        assert_eq!(hex_digest(b"abc", 24), b"ba7816bf8f01cfea414140de");
    }
}
