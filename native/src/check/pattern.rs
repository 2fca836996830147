//! The model's patterns, matched as pydantic-core matches them: with the regex crate, except
//! for one shape read off the pattern's syntax tree and matched without an automaton.
//!
//! The shape is the model's visible text, `^X(?:Y*X)?$` for character classes X and Y where
//! every character outside Y is one of at most three ASCII characters: one character of X, or
//! X, any run of Y, X. Its strings are the paragraphs, most of a post's bytes, and the
//! lazy DFA walking them was a fifth of the check. Framed, the first and the last character
//! are looked up in X's ranges and the bytes between them searched for the barred ones
//! (`memchr`: an ASCII byte never occurs inside the UTF-8 of another character). The
//! tests below hold both matchers to the same verdict on every character in every place.

use regex::Regex;
use regex_syntax::hir::{Class, ClassUnicode, Hir, HirKind, Look};

pub enum Pattern {
    Regex(Regex),
    Framed(Framed),
}

/// `^X(?:Y*X)?$` with the characters outside Y all ASCII, at most three of them.
pub struct Framed {
    /// X's ranges, sorted and disjoint (as regex-syntax keeps a class).
    edge: Vec<(char, char)>,
    /// The characters outside Y, as bytes.
    barred: Vec<u8>,
}

impl Pattern {
    pub fn new(source: &str) -> Result<Pattern, String> {
        let regex = Regex::new(source).map_err(|e| format!("pattern {source:?}: {e}"))?;
        // The same syntax and flags as Regex::new (Unicode on, no multi-line: `$` is the end).
        let hir = regex_syntax::Parser::new()
            .parse(source)
            .map_err(|e| format!("pattern {source:?}: {e}"))?;
        Ok(Framed::of(&hir).map_or(Pattern::Regex(regex), Pattern::Framed))
    }

    pub fn is_match(&self, text: &str) -> bool {
        match self {
            Pattern::Regex(regex) => regex.is_match(text),
            Pattern::Framed(framed) => framed.is_match(text),
        }
    }

    pub fn is_framed(&self) -> bool {
        matches!(self, Pattern::Framed(_))
    }
}

impl std::fmt::Debug for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pattern::Regex(regex) => write!(f, "Regex({:?})", regex.as_str()),
            Pattern::Framed(framed) => write!(f, "Framed({:?})", framed.barred),
        }
    }
}

impl Framed {
    /// The framed matcher of a syntax tree of the shape, if it has it.
    fn of(hir: &Hir) -> Option<Framed> {
        let HirKind::Concat(parts) = hir.kind() else {
            return None;
        };
        let [start, first, rest, end] = parts.as_slice() else {
            return None;
        };
        if start.kind() != &HirKind::Look(Look::Start) || end.kind() != &HirKind::Look(Look::End) {
            return None;
        }
        let edge = class(first)?;
        let HirKind::Repetition(optional) = rest.kind() else {
            return None;
        };
        let HirKind::Concat(inner) = optional.sub.kind() else {
            return None;
        };
        let [run, last] = inner.as_slice() else {
            return None;
        };
        let HirKind::Repetition(star) = run.kind() else {
            return None;
        };
        if (optional.min, optional.max) != (0, Some(1)) || (star.min, star.max) != (0, None) {
            return None;
        }
        if class(last)? != edge {
            return None;
        }
        let mut outside = class(&star.sub)?.clone();
        outside.negate();
        let barred = ascii_bytes(&outside)?;
        Some(Framed {
            edge: edge.ranges().iter().map(|r| (r.start(), r.end())).collect(),
            barred,
        })
    }

    fn is_match(&self, text: &str) -> bool {
        let mut chars = text.chars();
        let Some(first) = chars.next() else {
            return false;
        };
        if !self.in_edge(first) {
            return false;
        }
        let Some(last) = chars.next_back() else {
            return true;
        };
        self.in_edge(last) && !self.barred_in(chars.as_str().as_bytes())
    }

    fn in_edge(&self, c: char) -> bool {
        self.edge
            .binary_search_by(|&(lo, hi)| {
                if hi < c {
                    std::cmp::Ordering::Less
                } else if lo > c {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }

    fn barred_in(&self, bytes: &[u8]) -> bool {
        match *self.barred.as_slice() {
            [] => false,
            [a] => memchr::memchr(a, bytes).is_some(),
            [a, b] => memchr::memchr2(a, b, bytes).is_some(),
            [a, b, c] => memchr::memchr3(a, b, c, bytes).is_some(),
            _ => unreachable!("Framed::of keeps at most three"),
        }
    }
}

fn class(hir: &Hir) -> Option<&ClassUnicode> {
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => Some(class),
        _ => None,
    }
}

/// The characters of a class as bytes, when there are at most three and all are ASCII.
fn ascii_bytes(class: &ClassUnicode) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    for range in class.ranges() {
        for c in range.start()..=range.end() {
            if bytes.len() == 3 || !c.is_ascii() {
                return None;
            }
            bytes.push(c as u8);
        }
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model's visible-text pattern (synth.schema.model._TEXT), spelled as Python writes it.
    const WHITESPACE: &str =
        r"\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff";

    fn text_pattern() -> String {
        format!(r"^[^{WHITESPACE}\x00](?:[^\r\n\x00]*[^{WHITESPACE}\x00])?$")
    }

    fn every_char() -> impl Iterator<Item = char> {
        (0..=0x10_FFFF_u32).filter_map(char::from_u32)
    }

    fn agree(source: &str, texts: impl Iterator<Item = String>) {
        let framed = Pattern::new(source).unwrap();
        assert!(framed.is_framed(), "{source} is not recognised");
        let regex = Regex::new(source).unwrap();
        for text in texts {
            assert_eq!(
                framed.is_match(&text),
                regex.is_match(&text),
                "{source} on {text:?}"
            );
        }
    }

    #[test]
    fn the_text_pattern_is_framed_and_agrees_on_every_character_in_every_place() {
        let source = text_pattern();
        agree(&source, std::iter::once(String::new()));
        agree(&source, every_char().map(String::from));
        agree(&source, every_char().map(|c| format!("a{c}")));
        agree(&source, every_char().map(|c| format!("{c}b")));
        agree(&source, every_char().map(|c| format!("a{c}b")));
        agree(&source, every_char().map(|c| format!("é{c}{c}\u{3000}")));
        for text in [
            "a\r\nb",
            "ab\n",
            "\u{feff}x",
            "x\u{2029}",
            "a\0",
            "a b  c",
            "日本語",
        ] {
            agree(&source, std::iter::once(text.to_owned()));
        }
    }

    #[test]
    fn other_classes_of_the_shape_agree_too() {
        for source in [
            r"^[a-z](?:[^x]*[a-z])?$",
            r"^[^ ](?:[^\n\r]*[^ ])?$",
            r"^\w(?:[^\x00]*\w)?$",
        ] {
            let texts = [
                "", "a", "ab", "axb", "a\nb", "a b", "日", "a\0b", "Zz", "a z",
            ];
            agree(source, texts.into_iter().map(String::from));
            agree(source, every_char().map(|c| format!("a{c}b")));
        }
    }

    #[test]
    fn other_shapes_stay_regexes() {
        for source in [
            r"^[0-9a-f]{24}$",
            r"^x",
            r"^[a-z](?:[^x]*[a-y])?$",
            r"^[a-z](?:[^xyzw]*[a-z])?$",
            r"^[a-z](?:[^é]*[a-z])?$",
            r"[a-z](?:[^x]*[a-z])?$",
            r"^[a-z](?:[^x]+[a-z])?$",
            r"^[a-z](?:[^x]*[a-z])*$",
        ] {
            assert!(!Pattern::new(source).unwrap().is_framed(), "{source}");
        }
    }
}
