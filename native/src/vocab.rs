//! The vocabulary as the engine holds it: every string escaped for JSON once, templates split
//! into literal and field segments. Built from [`RawVocab`], which Python fills from
//! `synth.vocab` (the one source of truth: nothing here loads or expands vocabulary).

use crate::json::{copy_short, escape_into, SLACK};

/// A string escaped for the inside of a JSON string, stored with [`SLACK`] readable bytes after
/// it, so that a short one is appended as one fixed-size block (see [`copy_short`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    bytes: Box<[u8]>,
    len: usize,
}

impl Text {
    pub fn new(raw: &str) -> Self {
        let mut bytes = escaped(raw);
        let len = bytes.len();
        bytes.resize(len + SLACK, 0);
        Text {
            bytes: bytes.into_boxed_slice(),
            len,
        }
    }

    /// The escaped bytes.
    #[inline(always)]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Appends the escaped bytes to `out`.
    #[inline(always)]
    pub fn put(&self, out: &mut Vec<u8>) {
        copy_short(out, &self.bytes, 0, self.len);
    }
}

fn escaped(raw: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    escape_into(&mut out, raw);
    out
}

fn text(raw: &str) -> Text {
    Text::new(raw)
}

fn texts(raw: &[String]) -> Box<[Text]> {
    raw.iter().map(|s| text(s)).collect()
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

fn template(raw: &[RawSeg]) -> Result<Template, String> {
    raw.iter()
        .map(|seg| match seg {
            RawSeg::Lit(s) => Ok(Seg::Lit(text(s))),
            RawSeg::Field(f) if usize::from(*f) < FIELDS.len() => Ok(Seg::Field(usize::from(*f))),
            RawSeg::Field(f) => Err(format!("template field {f} is not one of {FIELDS:?}")),
        })
        .collect()
}

fn templates(raw: &[Vec<RawSeg>]) -> Result<Box<[Template]>, String> {
    raw.iter().map(|t| template(t)).collect()
}

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
    spans: Box<[(u32, u32)]>,
    table: Box<[u16]>,
    separator: usize,
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
            spans.push((to_u32(start)?, to_u32(arena.len() - start)?));
        }
        arena.resize(arena.len() + SLACK, 0);
        Ok(Words {
            arena: arena.into_boxed_slice(),
            spans: spans.into_boxed_slice(),
            table: slots(table, words.len())?,
            separator: escaped(separator).len(),
        })
    }

    /// Appends the word in slot `slot` of the Zipf table, after the separator unless `first`.
    #[inline(always)]
    pub fn append(&self, out: &mut Vec<u8>, slot: usize, first: bool) {
        let (start, len) = self.spans[usize::from(self.table[slot])];
        let skip = if first { self.separator } else { 0 };
        copy_short(out, &self.arena, start as usize + skip, len as usize - skip);
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
        let vocab = Vocab {
            stacks: raw.stacks.iter().map(stack).collect(),
            problems: texts(&raw.problems),
            scenarios: texts(&raw.scenarios),
            titles: templates(&raw.title_templates)?,
            intros: templates(&raw.intro_templates)?,
            checks: templates(&raw.check_paragraphs)?,
            finals: templates(&raw.final_paragraphs)?,
            summaries: templates(&raw.summary_templates)?,
            items: texts(&raw.checklist_items),
            briefs: texts(&raw.brief_templates),
            actions: texts(&raw.recommended_actions),
            notes: texts(&raw.notes),
            generic: texts(&raw.generic_tools),
            terminator: text(&raw.terminator),
            words: Words::new(&raw.words, &raw.zipf_table, &raw.separator)?,
            views: raw.view_count.clone().into_boxed_slice(),
            views_next: views_next(&raw.view_count),
            dates: texts(&raw.dates),
            generator: text(&raw.generator),
            image_host: text(&raw.image_host),
            schema_version: raw.schema_version,
        };
        crate::plan::check_layout(&raw.budgets)?;
        crate::plan::check_sizes(&vocab)?;
        Ok(vocab)
    }
}

fn stack(raw: &RawStack) -> Stack {
    Stack {
        name: text(&raw.name),
        area: text(&raw.area),
        language: text(&raw.language),
        tools: texts(&raw.tools),
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
        let raw = [
            RawSeg::Lit("a \"".into()),
            RawSeg::Field(3),
            RawSeg::Lit("}".into()),
        ];
        let t = template(&raw).unwrap();
        let lit = |s: &str| Seg::Lit(Text::new(s));
        assert_eq!(&*t, &[lit("a \""), Seg::Field(3), lit("}")]);
        let Seg::Lit(text) = &t[0] else {
            panic!("not a literal")
        };
        assert_eq!(text.as_bytes(), b"a \\\"");
        assert!(template(&[RawSeg::Field(4)]).is_err());
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
        assert!(Words::new(&words, &table[1..], " ").is_err());
        assert!(Words::new(&words, &vec![2; TABLE_SLOTS], " ").is_err());
    }

    #[test]
    fn views_next_shifts_and_extends() {
        assert_eq!(&*views_next(&[1, 5, 9]), &[5, 9, 36]);
    }
}
