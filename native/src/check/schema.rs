//! Layer S: whether a tree is a valid post by the spec, as pydantic's strict model decides it.
//!
//! Only the verdict is computed (the first problem stops the walk): the findings of an invalid
//! post are the Python path's to produce. Strict means no coercion: a string is only a JSON
//! string, an integer only an integer token (`1.0` and `true` are not 1), a boolean only
//! `true`/`false`. Lengths count code points, as Python's `len` does.

use super::spec::{Int, List, Object, Spec, Str, Type};
use super::text::same_text;
use super::tree::Value;

/// Whether `v` is a valid `object`; `ordered` becomes false where keys are not in field order.
pub fn object(spec: &Spec, object_spec: &Object, v: &Value<'_>, ordered: &mut bool) -> bool {
    let Value::Object(entries) = v else {
        return false;
    };
    let fields = &object_spec.fields;
    // Every field is required and no other is allowed: exactly one entry for each field.
    if entries.len() != fields.len() {
        return false;
    }
    let mut seen: u64 = 0;
    for (k, (key, value)) in entries.iter().enumerate() {
        let slot = if same_text(&fields[k].name, key) {
            k
        } else {
            *ordered = false;
            match fields.iter().position(|f| same_text(&f.name, key)) {
                Some(slot) => slot,
                None => return false,
            }
        };
        if seen & (1 << slot) != 0 {
            return false;
        }
        seen |= 1 << slot;
        if !valid(spec, &fields[slot].ty, value, ordered) {
            return false;
        }
    }
    true
}

/// The choice of a tagged union that `v` names, if it names one.
pub fn choice<'s>(union: &'s super::spec::Union, v: &Value<'_>) -> Option<&'s Object> {
    let Value::Object(entries) = v else {
        return None;
    };
    let (_, tag) = entries.iter().find(|(k, _)| same_text(k, &union.tag))?;
    let Value::Str(tag) = tag else {
        return None;
    };
    union
        .choices
        .iter()
        .find(|(name, _)| same_text(name, tag))
        .map(|(_, o)| o)
}

pub fn valid(spec: &Spec, ty: &Type, v: &Value<'_>, ordered: &mut bool) -> bool {
    match ty {
        Type::Str(s) => matches!(v, Value::Str(text) if string(spec, s, text)),
        Type::Int(int) => matches!(v, Value::Int(n) if integer(int, *n)),
        Type::Bool => matches!(v, Value::Bool(_)),
        Type::Literal(choices) => {
            matches!(v, Value::Str(text) if choices.iter().any(|c| same_text(c, text)))
        }
        Type::List(list) => {
            matches!(v, Value::Array(items) if self::list(spec, list, items, ordered))
        }
        Type::Object(o) => object(spec, o, v, ordered),
        Type::Union(union) => choice(union, v).is_some_and(|o| object(spec, o, v, ordered)),
    }
}

fn integer(int: &Int, n: i128) -> bool {
    int.ge <= n && n <= int.le && int.choices.as_ref().is_none_or(|c| c.contains(&n))
}

fn string(spec: &Spec, s: &Str, text: &str) -> bool {
    let bytes = text.len();
    // A code point takes one to four bytes: count them only when the byte length cannot decide.
    let fits = bytes <= s.max && s.min.saturating_mul(4) <= bytes;
    if !fits {
        let chars = text.chars().count();
        if chars < s.min || chars > s.max {
            return false;
        }
    }
    if let Some(k) = s.pattern {
        if !spec.patterns[k].is_match(text) {
            return false;
        }
    }
    !s.date || calendar_date(text)
}

fn list(spec: &Spec, list: &List, items: &[Value<'_>], ordered: &mut bool) -> bool {
    if items.len() < list.min || items.len() > list.max {
        return false;
    }
    if !items
        .iter()
        .all(|item| valid(spec, &list.item, item, ordered))
    {
        return false;
    }
    !list.unique
        || items
            .iter()
            .enumerate()
            .all(|(k, a)| items[..k].iter().all(|b| !a.same(b)))
}

/// `datetime.date.fromisoformat` of a `YYYY-MM-DD` string: year 1-9999, a day of its month.
/// Any other shape is refused here (the Python path then decides).
pub fn calendar_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1 && (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_dates() {
        for ok in [
            "2024-02-29",
            "2000-02-29",
            "0001-01-01",
            "9999-12-31",
            "2023-04-30",
        ] {
            assert!(calendar_date(ok), "{ok}");
        }
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "0000-01-01",
            "2023-13-01",
            "2023-00-10",
            "2023-04-31",
            "2023-1-01",
            "20230101",
            "2023-01-1x",
            "２０２３-01-01",
        ] {
            assert!(!calendar_date(bad), "{bad}");
        }
    }
}
