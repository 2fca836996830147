//! A JSON line as an ordered tree: serde_json's parser with a Visitor of our own.
//!
//! Unlike `serde_json::Value`, the tree keeps what the validator must see: every key of an
//! object in input order (a repeated key stays repeated), whether a number was written as an
//! integer (`1`, `-0`) or not (`1.0`, `1e0`: a float to orjson, which no integer field takes),
//! and strings borrowed from the line when they hold no escape. Containers nest at most
//! `depth` levels: deeper input is refused while it is read (no post nests deeper than its
//! schema), so memory and recursion stay bounded whatever the line holds.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::text::same_text;

/// The key serde_json's `arbitrary_precision` gives the one entry of a number it hands over as text.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// The entries of an object, in input order.
pub type Entries<'a> = Vec<(Cow<'a, str>, Value<'a>)>;

#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    /// An integer token (no fraction, no exponent) within i128.
    Int(i128),
    /// An integer token beyond i128 (outside every bound of the model).
    BigInt,
    /// A number token with a fraction or an exponent.
    Float,
    Str(Cow<'a, str>),
    Array(Vec<Value<'a>>),
    Object(Entries<'a>),
}

impl<'a> Value<'a> {
    /// The string, or "" for any other value.
    pub fn str(&self) -> &str {
        match self {
            Value::Str(s) => s,
            _ => "",
        }
    }

    /// The items of an array, or none.
    pub fn items(&self) -> &[Value<'a>] {
        match self {
            Value::Array(items) => items,
            _ => &[],
        }
    }

    /// The integer, or 0.
    pub fn int(&self) -> i128 {
        match self {
            Value::Int(n) => *n,
            _ => 0,
        }
    }

    pub fn boolean(&self) -> bool {
        matches!(self, Value::Bool(true))
    }

    /// The value of `key` in an object, looked for at `slot` first (its place in schema order).
    pub fn get(&self, slot: usize, key: &str) -> &Value<'a> {
        const MISSING: Value<'static> = Value::Null;
        let Value::Object(entries) = self else {
            return &MISSING;
        };
        match entries.get(slot) {
            Some((k, v)) if same_text(k, key) => v,
            _ => entries
                .iter()
                .find(|(k, _)| same_text(k, key))
                .map_or(&MISSING, |(_, v)| v),
        }
    }

    /// Equality as Python's `==` on the decoded values (objects compare as dicts).
    pub fn same(&self, other: &Value<'_>) -> bool {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y))
            }
            (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter().all(|(k, v)| {
                        b.iter()
                            .find(|(key, _)| key == k)
                            .is_some_and(|(_, w)| v.same(w))
                    })
            }
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Null, Value::Null) => true,
            _ => false,
        }
    }
}

/// Parses one JSON text (surrounding JSON whitespace allowed); `None` when it is not valid JSON
/// or nests deeper than `depth` containers.
pub fn parse(data: &[u8], depth: u32) -> Option<Value<'_>> {
    // Valid UTF-8 as a whole, so that the parser need not check each string on its own.
    let text = std::str::from_utf8(data).ok()?;
    let range = data.as_ptr_range();
    let seed = Seed {
        lo: range.start as usize,
        hi: range.end as usize,
        depth,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let value = seed.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(value)
}

/// Where the line lies in memory (to tell its keys from serde_json's number token) and how many
/// more levels of containers may open.
#[derive(Clone, Copy)]
struct Seed {
    lo: usize,
    hi: usize,
    depth: u32,
}

impl Seed {
    fn inner(self) -> Self {
        Seed {
            depth: self.depth - 1,
            ..self
        }
    }

    /// Whether `key` is serde_json's number token rather than a key of the line (which lies
    /// inside it, or was unescaped into a string of its own).
    #[allow(clippy::ptr_arg)] // the variant says whether the key was unescaped
    fn is_number_token(self, key: &Cow<'_, str>) -> bool {
        match key {
            Cow::Borrowed(k) => {
                let at = k.as_ptr() as usize;
                (at < self.lo || at >= self.hi) && *k == NUMBER_TOKEN
            }
            Cow::Owned(_) => false,
        }
    }
}

fn number(text: &str) -> Value<'static> {
    if text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        Value::Float
    } else {
        text.parse::<i128>().map_or(Value::BigInt, Value::Int)
    }
}

impl<'de> DeserializeSeed<'de> for Seed {
    type Value = Value<'de>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed {
    type Value = Value<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Value::Int(i128::from(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Value::Int(i128::from(v)))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Value::Float)
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Value::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Value::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Value::Str(Cow::Owned(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        if self.depth == 0 {
            return Err(de::Error::custom("nesting too deep"));
        }
        let mut items = Vec::with_capacity(4);
        while let Some(item) = seq.next_element_seed(self.inner())? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some(first) = map.next_key_seed(Key)? else {
            return if self.depth == 0 {
                Err(de::Error::custom("nesting too deep"))
            } else {
                Ok(Value::Object(Vec::new()))
            };
        };
        if self.is_number_token(&first) {
            let text = map.next_value_seed(Key)?;
            return Ok(number(&text));
        }
        if self.depth == 0 {
            return Err(de::Error::custom("nesting too deep"));
        }
        let mut entries = Vec::with_capacity(8);
        entries.push((first, map.next_value_seed(self.inner())?));
        while let Some(key) = map.next_key_seed(Key)? {
            entries.push((key, map.next_value_seed(self.inner())?));
        }
        Ok(Value::Object(entries))
    }
}

/// A key (or a number's text): borrowed from the line when it holds no escape.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Option<Value<'_>> {
        parse(text.as_bytes(), 8)
    }

    #[test]
    fn keeps_order_and_repeated_keys() {
        let Some(Value::Object(entries)) = tree(r#"{"b":1,"a":2,"b":3}"#) else {
            panic!("not an object");
        };
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(keys, ["b", "a", "b"]);
    }

    #[test]
    fn integers_and_floats_as_orjson_reads_them() {
        for (text, want) in [
            ("1", Value::Int(1)),
            ("-0", Value::Int(0)),
            ("-12", Value::Int(-12)),
            ("18446744073709551616", Value::Int(1 << 64)),
            ("1.0", Value::Float),
            ("-0.0", Value::Float),
            ("1e0", Value::Float),
            ("1E400", Value::Float),
            ("1000000000000000000000000000000000000000000", Value::BigInt),
        ] {
            assert_eq!(tree(text), Some(want), "{text}");
        }
    }

    #[test]
    fn the_number_token_as_a_key_is_a_key() {
        let text = r#"{"$serde_json::private::Number":"5"}"#;
        assert!(matches!(tree(text), Some(Value::Object(e)) if e.len() == 1));
        let escaped = r#"{"\u0024serde_json::private::Number":"5"}"#;
        assert!(matches!(tree(escaped), Some(Value::Object(e)) if e.len() == 1));
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let Some(Value::Array(items)) = tree(r#"["plain","a\"b","\u00e9"]"#) else {
            panic!("not an array");
        };
        assert!(matches!(&items[0], Value::Str(Cow::Borrowed("plain"))));
        assert!(matches!(&items[1], Value::Str(Cow::Owned(s)) if s == "a\"b"));
        assert!(matches!(&items[2], Value::Str(Cow::Owned(s)) if s == "é"));
    }

    #[test]
    fn refuses_what_orjson_refuses() {
        for text in [
            "",
            " ",
            "[1,]",
            "{\"a\":1,}",
            "NaN",
            "01",
            "\"\\ud800\"",
            "\u{feff}1",
            "[1]\u{c}",
            "\"a\u{1}b\"",
            "{'a':1}",
            "[1] [2]",
            "1e",
        ] {
            assert_eq!(tree(text), None, "{text:?}");
        }
        assert_eq!(parse(b"\"\xff\"", 8), None);
        assert_eq!(parse(b"\"\xed\xa0\x80\"", 8), None);
    }

    #[test]
    fn depth_is_bounded() {
        assert!(parse(b"[[[1]]]", 3).is_some());
        assert!(parse(b"[[[[1]]]]", 3).is_none());
        assert!(parse(b"[[{}]]", 2).is_none());
        assert!(parse(b"[[5]]", 2).is_some());
        assert!(parse(b"[[-0]]", 2).is_some());
        let deep = "[".repeat(100_000);
        assert!(parse(deep.as_bytes(), 64).is_none());
    }

    #[test]
    fn equality_as_python_dicts() {
        let a = tree(r#"{"x":"1","y":["a"]}"#).unwrap();
        let b = tree(r#"{"y":["a"],"x":"1"}"#).unwrap();
        let c = tree(r#"{"y":["b"],"x":"1"}"#).unwrap();
        assert!(a.same(&b));
        assert!(!a.same(&c));
    }
}
