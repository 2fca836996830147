//! The vocabulary as the engine holds it: every string escaped for JSON once, templates split
//! into literal and field segments. Built from [`RawVocab`], which Python fills from
//! `synth.vocab` (the one source of truth: nothing here loads or expands vocabulary).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::json::{copy_short, escape_into, spaces, SLACK};

/// A string of the vocabulary, escaped for the inside of a JSON string: a span of the
/// vocabulary's [`Arena`]. Equal strings are stored once, so equal texts are equal spans.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Text {
    start: u32,
    len: u32,
    spaces: u32,
}

impl Text {
    /// How many spaces (U+0020) the string holds, for the reading time.
    #[inline(always)]
    pub fn spaces(self) -> u32 {
        self.spaces
    }
}

/// Every escaped string of a vocabulary, one after another (compact, so that what a post reads
/// stays in cache), with [`SLACK`] bytes after the last for [`copy_short`].
#[derive(Clone, Debug, Default)]
pub struct Arena {
    bytes: Box<[u8]>,
}

impl Arena {
    /// The escaped bytes of `text`.
    #[inline(always)]
    pub fn bytes(&self, text: Text) -> &[u8] {
        &self.bytes[text.start as usize..(text.start + text.len) as usize]
    }

    /// Appends the escaped bytes of `text` to `out`.
    #[inline(always)]
    pub fn put(&self, out: &mut Vec<u8>, text: Text) {
        copy_short(out, &self.bytes, text.start as usize, text.len as usize);
    }
}

/// A word-at-a-time multiplicative hash (as rustc's FxHash): the strings of a vocabulary are
/// trusted (shipped data), so the dedupe map of [`Builder`] needs no DoS-resistant hash, only a
/// quick one (the engine is built at every start-up).
#[derive(Clone, Copy, Default)]
struct Fx(u64);

impl Fx {
    #[inline(always)]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.add(u64::from_le_bytes(word.try_into().unwrap_or_default()));
        }
        let mut tail = [0u8; 8];
        tail[..words.remainder().len()].copy_from_slice(words.remainder());
        self.add(u64::from_le_bytes(tail) ^ ((bytes.len() as u64) << 56));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds an [`Arena`], storing each distinct string once (keyed by the raw strings it is built from).
#[derive(Default)]
struct Builder<'a> {
    bytes: Vec<u8>,
    seen: HashMap<&'a str, Text, BuildHasherDefault<Fx>>,
}

impl<'a> Builder<'a> {
    fn text(&mut self, raw: &'a str) -> Result<Text, String> {
        if let Some(&text) = self.seen.get(raw) {
            return Ok(text);
        }
        let start = self.bytes.len();
        escape_into(&mut self.bytes, raw);
        let (len, spaces) = (to_u32(self.bytes.len() - start)?, spaces(raw.as_bytes()));
        let text = Text {
            start: to_u32(start)?,
            len,
            spaces,
        };
        to_u32(self.bytes.len() + SLACK)?;
        self.seen.insert(raw, text);
        Ok(text)
    }

    fn texts(&mut self, raw: &'a [String]) -> Result<Box<[Text]>, String> {
        self.seen.reserve(raw.len());
        raw.iter().map(|s| self.text(s)).collect()
    }

    fn template(&mut self, raw: &'a [RawSeg]) -> Result<Template, String> {
        let mut seg = |seg: &'a RawSeg| match seg {
            RawSeg::Lit(s) => Ok(Seg::Lit(self.text(s)?)),
            RawSeg::Field(f) if usize::from(*f) < FIELDS.len() => Ok(Seg::Field(usize::from(*f))),
            RawSeg::Field(f) => Err(format!("template field {f} is not one of {FIELDS:?}")),
        };
        raw.iter().map(&mut seg).collect()
    }

    fn templates(&mut self, raw: &'a [Vec<RawSeg>]) -> Result<Box<[Template]>, String> {
        raw.iter().map(|t| self.template(t)).collect()
    }

    fn stack(&mut self, raw: &'a RawStack) -> Result<Stack, String> {
        Ok(Stack {
            name: self.text(&raw.name)?,
            area: self.text(&raw.area)?,
            language: self.text(&raw.language)?,
            tools: self.texts(&raw.tools)?,
        })
    }

    fn finish(mut self) -> Arena {
        self.bytes.resize(self.bytes.len() + SLACK, 0);
        Arena {
            bytes: self.bytes.into_boxed_slice(),
        }
    }
}

fn escaped(raw: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    escape_into(&mut out, raw);
    out
}

/// The fields a template may name, in this order: `{problem}`, `{stack}`, `{scenario}`, `{tool}`.
pub const FIELDS: [&str; 4] = ["problem", "stack", "scenario", "tool"];

/// A piece of a template as Python's `string.Formatter().parse` splits it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawSeg {
    /// Literal text (already unescaped: `{{` is `{`).
    Lit(String),
    /// A field, by its position in [`FIELDS`].
    Field(u8),
}

/// One piece of a template: literal text, or the value of a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Lit(Text),
    Field(usize),
}

/// A template, pre-split: rendering it is concatenation.
pub type Template = Box<[Seg]>;

/// A technology stack as Python's `synth.vocab.Stack`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawStack {
    pub name: String,
    pub area: String,
    pub language: String,
    pub tools: Vec<String>,
}

/// A stack, escaped.
#[derive(Clone, Debug)]
pub struct Stack {
    pub name: Text,
    pub area: Text,
    pub language: Text,
    pub tools: Box<[Text]>,
}

/// Everything the generator reads, as plain Rust values (see `synth/native_engine.py`).
#[derive(Clone, Debug, Default)]
pub struct RawVocab {
    pub stacks: Vec<RawStack>,
    pub problems: Vec<String>,
    pub scenarios: Vec<String>,
    pub title_templates: Vec<Vec<RawSeg>>,
    pub intro_templates: Vec<Vec<RawSeg>>,
    pub check_paragraphs: Vec<Vec<RawSeg>>,
    pub final_paragraphs: Vec<Vec<RawSeg>>,
    pub summary_templates: Vec<Vec<RawSeg>>,
    pub checklist_items: Vec<String>,
    pub brief_templates: Vec<String>,
    pub recommended_actions: Vec<String>,
    pub notes: Vec<String>,
    pub generic_tools: Vec<String>,
    pub separator: String,
    pub terminator: String,
    /// The locale's words by rank.
    pub words: Vec<String>,
    /// The 2**16-slot Zipf table, as indices into `words`.
    pub zipf_table: Vec<u32>,
    /// The view-count quantile table (ascending).
    pub view_count: Vec<i64>,
    /// ISO dates, `dates[d]` being `d` days before the epoch.
    pub dates: Vec<String>,
    pub generator: String,
    pub image_host: String,
    pub schema_version: i64,
    /// The budget of draws of every stream of `synth.generator.STREAMS`, in order.
    pub budgets: Vec<u32>,
}

/// A locale's free-text words: the Zipf table indexes `spans` of one arena in which every
/// word is stored escaped after the separator (the first word of a sentence skips it).
#[derive(Clone, Debug)]
pub struct Words {
    arena: Box<[u8]>,
    spans: Box<[Span]>,
    table: Box<[u16]>,
    separator: usize,
    separator_spaces: u32,
}

/// Where a word is in the arena of [`Words`], after its separator, and the spaces of both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    start: u32,
    len: u32,
    spaces: u32,
}

/// Slots of the Zipf table: a 16-bit half of a draw picks one.
pub const TABLE_SLOTS: usize = 1 << 16;

impl Words {
    fn new(words: &[String], table: &[u32], separator: &str) -> Result<Self, String> {
        if table.len() != TABLE_SLOTS || words.len() > TABLE_SLOTS {
            return Err(format!(
                "the Zipf table has {} slots for {} words (want {TABLE_SLOTS} slots, at most as many words)",
                table.len(),
                words.len()
            ));
        }
        let mut arena = Vec::new();
        let mut spans = Vec::with_capacity(words.len());
        for word in words {
            let start = arena.len();
            escape_into(&mut arena, separator);
            escape_into(&mut arena, word);
            let (len, spaces) = (to_u32(arena.len() - start)?, spaces(&arena[start..]));
            spans.push(Span {
                start: to_u32(start)?,
                len,
                spaces,
            });
        }
        arena.resize(arena.len() + SLACK, 0);
        Ok(Words {
            arena: arena.into_boxed_slice(),
            spans: spans.into_boxed_slice(),
            table: slots(table, words.len())?,
            separator: escaped(separator).len(),
            separator_spaces: spaces(separator.as_bytes()),
        })
    }

    /// Where the word in slot `slot` of the Zipf table is, after its separator.
    #[inline(always)]
    pub fn span(&self, slot: usize) -> Span {
        self.spans[usize::from(self.table[slot])]
    }

    /// Appends the word at `span`, after the separator unless `first`; returns its spaces.
    #[inline(always)]
    pub fn put(&self, out: &mut Vec<u8>, span: Span, first: bool) -> u32 {
        let (skip, skip_spaces) = if first {
            (self.separator, self.separator_spaces)
        } else {
            (0, 0)
        };
        copy_short(
            out,
            &self.arena,
            span.start as usize + skip,
            span.len as usize - skip,
        );
        span.spaces - skip_spaces
    }

    /// Appends the word in slot `slot` of the Zipf table, after the separator unless `first`.
    pub fn append(&self, out: &mut Vec<u8>, slot: usize, first: bool) -> u32 {
        self.put(out, self.span(slot), first)
    }
}

fn slots(table: &[u32], words: usize) -> Result<Box<[u16]>, String> {
    let slot = |&i: &u32| match u16::try_from(i) {
        Ok(slot) if usize::from(slot) < words => Ok(slot),
        _ => Err(format!("Zipf table entry {i} is not a word index")),
    };
    table.iter().map(slot).collect()
}

fn to_u32(n: usize) -> Result<u32, String> {
    u32::try_from(n).map_err(|_| format!("{n} is too large"))
}

/// The vocabulary of one locale, ready for assembly.
#[derive(Clone, Debug)]
pub struct Vocab {
    pub text: Arena,
    pub stacks: Box<[Stack]>,
    pub problems: Box<[Text]>,
    pub scenarios: Box<[Text]>,
    pub titles: Box<[Template]>,
    pub intros: Box<[Template]>,
    pub checks: Box<[Template]>,
    pub finals: Box<[Template]>,
    pub summaries: Box<[Template]>,
    pub items: Box<[Text]>,
    pub briefs: Box<[Text]>,
    pub actions: Box<[Text]>,
    pub notes: Box<[Text]>,
    pub generic: Box<[Text]>,
    pub terminator: Text,
    pub words: Words,
    pub views: Box<[i64]>,
    pub views_next: Box<[i64]>,
    pub dates: Box<[Text]>,
    pub generator: Text,
    pub image_host: Text,
    pub schema_version: i64,
}

impl Vocab {
    /// The engine's vocabulary, or why `raw` cannot drive the generator.
    pub fn new(raw: &RawVocab) -> Result<Self, String> {
        let mut b = Builder::default();
        let stacks = raw
            .stacks
            .iter()
            .map(|s| b.stack(s))
            .collect::<Result<_, _>>()?;
        let vocab = Vocab {
            stacks,
            problems: b.texts(&raw.problems)?,
            scenarios: b.texts(&raw.scenarios)?,
            titles: b.templates(&raw.title_templates)?,
            intros: b.templates(&raw.intro_templates)?,
            checks: b.templates(&raw.check_paragraphs)?,
            finals: b.templates(&raw.final_paragraphs)?,
            summaries: b.templates(&raw.summary_templates)?,
            items: b.texts(&raw.checklist_items)?,
            briefs: b.texts(&raw.brief_templates)?,
            actions: b.texts(&raw.recommended_actions)?,
            notes: b.texts(&raw.notes)?,
            generic: b.texts(&raw.generic_tools)?,
            terminator: b.text(&raw.terminator)?,
            words: Words::new(&raw.words, &raw.zipf_table, &raw.separator)?,
            views: raw.view_count.clone().into_boxed_slice(),
            views_next: views_next(&raw.view_count),
            dates: b.texts(&raw.dates)?,
            generator: b.text(&raw.generator)?,
            image_host: b.text(&raw.image_host)?,
            schema_version: raw.schema_version,
            text: Arena::default(),
        };
        let vocab = Vocab {
            text: b.finish(),
            ..vocab
        };
        crate::plan::check_layout(&raw.budgets)?;
        crate::plan::check_sizes(&vocab)?;
        Ok(vocab)
    }
}

/// The upper end of each view-count bucket: the next quantile, four times the last for the last.
fn views_next(views: &[i64]) -> Box<[i64]> {
    let last = views.last().map_or(0, |v| v.wrapping_mul(4));
    views.iter().skip(1).copied().chain([last]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_keep_their_segments() {
        let mut b = Builder::default();
        let raw = [
            RawSeg::Lit("a \"".into()),
            RawSeg::Field(3),
            RawSeg::Lit("}".into()),
        ];
        let t = b.template(&raw).unwrap();
        assert!(b.template(&[RawSeg::Field(4)]).is_err());
        let arena = b.finish();
        let [Seg::Lit(a), Seg::Field(3), Seg::Lit(brace)] = *t else {
            panic!("{t:?}")
        };
        assert_eq!(
            (arena.bytes(a), arena.bytes(brace)),
            (&b"a \\\""[..], &b"}"[..])
        );
    }

    #[test]
    fn equal_strings_are_stored_once() {
        let mut b = Builder::default();
        let (x, y, z) = (
            b.text("git").unwrap(),
            b.text("make").unwrap(),
            b.text("git").unwrap(),
        );
        assert_eq!(x, z);
        assert_ne!(x, y);
        let arena = b.finish();
        let mut out = Vec::new();
        arena.put(&mut out, y);
        arena.put(&mut out, x);
        assert_eq!(out, b"makegit");
        assert_eq!(Builder::default().text("a b  c").map(Text::spaces), Ok(3));
    }

    #[test]
    fn words_index_the_arena() {
        let words = ["a".to_string(), "b\"".to_string()];
        let table: Vec<u32> = (0..TABLE_SLOTS as u32).map(|i| i % 2).collect();
        let w = Words::new(&words, &table, "\t").unwrap();
        let mut out = Vec::new();
        w.append(&mut out, 65_535, true);
        w.append(&mut out, 0, false);
        w.append(&mut out, 1, false);
        assert_eq!(out, b"b\\\"\\ta\\tb\\\"");
        let spaced = Words::new(&["a b".to_string()], &[0; TABLE_SLOTS], " ").unwrap();
        assert_eq!(
            (
                spaced.append(&mut out, 0, true),
                spaced.append(&mut out, 0, false)
            ),
            (1, 2)
        );
        assert!(Words::new(&words, &table[1..], " ").is_err());
        assert!(Words::new(&words, &vec![2; TABLE_SLOTS], " ").is_err());
    }

    #[test]
    fn views_next_shifts_and_extends() {
        assert_eq!(&*views_next(&[1, 5, 9]), &[5, 9, 36]);
    }
}
