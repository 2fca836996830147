//! What the scan reads of one post (JSON): the texts it searches, its id, hash, filter fields,
//! tools and links, exactly as `synth.workload.scan` reads them from the dict; `None` for any
//! post that is not shaped as that code expects (Python then reads it, and fails as it would).

use serde_json::Value;

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

/// A post as the scan reads it (borrowing from the parsed JSON).
pub struct Read<'a> {
    pub id: &'a str,
    pub number: i64,
    pub hash: &'a str,
    pub pieces: Vec<std::borrow::Cow<'a, str>>,
    pub cells: Vec<Cell<'a>>,
    pub tools: Vec<&'a str>,
    pub links: Vec<&'a str>,
}

fn strings(value: &Value) -> Option<Vec<&str>> {
    value.as_array()?.iter().map(Value::as_str).collect()
}

/// `pieces(post)`: the title, the intro and the body texts (the body joined when one has `<`).
fn pieces(post: &Value) -> Option<Vec<std::borrow::Cow<'_, str>>> {
    let mut body = Vec::new();
    for section in post.get("sections")?.as_array()? {
        let section = section.as_object()?;
        let texts = match section.get("paragraphs").or_else(|| section.get("items")) {
            Some(texts) => strings(texts)?,
            None => Vec::new(),
        };
        body.extend(texts);
    }
    let mut out = vec![
        post.get("title")?.as_str()?.into(),
        post.get("intro")?.as_str()?.into(),
    ];
    if body.iter().any(|t| t.contains('<')) {
        out.push(body.join("\n").into());
    } else {
        out.extend(body.into_iter().map(Into::into));
    }
    Some(out)
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

/// Reads a parsed post; `fields` are (path below `meta`, kind).
pub fn read<'a>(post: &'a Value, fields: &[(Vec<String>, Kind)]) -> Option<Read<'a>> {
    let id = post.get("id")?.as_str()?;
    let digits = id.get(10..).filter(|d| id.is_ascii() && !d.is_empty())?;
    let number = digits
        .bytes()
        .all(|c| c.is_ascii_digit())
        .then(|| digits.parse().ok())??;
    let meta = post.get("meta")?;
    let cells = fields
        .iter()
        .map(|(path, kind)| cell(meta, path, *kind))
        .collect::<Option<Vec<_>>>()?;
    Some(Read {
        id,
        number,
        hash: meta.get("hash")?.as_str()?,
        pieces: pieces(post)?,
        cells,
        tools: strings(meta.get("tools")?)?,
        links: strings(post.get("similar_posts")?)?,
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
