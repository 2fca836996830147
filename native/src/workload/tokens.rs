//! The workload tokenizer (`synth.workload.tokens.tokenize`, the reference) for the texts it can
//! decide without Python's Unicode tables: which tokens a text holds, which segments are dirty.
//!
//! A text is cut into segments at Python's whitespace (`str.split()`). A segment is *plain* when
//! it holds only clean characters, safe punctuation and, at its end only, full stops and colons
//! (each run at most [`MAX_RUN`] characters); *hyphenated* when it is plain once the hyphens
//! inside a chain of letter runs are taken out; *dirty* otherwise. The keys of a dirty segment
//! (its taint) are left to Python: the sink gets the segment. A text with `<` is dirty as a
//! whole; whether it holds a token at all (Python's `[^\W_]`) is decided only when its characters
//! are ASCII or clean, else the text is [`Undecided`].

/// Longer runs are dirty (`MAX_RUN` in tokens.py).
pub const MAX_RUN: usize = 200;

/// A text the native tokenizer cannot decide: Python tokenizes it.
#[derive(Debug, PartialEq, Eq)]
pub struct Undecided;

/// Where the tokens of a text go.
pub trait Sink {
    /// A clean key (lower case), in order.
    fn key(&mut self, key: &str);
    /// A dirty segment (or a whole text with `<`), at its position; `token` says whether it
    /// stands for a token position (false only for a `<` text without any letter or digit).
    fn dirty(&mut self, segment: &str, token: bool);
    /// A key seen in a hyphenated segment (after its [`Sink::key`]).
    fn hyphen(&mut self, key: &str);
}

/// Letters of `CLEAN` (tokens.py `_LETTERS`).
pub fn is_letter(c: char) -> bool {
    matches!(c,
        'A'..='Z' | 'a'..='z' | '\u{00df}'
        | '\u{05d0}'..='\u{05ea}'
        | '\u{0621}'..='\u{063a}' | '\u{0641}'..='\u{064a}' | '\u{066e}' | '\u{066f}'
        | '\u{0671}'..='\u{06d3}' | '\u{06d5}'
        | '\u{3041}'..='\u{3096}' | '\u{309d}'..='\u{309f}' | '\u{30a1}'..='\u{30fa}'
        | '\u{30fc}'..='\u{30ff}' | '\u{3005}'
        | '\u{3400}'..='\u{4db5}' | '\u{4e00}'..='\u{9fcb}'
        | '\u{ac00}'..='\u{d7a3}')
}

/// `CLEAN`: the letters and the ASCII digits.
pub fn is_clean(c: char) -> bool {
    c.is_ascii_digit() || is_letter(c)
}

/// `SAFE`: punctuation both engines treat as a separator wherever it stands.
pub fn is_safe(c: char) -> bool {
    matches!(
        c,
        '!' | '"'
            | '#'
            | '$'
            | '%'
            | '\''
            | '('
            | ')'
            | '*'
            | ','
            | ';'
            | '='
            | '?'
            | '['
            | ']'
            | '^'
            | '_'
            | '`'
            | '{'
            | '|'
            | '}'
            | '\u{00a1}'
            | '\u{00ab}'
            | '\u{00b7}'
            | '\u{00bb}'
            | '\u{00bf}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{201c}'
            | '\u{201d}'
            | '\u{2026}'
            | '\u{060c}'
            | '\u{061b}'
            | '\u{061f}'
            | '\u{3000}'
            | '\u{3001}'
            | '\u{3002}'
            | '\u{3008}'
            ..='\u{3011}'
                | '\u{30fb}'
                | '\u{ff01}'
                | '\u{ff08}'
                | '\u{ff09}'
                | '\u{ff0c}'
                | '\u{ff1a}'
                | '\u{ff1b}'
                | '\u{ff1f}'
    )
}

/// Python's `str.isspace()` (what `str.split()` cuts at).
pub fn is_space(c: char) -> bool {
    matches!(c,
        '\t'..='\r' | '\u{1c}'..='\u{20}' | '\u{85}' | '\u{a0}' | '\u{1680}'
        | '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}')
}

/// What may follow a final full stop or colon (`SAFE` without `_`, and `.` `:`).
fn closes(c: char) -> bool {
    (is_safe(c) && c != '_') || c == '.' || c == ':'
}

/// A character of a segment: a `char`, or a byte of an ASCII segment (read without decoding:
/// an ASCII byte is the character of the same code).
pub trait Unit: Copy + PartialEq + From<u8> {
    fn ch(self) -> char;
}

impl Unit for char {
    fn ch(self) -> char {
        self
    }
}

impl Unit for u8 {
    fn ch(self) -> char {
        char::from(self)
    }
}

/// The runs of `chars` (a segment, or one with spaces for hyphens) when it is plain.
fn plain<C: Unit>(chars: &[C]) -> Option<Vec<(usize, usize)>> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, &unit) in chars.iter().enumerate() {
        let c = unit.ch();
        if is_clean(c) {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            runs.push((s, i));
        }
        if c == '.' || c == ':' {
            let rest = chars[i + 1..]
                .iter()
                .find(|&&d| !closes(d.ch()) || is_space(d.ch()));
            if rest.is_some_and(|&d| !is_space(d.ch())) {
                return None;
            }
        } else if !is_safe(c) && !is_space(c) {
            return None;
        }
    }
    if let Some(s) = start {
        runs.push((s, chars.len()));
    }
    if runs.iter().any(|&(s, e)| e - s > MAX_RUN) {
        return None;
    }
    Some(runs)
}

/// The segment with the hyphens of each chain of letter runs (`_HYPHENATED`) made spaces, if any.
fn unhyphenated<C: Unit>(chars: &[C]) -> Option<Vec<C>> {
    let (hyphen, space) = (C::from(b'-'), C::from(b' '));
    let letter = |i: usize| is_letter(chars[i].ch());
    let mut out: Option<Vec<C>> = None;
    let mut i = 0;
    while i < chars.len() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        if !letter(i) || before.is_some_and(|b| is_clean(b.ch()) || b == hyphen) {
            i += 1;
            continue;
        }
        let (mut end, mut hyphens) = (i, 0);
        loop {
            while end < chars.len() && letter(end) {
                end += 1;
            }
            if end + 1 < chars.len() && chars[end] == hyphen && letter(end + 1) {
                end += 1;
                hyphens += 1;
            } else {
                break;
            }
        }
        let after = chars.get(end).copied();
        if hyphens > 0 && !after.is_some_and(|a| is_clean(a.ch()) || a == hyphen) {
            let joined = out.get_or_insert_with(|| chars.to_vec());
            for c in &mut joined[i..end] {
                if *c == hyphen {
                    *c = space;
                }
            }
        }
        i = end.max(i + 1);
    }
    out
}

fn emit<C: Unit>(
    chars: &[C],
    runs: &[(usize, usize)],
    sink: &mut impl Sink,
    hyphen: bool,
    key: &mut String,
) {
    for &(s, e) in runs {
        key.clear();
        key.extend(chars[s..e].iter().map(|c| c.ch().to_ascii_lowercase()));
        sink.key(key);
        if hyphen {
            sink.hyphen(key);
        }
    }
}

fn decide<C: Unit>(chars: &[C], text: &str, sink: &mut impl Sink, key: &mut String) {
    if let Some(runs) = plain(chars) {
        return emit(chars, &runs, sink, false, key);
    }
    if let Some(joined) = unhyphenated(chars) {
        if let Some(runs) = plain(&joined) {
            return emit(&joined, &runs, sink, true, key);
        }
    }
    sink.dirty(text, true);
}

fn segment(text: &str, sink: &mut impl Sink, chars: &mut Vec<char>, key: &mut String) {
    if text.is_ascii() {
        return decide(text.as_bytes(), text, sink, key);
    }
    chars.clear();
    chars.extend(text.chars());
    decide(chars, text, sink, key)
}

/// Tokenizes one text into `sink`, as `tokenize(text)` does (see the module docs).
pub fn tokenize(text: &str, sink: &mut impl Sink) -> Result<(), Undecided> {
    if text.contains('<') {
        let token = text
            .chars()
            .any(|c| c.is_ascii_alphanumeric() || is_clean(c));
        if !token && !text.is_ascii() {
            return Err(Undecided);
        }
        sink.dirty(text, token);
        return Ok(());
    }
    let (mut chars, mut key) = (Vec::new(), String::new());
    for part in text.split(is_space).filter(|s| !s.is_empty()) {
        segment(part, sink, &mut chars, &mut key);
    }
    Ok(())
}

/// A sink that lists what it gets: the keys (a dirty token as `"\u{1}"`), the dirty segments
/// and the hyphenated keys (`synth._native.tokenize` and the tests).
#[derive(Default)]
pub struct Listed {
    pub tokens: Vec<String>,
    pub dirty: Vec<String>,
    pub hyphen: Vec<String>,
}

impl Sink for Listed {
    fn key(&mut self, key: &str) {
        self.tokens.push(key.to_owned());
    }
    fn dirty(&mut self, segment: &str, token: bool) {
        if token {
            self.tokens.push("\u{1}".to_owned());
        }
        self.dirty.push(segment.to_owned());
    }
    fn hyphen(&mut self, key: &str) {
        self.hyphen.push(key.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Listed {
        let mut seen = Listed::default();
        tokenize(text, &mut seen).unwrap();
        seen
    }

    #[test]
    fn plain_hyphenated_and_dirty_segments() {
        let s = run("Use node.js on-call, Tür (ok). 血まみれの改善。次");
        assert_eq!(
            s.tokens,
            [
                "use",
                "\u{1}",
                "on",
                "call",
                "\u{1}",
                "ok",
                "血まみれの改善",
                "次"
            ]
        );
        assert_eq!(s.dirty, ["node.js", "Tür"]);
        assert_eq!(s.hyphen, ["on", "call"]);
    }

    #[test]
    fn final_stops_and_tags() {
        assert_eq!(run("end.) next: x").tokens, ["end", "next", "x"]);
        assert_eq!(run("ab._ cd").tokens, ["\u{1}", "cd"]);
        assert_eq!(run("a-b-").tokens, ["\u{1}"]);
        assert_eq!(run("<b>x</b> y").dirty, ["<b>x</b> y"]);
        assert_eq!(run("<>").tokens, Vec::<String>::new());
        let mut seen = Listed::default();
        assert_eq!(tokenize("<é>", &mut seen), Err(Undecided));
    }

    #[test]
    fn long_runs_are_dirty() {
        let long = "a".repeat(MAX_RUN + 1);
        assert_eq!(run(&long).tokens, ["\u{1}"]);
        assert_eq!(run(&"a".repeat(MAX_RUN)).tokens, ["a".repeat(MAX_RUN)]);
    }
}
