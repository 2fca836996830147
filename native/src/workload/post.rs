//! What the scan reads of one post (JSON): the texts it searches, its id, hash, filter fields,
//! tools and links, exactly as `synth.workload.scan` reads them from the dict; `None` for any
//! post that is not shaped as that code expects (Python then reads it, and fails as it would).
//!
//! The searched texts (title, intro, sections) and the id are read in place, borrowed from the
//! line unless they hold an escape ([`Line`]); `meta` is kept raw and parsed into a small tree
//! for its filter fields. A top-level key given twice is an error here (Python keeps the last):
//! such a post goes to Python.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

/// A JSON string, borrowed from the line when it has no escape.
pub struct Text<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Texts<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Texts<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(Texts(std::marker::PhantomData))
    }
}

/// A key that may be absent but, when present, holds a `T` (a `null` is an error, as in Python).
#[derive(Default)]
pub enum Given<T> {
    #[default]
    Absent,
    Present(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Given<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Given::Present)
    }
}

/// The parts of a post line the scan reads (other keys are skipped unread).
#[derive(serde::Deserialize)]
pub struct Line<'a> {
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(borrow)]
    title: Text<'a>,
    #[serde(borrow)]
    intro: Text<'a>,
    #[serde(borrow)]
    sections: Vec<Section<'a>>,
    #[serde(borrow)]
    pub meta: &'a RawValue,
    #[serde(borrow)]
    similar_posts: Vec<Text<'a>>,
}

#[derive(serde::Deserialize)]
struct Section<'a> {
    #[serde(borrow, default)]
    paragraphs: Given<Vec<Text<'a>>>,
    #[serde(borrow, default)]
    items: Given<Vec<Text<'a>>>,
}

/// How a filter field's value becomes an integer column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A string, coded by the scan (`None` is -1).
    Keyword,
    /// A bool or an integer (`int(value)`).
    Integer,
    /// A `YYYY-MM-DD` date, as its proleptic Gregorian ordinal (`date.toordinal()`).
    Date,
}

/// A field's value as read: an integer, a keyword string, or absent (a list too short).
pub enum Cell<'a> {
    Int(i64),
    Text(&'a str),
    Absent,
}

/// A post as the scan reads it (borrowing from its line and its parsed `meta`).
pub struct Read<'a> {
    pub id: &'a str,
    pub number: i64,
    pub hash: &'a str,
    pub pieces: Vec<Cow<'a, str>>,
    pub cells: Vec<Cell<'a>>,
    pub tools: Vec<&'a str>,
    pub links: Vec<&'a str>,
}

fn strings(value: &Value) -> Option<Vec<&str>> {
    value.as_array()?.iter().map(Value::as_str).collect()
}

/// `pieces(post)`: the title, the intro and the body texts (the body joined when one has `<`).
fn pieces<'a>(line: &'a Line<'_>) -> Vec<Cow<'a, str>> {
    let mut body: Vec<&str> = Vec::new();
    for section in &line.sections {
        let texts = match (&section.paragraphs, &section.items) {
            (Given::Present(texts), _) | (Given::Absent, Given::Present(texts)) => texts.as_slice(),
            (Given::Absent, Given::Absent) => &[],
        };
        body.extend(texts.iter().map(|t| t.0.as_ref()));
    }
    let mut out = vec![
        Cow::Borrowed(line.title.0.as_ref()),
        Cow::Borrowed(line.intro.0.as_ref()),
    ];
    if body.iter().any(|t| t.contains('<')) {
        out.push(Cow::Owned(body.join("\n")));
    } else {
        out.extend(body.into_iter().map(Cow::Borrowed));
    }
    out
}

/// `date.fromisoformat(text).toordinal()` for `YYYY-MM-DD` (other spellings are left to Python).
pub fn ordinal(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        b[r].iter().try_fold(0_i64, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if y < 1 || !(1..=12).contains(&m) || d < 1 || d > days[(m - 1) as usize] {
        return None;
    }
    let before: i64 = days[..(m - 1) as usize].iter().sum();
    let p = y - 1;
    Some(p * 365 + p / 4 - p / 100 + p / 400 + before + d)
}

/// `field_value(meta, name)` then the column conversion of `_row`.
fn cell<'a>(meta: &'a Value, path: &[String], kind: Kind) -> Option<Cell<'a>> {
    let mut value = meta;
    for step in path {
        value = match value {
            Value::Array(items) => match items.get(step.parse::<usize>().ok()?) {
                Some(item) => item,
                None if kind == Kind::Keyword => return Some(Cell::Absent),
                None => return None,
            },
            Value::Object(map) => map.get(step)?,
            _ => return None,
        };
    }
    match (kind, value) {
        (Kind::Keyword, Value::String(s)) => Some(Cell::Text(s)),
        (Kind::Integer, Value::Bool(b)) => Some(Cell::Int(i64::from(*b))),
        (Kind::Integer, Value::Number(n)) => n.as_i64().map(Cell::Int),
        (Kind::Date, Value::String(s)) => ordinal(s).map(Cell::Int),
        _ => None,
    }
}

/// Reads a post from its line and its parsed `meta`; `fields` are (path below `meta`, kind).
pub fn read<'a>(
    line: &'a Line<'_>,
    meta: &'a Value,
    fields: &[(Vec<String>, Kind)],
) -> Option<Read<'a>> {
    let id = line.id.0.as_ref();
    let digits = id.get(10..).filter(|d| id.is_ascii() && !d.is_empty())?;
    let number = digits
        .bytes()
        .all(|c| c.is_ascii_digit())
        .then(|| digits.parse().ok())??;
    let cells = fields
        .iter()
        .map(|(path, kind)| cell(meta, path, *kind))
        .collect::<Option<Vec<_>>>()?;
    Some(Read {
        id,
        number,
        hash: meta.get("hash")?.as_str()?,
        pieces: pieces(line),
        cells,
        tools: strings(meta.get("tools")?)?,
        links: line.similar_posts.iter().map(|t| t.0.as_ref()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_are_pythons() {
        assert_eq!(ordinal("0001-01-01"), Some(1));
        assert_eq!(ordinal("2024-01-01"), Some(738_886));
        assert_eq!(ordinal("2024-03-01"), Some(738_946));
        assert_eq!(ordinal("2023-02-29"), None);
        assert_eq!(ordinal("2024-1-01"), None);
    }
}
